import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, ErrorCode } from '../src/errors.ts';
import { RecognitionJob } from '../src/job.ts';
import { createJsonLogger } from '../src/logger.ts';
import { memoise } from '../src/memo.ts';
import { RecognitionRequest } from '../src/request.ts';
import { RecognitionResult } from '../src/result.ts';
import { makeJob, makeResult } from './fixtures.ts';

describe('Function: RecognitionRequest.parse()', () => {
  it('returns the three known fields and drops unknown ones when the body has extras', () => {
    const parsed = RecognitionRequest.parse({ content: 'aGk=', request_id: 'r', filename: '/a/b.jpg', x: 1 });
    expect(parsed).toEqual({ content: 'aGk=', request_id: 'r', filename: '/a/b.jpg' });
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

describe('Function: createJsonLogger()', () => {
  it('returns one JSON line with child fields and expanded causes when the level is enabled', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ service: 'svc', level: 'info', write: (l) => lines.push(l) }).child({
      a: 1,
    });
    log.debug('hidden');
    log.error('boom', { error: new Error('bad', { cause: new Error('root') }) });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry).toMatchObject({ level: 'error', service: 'svc', message: 'boom', a: 1 });
    expect(entry.error).toMatchObject({ name: 'Error', message: 'bad', cause: { message: 'root' } });
  });
});

describe('Function: memoise()', () => {
  it('returns the same value without calling the factory again when the first call succeeded', async () => {
    let calls = 0;
    const get = memoise(async () => ++calls);
    expect(await get()).toBe(1);
    expect(await get()).toBe(1);
  });

  it('returns a fresh attempt from the factory when the previous attempt rejected', async () => {
    let calls = 0;
    const get = memoise(async () => {
      calls++;
      if (calls === 1) throw new Error('first load fails');
      return calls;
    });
    await expect(get()).rejects.toThrow('first load fails');
    expect(await get()).toBe(2);
  });
});
