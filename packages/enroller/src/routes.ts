import { PersonName, PhotoId } from '@frs/contracts/enrol';
import { RequestRejectedError } from '@frs/service/errors';

/** One enroller operation, parsed from method and path. */
export type Route =
  | { kind: 'list-people' }
  | { kind: 'get-person'; name: string }
  | { kind: 'delete-person'; name: string }
  | { kind: 'add-photo'; name: string }
  | { kind: 'delete-photo'; name: string; photoId: string }
  | { kind: 'get-thumbnail'; name: string; photoId: string };

function segment(raw: string, what: 'name' | 'photo id'): string {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch (error) {
    throw new RequestRejectedError(
      'invalid_request',
      `the ${what} in the path is not valid percent-encoding`,
      {
        cause: error,
      },
    );
  }
  const parsed = (what === 'name' ? PersonName : PhotoId).safeParse(text);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => i.message).join('; ');
    throw new RequestRejectedError('invalid_request', `invalid ${what}: ${reason}`, { cause: parsed.error });
  }
  return parsed.data;
}

function notAllowed(allowed: string): RequestRejectedError {
  return new RequestRejectedError('method_not_allowed', `this path takes ${allowed}`);
}

/**
 * Maps a request's method and raw path to a {@link Route}. Names are percent-decoded, NFC-normalised and
 * checked against {@link PersonName}'s character set before anything touches the store.
 *
 * @throws {RequestRejectedError} `not_found` for an unknown path, `method_not_allowed` for a known path with
 *   another method, `invalid_request` for a bad name or photo id.
 * @example
 * ```ts
 * parseRoute('POST', '/people/Zo%C3%AB/photos'); // { kind: 'add-photo', name: 'Zoë' }
 * ```
 */
export function parseRoute(method: string, rawPath: string): Route {
  const verb = method.toUpperCase();
  const parts = rawPath.replace(/\/+$/, '').split('/').slice(1);
  if (parts[0] !== 'people') throw new RequestRejectedError('not_found', 'no such route; see GET /people');
  const [, rawName, photos, rawId, thumbnail, ...rest] = parts;
  if (rest.length > 0) throw new RequestRejectedError('not_found', 'no such route; see GET /people');
  if (rawName === undefined) {
    if (verb !== 'GET') throw notAllowed('GET');
    return { kind: 'list-people' };
  }
  const name = segment(rawName, 'name');
  if (photos === undefined) {
    if (verb === 'GET') return { kind: 'get-person', name };
    if (verb === 'DELETE') return { kind: 'delete-person', name };
    throw notAllowed('GET or DELETE');
  }
  if (photos !== 'photos') throw new RequestRejectedError('not_found', 'no such route; see GET /people');
  if (rawId === undefined) {
    if (verb !== 'POST') throw notAllowed('POST');
    return { kind: 'add-photo', name };
  }
  const photoId = segment(rawId, 'photo id');
  if (thumbnail === undefined) {
    if (verb !== 'DELETE') throw notAllowed('DELETE');
    return { kind: 'delete-photo', name, photoId };
  }
  if (thumbnail !== 'thumbnail')
    throw new RequestRejectedError('not_found', 'no such route; see GET /people');
  if (verb !== 'GET') throw notAllowed('GET');
  return { kind: 'get-thumbnail', name, photoId };
}
