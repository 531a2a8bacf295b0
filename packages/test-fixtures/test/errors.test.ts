import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildError, codeTable, errorClassesOf, thrown } from '../src/errors.ts';

const fixtures = (name: string) => fileURLToPath(new URL(`./fixtures/errors/${name}/`, import.meta.url));
const load = (path: string) => import(path);

describe('Function: errorClassesOf()', () => {
  it('returns the exported error classes by name and reads entries instead of importing them', async () => {
    const found = await errorClassesOf(fixtures('ok'), { load, isEntry: (file) => file === 'entry.ts' });
    expect(found.files).toEqual(['a.ts', 'entry.ts']);
    expect(found.entries).toEqual(['entry.ts']);
    expect(found.classes.map((cls) => cls.name)).toEqual(['AError', 'BError']);
  });

  it('throws when an entry declares a class, which a walk that only imports would never see', async () => {
    await expect(errorClassesOf(fixtures('bad'), { load, isEntry: () => true })).rejects.toThrow(
      'entry.ts runs on import and must not declare a class',
    );
  });
});

describe('Function: buildError()', () => {
  it('throws when the class does not extend the base', async () => {
    const { classes } = await errorClassesOf(fixtures('ok'), {
      load,
      isEntry: (file) => file === 'entry.ts',
    });
    const cause = new Error('cause');
    expect(() => buildError(RangeError, classes[0] ?? Error, {}, cause)).toThrow(
      'AError does not extend RangeError',
    );
    expect(codeTable(classes, () => ({ code: 'X' }))).toEqual({
      AError: ['X', 'Error'],
      BError: ['X', 'AError'],
    });
  });
});

describe('Function: thrown()', () => {
  it('returns the error of the class asked for, and throws when fn returns or throws another', () => {
    const error = thrown(() => {
      throw new RangeError('out');
    }, RangeError);
    expect(error.message).toBe('out');
    expect(() => thrown(() => 1, RangeError)).toThrow('expected a RangeError');
    expect(() =>
      thrown(() => {
        throw new TypeError('other');
      }, RangeError),
    ).toThrow(TypeError);
  });
});
