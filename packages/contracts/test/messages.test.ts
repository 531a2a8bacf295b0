import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EnrolRequest, PersonName, PhotoId } from '../src/enrol.ts';
import { CameraId, Filename, RecognitionRequest } from '../src/request.ts';

// The messages are the API: the detector answers `invalid request: <path> <message>; …` and the enroller
// `invalid <what>: <message>` with exactly these texts, and clients show them to operators. A change here
// is a change of the contract, so each one is pinned.
function problems(schema: z.ZodType, input: unknown): string {
  const parsed = schema.safeParse(input);
  if (parsed.success) return 'accepted';
  return parsed.error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')} ${i.message}` : i.message))
    .join('; ');
}

function table(schema: z.ZodType, inputs: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([label, input]) => [label, problems(schema, input)]));
}

describe('Function: RecognitionRequest.safeParse()', () => {
  it('returns the detector request messages, field by field, when a request breaks a rule', () => {
    const ok = { content: 'aGk=', request_id: 'cam-1' };
    expect(
      table(RecognitionRequest, {
        'not an object': 'x',
        'empty object': {},
        'content a number': { ...ok, content: 7 },
        'content empty': { ...ok, content: '' },
        'request_id a number': { ...ok, request_id: 7 },
        'request_id empty': { ...ok, request_id: '' },
        'request_id 129 characters': { ...ok, request_id: 'a'.repeat(129) },
        'request_id with a space': { ...ok, request_id: 'cam 1' },
        'filename with a slash': { ...ok, filename: 'a/b.jpg' },
        'filename with a bell': { ...ok, filename: 'ab\u0007.jpg' },
        'filename with U+FFFF': { ...ok, filename: 'x\uFFFF' },
        'filename 256 characters': { ...ok, filename: 'é'.repeat(256) },
        'camera_id with a dot': { ...ok, camera_id: 'cam.1' },
      }),
    ).toMatchInlineSnapshot(`
      {
        "camera_id with a dot": "camera_id may contain only A-Z, a-z, 0-9, '_' and '-'",
        "content a number": "content must be a base64 string",
        "content empty": "content must not be empty",
        "empty object": "content is required; request_id is required",
        "filename 256 characters": "filename must be at most 255 characters",
        "filename with U+FFFF": "filename must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\' (found U+FFFF at index 1)",
        "filename with a bell": "filename must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\' (found U+0007 at index 2)",
        "filename with a slash": "filename must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\' (found '/' at index 1)",
        "not an object": "Invalid input: expected object, received string",
        "request_id 129 characters": "request_id must be at most 128 characters",
        "request_id a number": "request_id must be a string",
        "request_id empty": "request_id must not be empty",
        "request_id with a space": "request_id may contain only A-Z, a-z, 0-9, '.', '_', ':' and '-'",
      }
    `);
  });
});

describe('Function: EnrolRequest.safeParse()', () => {
  it('returns the enrolment request messages when the photo is missing, empty or named badly', () => {
    expect(
      table(EnrolRequest, {
        'no content': {},
        'content empty': { content: '' },
        'filename empty': { content: 'aGk=', filename: '' },
        'filename with a backslash': { content: 'aGk=', filename: 'a\\b.jpg' },
      }),
    ).toMatchInlineSnapshot(`
      {
        "content empty": "content must not be empty",
        "filename empty": "filename must not be empty",
        "filename with a backslash": "filename must not contain control characters, U+FFFE, U+FFFF, unpaired surrogates, '/' or '\\' (found '\\' at index 1)",
        "no content": "content is required",
      }
    `);
  });
});

describe('Function: PersonName.safeParse()', () => {
  it('returns the person-name messages the enroller answers with when a name breaks a rule', () => {
    expect(
      table(PersonName, {
        'not a string': 42,
        empty: '',
        '65 letters': 'a'.repeat(65),
        'a slash': 'Ada/Lovelace',
        'a trailing space': 'Ada ',
        'a leading dot': '.ada',
        'reserved unknown': 'Unknown',
        'reserved no_face': 'NO_FACE',
        'decomposed accent (accepted, NFC)': 'Zoe\u0308',
      }),
    ).toMatchInlineSnapshot(`
      {
        "65 letters": "must be at most 64 characters",
        "a leading dot": "may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)",
        "a slash": "may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)",
        "a trailing space": "may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)",
        "decomposed accent (accepted, NFC)": "accepted",
        "empty": "must not be empty; may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)",
        "not a string": "must be a string",
        "reserved no_face": "'unknown' and 'no_face' are reserved",
        "reserved unknown": "'unknown' and 'no_face' are reserved",
      }
    `);
  });
});

describe('Function: PhotoId.safeParse() / CameraId.safeParse() / Filename.safeParse()', () => {
  it('returns the message of each identifier schema when the value is malformed', () => {
    expect({
      photoId: problems(PhotoId, 'not-a-uuid'),
      cameraIdEmpty: problems(CameraId, ''),
      cameraId65: problems(CameraId, 'c'.repeat(65)),
      cameraIdNumber: problems(CameraId, 1),
      filenameNumber: problems(Filename, 1),
    }).toMatchInlineSnapshot(`
      {
        "cameraId65": "must be at most 64 characters",
        "cameraIdEmpty": "must not be empty",
        "cameraIdNumber": "must be a string",
        "filenameNumber": "must be a string",
        "photoId": "must be a photo id (a UUID)",
      }
    `);
  });
});
