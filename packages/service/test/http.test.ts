import { randomBytes } from 'node:crypto';
import { thrown } from '@frs/test-fixtures/errors';
import { describe, expect, it } from 'vitest';
import { RequestRejectedError } from '../src/errors.ts';
import { decodeBase64Content } from '../src/http.ts';

const rejection = (fn: () => unknown) => thrown(fn, RequestRejectedError);

describe('Function: decodeBase64Content()', () => {
  it('returns the bytes when given standard, URL-safe, unpadded or line-wrapped base64', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01]);
    for (const text of [
      '+//+AQ==',
      '-__-AQ',
      '+//+\nAQ==',
      `data:image/png;base64,${bytes.toString('base64')}`,
    ]) {
      expect(Buffer.from(decodeBase64Content(text))).toEqual(bytes);
    }
  });

  it('returns the bytes without overflowing the stack when the content is 6 MB of base64', () => {
    const bytes = randomBytes(4_600_000);
    for (const text of [bytes.toString('base64'), bytes.toString('base64url')]) {
      expect(text.length).toBeGreaterThan(6_000_000);
      expect(Buffer.from(decodeBase64Content(text)).equals(bytes)).toBe(true);
    }
  });

  it('throws invalid_base64 when given characters outside the alphabet or an impossible length', () => {
    for (const text of ['not base64!', 'abcde', '****', 'aGk=aGk=', 'aG=', 'aGk==', '+/-_', 'aGk-=', '=']) {
      expect(rejection(() => decodeBase64Content(text)).code).toBe('invalid_base64');
    }
  });
});
