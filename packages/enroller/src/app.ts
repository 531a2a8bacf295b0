import {
  EnrolRequest,
  type EnrolResponse,
  type PeopleList,
  type PersonDetail,
  type PersonPhoto,
} from '@frs/contracts/enrol';
import type { FunctionUrlResult } from '@frs/contracts/lambda';
import { FunctionUrlEvent } from '@frs/contracts/lambda';
import type { JsonLogger } from '@frs/runtime/logger';
import type { MetricsSink } from '@frs/runtime/metrics';
import { RequestRejectedError } from '@frs/service/errors';
import {
  decodeBase64Content,
  FAILED_METRICS,
  jsonResult,
  readJsonBody,
  rejectedMetrics,
  rejectionResult,
  requestLogger,
} from '@frs/service/http';
import { toRequestError } from '@frs/service/image';
import type { RgbImage } from '@frs/service/types';
import {
  checkQuality,
  describeQualityIssues,
  ENROLMENT_QUALITY,
  type FaceQuality,
  PersonNotFoundError,
} from '@frs/vision/gallery';
import {
  type GalleryStore,
  GalleryStoreConflictError,
  PhotoNotFoundError,
  type StoredPhoto,
} from '@frs/vision/store';
import type { EnrollerConfig } from './config.ts';
import { deletedMetrics, enrolledMetrics } from './metrics.ts';
import { parseRoute, type Route } from './routes.ts';

/** The face a photo is enrolled with: its embedding, where it was and a JPEG of the aligned face. */
export interface FaceToEnrol {
  vector: Float32Array;
  box: readonly [number, number, number, number];
  score: number;
  thumbnail: Uint8Array;
  /** Size, sharpness and pose of the face; a photo failing {@link ENROLMENT_QUALITY} is refused. */
  quality: FaceQuality;
}

/** Everything the enroller handler needs; `handler.ts` wires the real ones, tests inject their own. */
export interface EnrollerDeps {
  config: Pick<EnrollerConfig, 'maxBodyBytes' | 'maxPixels'>;
  logger: JsonLogger;
  decodeImage(bytes: Uint8Array, limits: { maxBytes: number; maxPixels: number }): Promise<RgbImage>;
  /** The largest face of the image, embedded; `undefined` when there is none. Models load once. */
  largestFace(image: RgbImage): Promise<FaceToEnrol | undefined>;
  /** Memoised: the store opens once per container. */
  store(): Promise<GalleryStore>;
  /** One EMF line per request: an enrolment and its time, a deletion, a rejection by code, a failure. */
  metrics: MetricsSink;
}

function photoOut(p: StoredPhoto): PersonPhoto {
  return {
    photo_id: p.photoId,
    box: [...p.box],
    score: p.score,
    enrolled_at: p.enrolledAt,
    ...(p.filename === undefined ? {} : { filename: p.filename }),
  };
}

async function enrol(deps: EnrollerDeps, event: FunctionUrlEvent, name: string): Promise<FunctionUrlResult> {
  const started = performance.now();
  const { maxBodyBytes, maxPixels } = deps.config;
  const body = readJsonBody(event, maxBodyBytes, EnrolRequest, '{"content", "filename"}');
  const bytes = decodeBase64Content(body.content);
  const image = await deps
    .decodeImage(bytes, { maxBytes: maxBodyBytes, maxPixels })
    .catch((error: unknown) => {
      throw toRequestError(error, bytes);
    });
  const face = await deps.largestFace(image);
  if (face === undefined) {
    throw new RequestRejectedError('no_face', 'no face was found in the photo; nothing was enrolled');
  }
  // A poor reference photo costs every later match of this person: better to ask for another one.
  const issues = checkQuality(face.quality, ENROLMENT_QUALITY);
  if (issues.length > 0) {
    throw new RequestRejectedError(
      'low_quality',
      `${describeQualityIssues(issues)}; nothing was enrolled, send a sharper, larger or more frontal photo`,
    );
  }
  const store = await deps.store();
  const photo = await store.addPhoto(name, {
    vector: face.vector,
    box: face.box,
    score: face.score,
    thumbnail: face.thumbnail,
    ...(body.filename === undefined ? {} : { filename: body.filename }),
  });
  deps.logger.info('photo enrolled', { name, photo_id: photo.photoId, score: photo.score });
  deps.metrics.emit(enrolledMetrics(performance.now() - started));
  const created: EnrolResponse = {
    name,
    photo_id: photo.photoId,
    face: { box: [...photo.box], score: Math.min(1, Math.max(0, photo.score)) },
  };
  return jsonResult(201, created);
}

async function serve(deps: EnrollerDeps, event: FunctionUrlEvent, route: Route): Promise<FunctionUrlResult> {
  switch (route.kind) {
    case 'add-photo':
      return enrol(deps, event, route.name);
    case 'list-people': {
      const people = await (await deps.store()).listPeople();
      const list: PeopleList = { people: people.map((p) => ({ name: p.name, photos: p.photos.length })) };
      return jsonResult(200, list);
    }
    case 'get-person': {
      const person = await (await deps.store()).getPerson(route.name);
      const detail: PersonDetail = { name: person.name, photos: person.photos.map(photoOut) };
      return jsonResult(200, detail);
    }
    case 'delete-person':
      await (await deps.store()).removePerson(route.name);
      deps.logger.info('person deleted', { name: route.name });
      deps.metrics.emit(deletedMetrics('person'));
      return { statusCode: 204, headers: {}, body: '' };
    case 'delete-photo':
      await (await deps.store()).removePhoto(route.name, route.photoId);
      deps.logger.info('photo deleted', { name: route.name, photo_id: route.photoId });
      deps.metrics.emit(deletedMetrics('photo'));
      return { statusCode: 204, headers: {}, body: '' };
    case 'get-thumbnail': {
      const jpeg = await (await deps.store()).thumbnail(route.name, route.photoId);
      return {
        statusCode: 200,
        // Biometric data: no shared caches.
        headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=60' },
        body: Buffer.from(jpeg).toString('base64'),
        isBase64Encoded: true,
      };
    }
  }
}

// Store answers that are the client's business, as the API's own error codes.
function clientError(error: unknown): RequestRejectedError | undefined {
  if (error instanceof RequestRejectedError) return error;
  if (error instanceof PersonNotFoundError || error instanceof PhotoNotFoundError) {
    return new RequestRejectedError('not_found', error.message, { cause: error });
  }
  if (error instanceof GalleryStoreConflictError) {
    return new RequestRejectedError('conflict', 'the gallery is busy with other changes; retry shortly', {
      cause: error,
    });
  }
  return undefined;
}

/**
 * The enroller Lambda: the managed gallery's JSON API behind a Function URL. Client mistakes get 4xx with
 * the detector's error body and change nothing; faults get a 500 without internals.
 *
 * @example
 * ```ts
 * export const handler = createHandler(realDeps);
 * // POST /people/Ada/photos {"content": "<base64 jpeg>"} -> 201 {"name":"Ada","photo_id":"…","face":{…}}
 * ```
 */
export function createHandler(
  deps: EnrollerDeps,
): (event: unknown, context?: unknown) => Promise<FunctionUrlResult> {
  return async (rawEvent, context) => {
    const logger = requestLogger(deps.logger, context);
    try {
      const event = FunctionUrlEvent.parse(rawEvent);
      const route = parseRoute(event.requestContext.http.method, event.rawPath);
      return await serve({ ...deps, logger }, event, route);
    } catch (error) {
      const rejected = clientError(error);
      if (rejected !== undefined) {
        logger.warn('request rejected', { code: rejected.code, reason: rejected.message });
        deps.metrics.emit(rejectedMetrics(rejected.code));
        return rejectionResult(rejected, undefined);
      }
      logger.error('request failed', { error });
      deps.metrics.emit(FAILED_METRICS);
      return jsonResult(500, {
        error: { code: 'internal_error', message: 'internal error; retry later' },
      });
    }
  };
}
