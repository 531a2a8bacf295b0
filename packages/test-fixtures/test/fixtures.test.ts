import { existsSync } from 'node:fs';
import { FunctionUrlEvent } from '@frs/contracts/lambda';
import { describe, expect, it } from 'vitest';
import { functionUrlEvent, sqsEvent } from '../src/events.ts';
import { recordingLogger } from '../src/logger.ts';
import { facePath, IDENTITIES_DIR, photosOf, SHARED_DIR, sharedPath } from '../src/shared.ts';

describe('Function: photosOf()', () => {
  it('returns the sorted photos of one identity below the shared development set', async () => {
    expect(existsSync(sharedPath('README.md'))).toBe(true);
    expect(SHARED_DIR.endsWith('/')).toBe(true);
    const photos = await photosOf('John_Salley');
    expect(photos).toHaveLength(11);
    expect(photos[0]).toBe(facePath('identities/John_Salley/00.jpg'));
    expect(photos[0]?.startsWith(IDENTITIES_DIR)).toBe(true);
    expect(photos).toEqual([...photos].sort());
  });
});

describe('Function: functionUrlEvent()', () => {
  it('returns an event the contract parses unchanged, the body as JSON', () => {
    const event = functionUrlEvent({
      method: 'DELETE',
      rawPath: '/people/x',
      body: { a: 1 },
      requestId: 'r',
    });
    expect(FunctionUrlEvent.parse(event)).toEqual(event);
    expect(event.body).toBe('{"a":1}');
    expect(functionUrlEvent().requestContext).toEqual({ http: { method: 'POST' } });
  });
});

describe('Function: sqsEvent()', () => {
  it('returns one first-receive record per body, in order', () => {
    expect(sqsEvent(['a', 'b']).Records.map((r) => [r.messageId, r.body, r.attributes])).toEqual([
      ['m-0', 'a', { ApproximateReceiveCount: '1' }],
      ['m-1', 'b', { ApproximateReceiveCount: '1' }],
    ]);
  });
});

describe('Function: recordingLogger()', () => {
  it('returns the lines a logger wrote, parsed', () => {
    const { logger, lines } = recordingLogger();
    logger.child({ request_id: 'r' }).warn('refused', { code: 'x' });
    expect(lines).toMatchObject([{ level: 'warn', message: 'refused', request_id: 'r', code: 'x' }]);
  });
});
