// Plain JavaScript: jest loads its test sequencer without the TypeScript transform.
import { readFileSync } from 'node:fs';
import TestSequencer from '@jest/test-sequencer';

/** A test file that starts programs of its own (the compiled bot, a CLI, a child that is killed). */
const STARTS_PROCESSES = /\bspawn(Sync)?\(|\bexecFile(Sync)?\(|\bfork\(/;

/**
 * jest's order (the files that failed last time first, then the longest by the durations of the
 * last run), with one change for a run that has no durations yet, as on a fresh clone: the files
 * that start processes go first. jest would order those by size, and the process tests are
 * short files that run longest (tens of seconds): started last, one of them ran alone at the end
 * while the other worker had nothing left to do.
 */
export default class PaperbotSequencer extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const unmeasured = sorted.filter((test) => test.duration == null);
    if (unmeasured.length === 0) return sorted;
    const measured = sorted.filter((test) => test.duration != null);
    const first = unmeasured.filter((test) => STARTS_PROCESSES.test(readFileSync(test.path, 'utf8')));
    return [...first, ...unmeasured.filter((test) => !first.includes(test)), ...measured];
  }
}
