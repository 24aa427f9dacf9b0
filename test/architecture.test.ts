import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

// The layout rules of DESIGN.md, read from the imports of src/ (so a change that breaks one fails here).
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({
  path,
  name: relative(SRC, path),
  text: readFileSync(path, 'utf8'),
}));

/** The folder (or top-level file) a source file belongs to: "slack/", "main.ts". */
const unitOf = (path: string) => {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? `${parts[0]}/` : (parts[0] as string);
};

function importsOf(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gms)].map((m) => m[1] as string);
}

/** "a/ -> b/" for every import from one folder (or top-level file) of src/ into another. */
function folderEdges(): Set<string> {
  const edges = new Set<string>();
  for (const file of files) {
    for (const spec of importsOf(file.text)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file.path), spec).replace(/\.js$/, '.ts');
      const [from, to] = [unitOf(file.path), unitOf(target)];
      if (from !== to) edges.add(`${from} -> ${to}`);
    }
  }
  return edges;
}

describe('the layout', () => {
  test('only src/slack/ imports Bolt and the Slack clients', () => {
    const outside = files.filter(
      (file) =>
        !file.name.startsWith('slack/') &&
        importsOf(file.text).some((spec) => /^@slack\/(bolt|web-api|socket-mode|oauth)/.test(spec)),
    );
    expect(outside.map((file) => file.name)).toEqual([]);
  });

  test('Block Kit is built in src/blocks/ only', () => {
    const BLOCK =
      /type: '(section|context|actions|header|divider|input|button|image|mrkdwn|plain_text|modal|home)'/;
    const outside = files.filter((file) => !file.name.startsWith('blocks/') && BLOCK.test(file.text));
    expect(outside.map((file) => file.name)).toEqual([]);
  });

  test('no folder imports a folder that imports it back', () => {
    const edges = folderEdges();
    const cycles = [...edges].filter((edge) => {
      const [from, to] = edge.split(' -> ');
      return edges.has(`${to} -> ${from}`) && (from as string) < (to as string);
    });
    expect(cycles).toEqual([]);
    expect(edges.size).toBeGreaterThan(10); // the scan did read the imports
  });
});
