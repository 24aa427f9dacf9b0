import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { KeyColumn, PackedStrings, packStrings, StringColumn, sortedOrderOf } from '../src/packedStrings.js';

const sortedOrder = (strings: string[]) => sortedOrderOf(packStrings(strings));

/** A column as a file would give it back: packed, then read from the packed arrays. */
const reread = (column: KeyColumn) => new KeyColumn(column.pack());

describe('packed strings', () => {
  test('read back as written, non-ASCII and empty strings included; found by binary search', () => {
    const strings = ['graph', '', 'Jürgen Schmidhuber', '深度学习', 'graph networks', '🙂 emoji'];
    const packed = new PackedStrings(packStrings(strings));
    expect(packed.toArray()).toEqual(strings);
    const order = sortedOrder(strings);
    expect(strings.map((value) => packed.find(order, value))).toEqual(strings.map((_, i) => i));
    expect(packed.find(order, 'graph network')).toBe(-1);
  });

  test('a string there more than once is found at its first position', () => {
    const strings = ['b', 'a', 'b', 'a'];
    expect(new PackedStrings(packStrings(strings)).find(sortedOrder(strings), 'a')).toBe(1);
  });
});

describe('columns', () => {
  test('a string column keeps its saved strings in place and its changes beside them, packed as one', () => {
    const column = new StringColumn(packStrings(['a', 'bé', 'c']));
    column.set(1, 'B');
    column.set(2, 'c');
    expect(column.push('d')).toBe(3);
    column.set(4, 'e');
    const copy = column.copy();
    copy.set(0, 'changed in the copy only');
    expect(column.toArray()).toEqual(['a', 'B', 'c', 'd', 'e']);
    expect(new StringColumn(column.pack()).toArray()).toEqual(['a', 'B', 'c', 'd', 'e']);
    const appended = new StringColumn(packStrings(['x', 'ÿ']));
    appended.push('z');
    expect(new PackedStrings(appended.pack()).toArray()).toEqual(['x', 'ÿ', 'z']);
    expect(() => column.set(9, 'far')).toThrow(RangeError);
  });

  test('a key column finds every key, saved or added, through any number of saves', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (keys, cuts) => {
          // Keys added in rounds, the column saved and read back between rounds.
          let column = new KeyColumn();
          let at = 0;
          for (const cut of [...cuts, keys.length]) {
            const until = Math.min(keys.length, at + (cut % 20));
            for (; at < until; at++) expect(column.push(keys[at] as string)).toBe(at);
            column = reread(column);
          }
          for (; at < keys.length; at++) column.push(keys[at] as string);
          const final = reread(column);
          for (const current of [column, final, final.copy()]) {
            expect(current.toArray()).toEqual(keys);
            expect(keys.map((key) => current.positionOf(key))).toEqual(keys.map((_, i) => i));
            expect(current.positionOf('\u0000absent')).toBeUndefined();
          }
        },
      ),
    );
  });
});
