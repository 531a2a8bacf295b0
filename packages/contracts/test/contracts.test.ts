import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, ErrorCode } from '../src/errors.ts';
import { RecognitionJob } from '../src/job.ts';
import {
  CAMERA_ID_PATTERN,
  FILENAME_FORBIDDEN,
  MAX_CAMERA_ID_LENGTH,
  MAX_FILENAME_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  REQUEST_ID_PATTERN,
  RecognitionRequest,
} from '../src/request.ts';
import { MAX_RESULT_CANDIDATES, RecognitionResult } from '../src/result.ts';
import { makeJob, makeResult } from './fixtures.ts';

describe('Function: RecognitionRequest.parse()', () => {
  it('returns the three known fields and drops unknown ones when the body has extras', () => {
    const parsed = RecognitionRequest.parse({ content: 'aGk=', request_id: 'r', filename: 'b.jpg', x: 1 });
    expect(parsed).toEqual({ content: 'aGk=', request_id: 'r', filename: 'b.jpg' });
  });

  it('returns the request when request_id uses every allowed character class at the 128-character limit', () => {
    const id = `Az09._:-${'x'.repeat(120)}`;
    expect(id).toHaveLength(MAX_REQUEST_ID_LENGTH);
    expect(RecognitionRequest.parse({ content: 'aGk=', request_id: id }).request_id).toBe(id);
    expect(REQUEST_ID_PATTERN.test(id)).toBe(true);
  });

  it('returns a failed parse naming request_id when it is 129 characters, has a space or a non-ASCII letter', () => {
    for (const id of ['a'.repeat(129), 'cam 7', 'cam\t7', 'kamera-ø', 'a/b', '']) {
      const parsed = RecognitionRequest.safeParse({ content: 'aGk=', request_id: id });
      expect(parsed.success, JSON.stringify(id)).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['request_id']);
      expect(REQUEST_ID_PATTERN.test(id)).toBe(false);
    }
  });

  it('returns the filename in NFC when it has spaces, emoji, non-Latin letters or decomposed accents', () => {
    for (const [sent, kept] of [
      ['frame 01.jpg', 'frame 01.jpg'],
      ['😀 Åsa.png', '😀 Åsa.png'],
      ['写真.webp', '写真.webp'],
      ['Jose\u0301.jpg', 'Jos\u00e9.jpg'],
      ['x'.repeat(MAX_FILENAME_LENGTH), 'x'.repeat(MAX_FILENAME_LENGTH)],
      ['😀'.repeat(MAX_FILENAME_LENGTH), '😀'.repeat(MAX_FILENAME_LENGTH)],
    ]) {
      expect(RecognitionRequest.parse({ content: 'aGk=', request_id: 'r', filename: sent }).filename).toBe(
        kept,
      );
    }
  });

  it('returns a failed parse naming the character when the filename has one SQS or a path would misread', () => {
    const cases: [string, string][] = [
      ['frame\uFFFF.jpg', 'U+FFFF at index 5'],
      ['frame\uFFFE.jpg', 'U+FFFE at index 5'],
      ['a\uD800.jpg', 'U+D800 at index 1'],
      ['a\uDC00b.jpg', 'U+DC00 at index 1'],
      ['a\u0000.jpg', 'U+0000 at index 1'],
      ['line\nbreak.jpg', 'U+000A at index 4'],
      ['c1\u0085.jpg', 'U+0085 at index 2'],
      ['del\u007F.jpg', 'U+007F at index 3'],
      ['cam7/frame.jpg', "'/' at index 4"],
      ['..\\boot.ini', "'\\' at index 2"],
    ];
    for (const [filename, found] of cases) {
      const parsed = RecognitionRequest.safeParse({ content: 'aGk=', request_id: 'r', filename });
      expect(parsed.success, JSON.stringify(filename)).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['filename']);
      expect(parsed.error?.issues[0]?.message).toContain(`(found ${found})`);
      expect(FILENAME_FORBIDDEN.test(filename)).toBe(true);
    }
  });

  it('returns a failed parse when the filename is empty or longer than 255 code points', () => {
    for (const filename of ['', 'x'.repeat(MAX_FILENAME_LENGTH + 1), '😀'.repeat(MAX_FILENAME_LENGTH + 1)]) {
      expect(RecognitionRequest.safeParse({ content: 'aGk=', request_id: 'r', filename }).success).toBe(
        false,
      );
    }
  });

  it('returns the camera_id when it uses letters, digits, _ and - up to 64 characters', () => {
    for (const id of ['cam1', 'Front-Door_2', 'x'.repeat(MAX_CAMERA_ID_LENGTH), '0', '-_']) {
      expect(RecognitionRequest.parse({ content: 'aGk=', request_id: 'r', camera_id: id }).camera_id).toBe(
        id,
      );
      expect(CAMERA_ID_PATTERN.test(id)).toBe(true);
    }
  });

  it('returns a request without camera_id when it is absent (older cameras)', () => {
    expect(RecognitionRequest.parse({ content: 'aGk=', request_id: 'r' })).not.toHaveProperty('camera_id');
  });

  it('returns a failed parse naming camera_id when it is empty, 65 characters or has a character SQS names refuse', () => {
    for (const id of [
      '',
      'x'.repeat(MAX_CAMERA_ID_LENGTH + 1),
      'cam 1',
      'cam.1',
      'cam:1',
      'a/b',
      'kamera-ø',
      7,
    ]) {
      const parsed = RecognitionRequest.safeParse({ content: 'aGk=', request_id: 'r', camera_id: id });
      expect(parsed.success, JSON.stringify(id)).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['camera_id']);
      if (typeof id === 'string') expect(CAMERA_ID_PATTERN.test(id)).toBe(false);
    }
  });

  it('returns a failed parse when request_id or content is missing', () => {
    expect(RecognitionRequest.safeParse({ content: 'aGk=' }).success).toBe(false);
    expect(RecognitionRequest.safeParse({ request_id: 'r' }).success).toBe(false);
    expect(RecognitionRequest.safeParse({ content: '', request_id: 'r' }).success).toBe(false);
  });
});

describe('Function: RecognitionJob.parse()', () => {
  it('returns a job with no faces when the frame had none', () => {
    expect(RecognitionJob.parse(makeJob({ faces: [] })).faces).toEqual([]);
  });

  it('returns the camera_id when the job has one and a failed parse when it is invalid', () => {
    expect(RecognitionJob.parse(makeJob({ camera_id: 'cam1' })).camera_id).toBe('cam1');
    expect(RecognitionJob.safeParse(makeJob({ camera_id: 'x'.repeat(65) })).success).toBe(false);
  });

  it('returns a failed parse when a chip is not base64', () => {
    const job = makeJob();
    const face = job.faces[0];
    if (!face) throw new Error('fixture has a face');
    expect(RecognitionJob.safeParse({ ...job, faces: [{ ...face, chip: 'not base64!' }] }).success).toBe(
      false,
    );
  });
});

describe('Function: RecognitionResult.parse()', () => {
  it('returns request_id and result at the top level when parsing a result', () => {
    const parsed = RecognitionResult.parse(makeResult({ result: 'no_face', faces: [] }));
    expect(parsed.request_id).toBe('req-1');
    expect(parsed.result).toBe('no_face');
  });

  it('returns the camera_id when the result has one and a failed parse when it is invalid', () => {
    expect(RecognitionResult.parse(makeResult({ camera_id: 'cam1' })).camera_id).toBe('cam1');
    expect(RecognitionResult.parse(makeResult())).not.toHaveProperty('camera_id');
    expect(RecognitionResult.safeParse(makeResult({ camera_id: 'cam 1' })).success).toBe(false);
  });

  it('returns the candidates when a face lists them, none when it does not, and a failed parse beyond 10', () => {
    const face = { box: [10, 20, 110, 140] as const, score: 0.99, name: 'alice', similarity: 0.8 };
    const candidates = [
      { name: 'alice', similarity: 0.8 },
      { name: 'bo', similarity: 0.41 },
    ];
    const parsed = RecognitionResult.parse(
      makeResult({ faces: [{ ...face, box: [...face.box], candidates }] }),
    );
    expect(parsed.faces[0]?.candidates).toEqual(candidates);
    expect(RecognitionResult.parse(makeResult()).faces[0]).not.toHaveProperty('candidates');
    const eleven = Array.from({ length: MAX_RESULT_CANDIDATES + 1 }, (_, i) => ({
      name: `p${i}`,
      similarity: 0,
    }));
    expect(
      RecognitionResult.safeParse(
        makeResult({ faces: [{ ...face, box: [...face.box], candidates: eleven }] }),
      ).success,
    ).toBe(false);
    expect(
      RecognitionResult.safeParse(
        makeResult({
          faces: [{ ...face, box: [...face.box], candidates: [{ name: 'x', similarity: 1.5 }] }],
        }),
      ).success,
    ).toBe(false);
  });
});

describe('Function: ERROR_STATUS', () => {
  it('returns a 4xx status for every client error code and 500 only for internal_error', () => {
    for (const code of ErrorCode.options) {
      const status = ERROR_STATUS[code];
      if (code === 'internal_error') expect(status).toBe(500);
      else expect(status).toBeGreaterThanOrEqual(400);
      if (code !== 'internal_error') expect(status).toBeLessThan(500);
    }
  });
});
