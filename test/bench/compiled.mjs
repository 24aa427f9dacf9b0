// `node --import tsx --import ./test/bench/compiled.mjs …`: the benchmarks stay TypeScript (run by
// tsx), but every module of src/ they import is loaded from its compiled twin in dist/, the code
// `npm start` runs. tsx compiles with esbuild's keepNames, which wraps functions in `__name(…)`:
// that made a hot search loop 2.5x slower than the tsc build, so benchmarking src/ through tsx
// measured something nobody runs. Build first (`npm run bench` does).
import { register } from 'node:module';

register('./compiledHooks.mjs', import.meta.url);
