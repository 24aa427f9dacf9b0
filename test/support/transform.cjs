// Plain CommonJS: jest loads its transformers with require.
const { createHash } = require('node:crypto');
const { createTransformer } = require('@swc/jest');

/**
 * The built-in globals our hot loops use. jest runs each test file in a vm context whose global
 * object is a Proxy (jest-environment-node's GlobalProxy), so every lookup of a global name goes
 * through Node's interceptors and the Proxy: `Math.max` 3 million times took 1.9 s in a test and
 * 6 ms with `Math` held in a local. Each module gets these as module-scope constants (the same
 * objects), so its code runs at the speed it has outside jest. Not the clocks and timers (Date,
 * performance, setTimeout...) nor `console` or `process`, which tests may replace.
 */
const GLOBALS = [
  'Array',
  'ArrayBuffer',
  'BigInt',
  'Boolean',
  'Buffer',
  'DataView',
  'Error',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Intl',
  'JSON',
  'Map',
  'Math',
  'Number',
  'Object',
  'Promise',
  'RangeError',
  'Reflect',
  'RegExp',
  'Set',
  'String',
  'Symbol',
  'TextDecoder',
  'TextEncoder',
  'TypeError',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'WeakMap',
  'WeakSet',
];

/** The names of `GLOBALS` that `code` uses and does not declare or import itself. */
function globalsUsedIn(code) {
  return GLOBALS.filter(
    (name) =>
      new RegExp(`\\b${name}\\b`).test(code) &&
      !new RegExp(
        `\\b(?:class|function|const|let|var)\\s+${name}\\b|\\bimport\\b[^;]*\\b${name}\\b[^;]*\\bfrom\\b`,
      ).test(code),
  );
}

/** @swc/jest, with the globals a module uses bound once at its top (on its first line, so line numbers stay). */
module.exports = {
  createTransformer(options) {
    const swc = createTransformer(options);
    const bind = (result) => {
      const names = globalsUsedIn(result.code);
      return names.length === 0
        ? result
        : { ...result, code: `const { ${names.join(', ')} } = globalThis;${result.code}` };
    };
    return {
      ...swc,
      process: (source, filename, jestOptions) => bind(swc.process(source, filename, jestOptions)),
      processAsync: async (source, filename, jestOptions) =>
        bind(await swc.processAsync(source, filename, jestOptions)),
      getCacheKey: (...args) =>
        createHash('sha1')
          .update(swc.getCacheKey(...args))
          .update('\0globals:')
          .update(GLOBALS.join())
          .digest('hex'),
    };
  },
};
