import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@frs/contracts/errors';
import {
  buildError,
  codeTable,
  type ErrorClass,
  errorClassesOf,
  itBuildsEachError,
} from '@frs/test-fixtures/errors';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.ts';

// Every module of src, not a list: an error added anywhere in the CLI without the base fails here. The
// entry scripts run on import, so they are read instead and must declare no class at all.
const SCRIPTS = new Set(['main.ts', join('bench', 'main.ts'), join('bench', 'cold-child.ts')]);
const src = fileURLToPath(new URL('../src/', import.meta.url));
const { files, entries, classes } = await errorClassesOf(src, {
  load: (path) => import(path),
  isEntry: (file) => SCRIPTS.has(file),
});

const cause = new Error('root cause');
// Errors whose constructor is not `(message, options)`; every other class is built with the default.
const ARGS = { EnrolApiError: [422, 'no_face', 'no face in the photo', { cause }] };
const build = (cls: ErrorClass) => buildError(CliError, cls, ARGS, cause);

describe('Class: CliError', () => {
  it('returns the error classes of every module of src when the modules are walked', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(entries).toEqual([...SCRIPTS].sort());
    expect(classes.map((cls) => cls.name)).toEqual(
      expect.arrayContaining([
        'CliError',
        'UsageError',
        'PersonNameError',
        'EnrolApiError',
        'ResultTimeoutError',
      ]),
    );
  });

  itBuildsEachError({ base: 'CliError', classes, build, cause, code: /^[a-z][a-z0-9_]*$/ });

  // EnrolApiError carries the enroller's own code (or its two for a non-API answer), so every other
  // error's code must differ from those as well as from each other.
  it('returns a code no other error of the CLI or answer of the enroller uses when all are built', () => {
    const fixed = classes.filter((cls) => cls.name !== 'EnrolApiError').map((cls) => build(cls).code);
    expect(new Set(fixed).size).toBe(fixed.length);
    for (const code of [...ErrorCode.options, 'http_error', 'bad_response'])
      expect(fixed).not.toContain(code);
  });

  it('returns the stable code and the parent class of each error class when they are built', () => {
    expect(codeTable(classes, build)).toEqual({
      CliError: ['error', 'CodedError'],
      EnrolApiError: ['no_face', 'CliError'],
      PersonNameError: ['person_name', 'CliError'],
      ResultTimeoutError: ['result_timeout', 'CliError'],
      UsageError: ['usage', 'CliError'],
    });
  });
});
