import { describe, expect, it } from 'vitest';
import { parseRoute } from '../src/routes.ts';

const ID = '0b6f8a8e-3f57-4d5c-9a34-4b3f1c0d2e11';

describe('Function: parseRoute()', () => {
  it.each([
    ['GET', '/people', { kind: 'list-people' }],
    ['GET', '/people/', { kind: 'list-people' }],
    ['GET', '/people/Zo%C3%AB%20Ng', { kind: 'get-person', name: 'Zoë Ng' }],
    ['DELETE', '/people/Ada', { kind: 'delete-person', name: 'Ada' }],
    ['POST', '/people/Ada/photos', { kind: 'add-photo', name: 'Ada' }],
    ['DELETE', `/people/Ada/photos/${ID}`, { kind: 'delete-photo', name: 'Ada', photoId: ID }],
    ['GET', `/people/Ada/photos/${ID}/thumbnail`, { kind: 'get-thumbnail', name: 'Ada', photoId: ID }],
  ])('returns the route when given %s %s', (method, path, route) => {
    expect(parseRoute(method, path)).toEqual(route);
  });

  it.each([
    ['GET', '/', 'not_found'],
    ['GET', '/people/Ada/videos', 'not_found'],
    ['GET', `/people/Ada/photos/${ID}/full`, 'not_found'],
    ['POST', '/people', 'method_not_allowed'],
    ['PUT', '/people/Ada', 'method_not_allowed'],
    ['GET', '/people/Ada/photos', 'method_not_allowed'],
    ['POST', '/people/unknown/photos', 'invalid_request'],
    ['POST', '/people/a%2Fb/photos', 'invalid_request'],
    ['POST', '/people/%E0%A4%A/photos', 'invalid_request'],
    ['DELETE', '/people/Ada/photos/not-a-uuid', 'invalid_request'],
  ])('throws %s %s as %s', (method, path, code) => {
    expect(() => parseRoute(method, path)).toThrow(expect.objectContaining({ code }));
  });

  it('throws the name rule as the message when the name holds markup', () => {
    expect(() => parseRoute('POST', '/people/%3Cimg%3E/photos')).toThrowErrorMatchingInlineSnapshot(
      `[RequestRejectedError: invalid name: may hold only letters, digits, spaces and . - _ ' (starting with a letter or digit, not ending with a space)]`,
    );
  });
});
