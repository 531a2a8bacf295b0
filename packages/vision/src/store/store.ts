import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { PersonNotFoundError } from '../gallery/errors.ts';
import { parseGallery, serializeGallery } from '../gallery/format.ts';
import {
  addEmbeddings,
  createGallery,
  type Gallery,
  type GalleryModel,
  type JsonValue,
  type Person,
} from '../gallery/gallery.ts';
import type { Box, Logger } from '../types.ts';
import { GalleryStoreConflictError, GalleryStoreError, PhotoNotFoundError } from './errors.ts';
import { parseS3Location } from './location.ts';

/** What the store keeps about one enrolled photo (the photo itself is never stored, only a face thumbnail). */
export interface StoredPhoto {
  photoId: string;
  box: Box;
  score: number;
  /** ISO-8601 time of enrolment. */
  enrolledAt: string;
  filename?: string;
}

/** A person as the store lists them. */
export interface StoredPerson {
  name: string;
  photos: StoredPhoto[];
}

/** A new photo to enrol: its embedding, the face it came from and a JPEG thumbnail of that face. */
export interface NewPhoto {
  vector: Float32Array;
  box: Box;
  score: number;
  thumbnail: Uint8Array;
  filename?: string;
}

/** Options of {@link createGalleryStore}. */
export interface GalleryStoreOptions {
  s3: S3Client;
  /** `s3://bucket/prefix/`; the snapshot is `<prefix>snapshot.json`, thumbnails `<prefix>thumbs/<id>.jpg`. */
  location: string;
  /** The embedder the gallery is for; a snapshot built for another model is refused. */
  model: GalleryModel;
  logger?: Logger;
  /** Conditional-write attempts before {@link GalleryStoreConflictError} (default 8). */
  maxAttempts?: number;
  /** Largest snapshot read, in bytes (default 256 MiB, ≈ 50,000 people × 5 photos at 192-d). */
  maxSnapshotBytes?: number;
  now?: () => Date;
}

/** The managed gallery: people, their photos and the snapshot the recognizer reads. */
export interface GalleryStore {
  readonly bucket: string;
  readonly snapshotKey: string;
  /** The current gallery and its ETag (`undefined` before the first enrolment). */
  read(): Promise<{ gallery: Gallery; etag: string | undefined }>;
  /** Everyone, sorted by name. */
  listPeople(): Promise<StoredPerson[]>;
  /** @throws {PersonNotFoundError} */
  getPerson(name: string): Promise<StoredPerson>;
  /** Adds a photo to a person, creating the person if needed; safe against concurrent writers. */
  addPhoto(name: string, photo: NewPhoto): Promise<StoredPhoto>;
  /** Removes a person, their vectors and thumbnails, and every older snapshot version that held them. */
  removePerson(name: string): Promise<void>;
  /** Removes one photo (the person too when it was their last). */
  removePhoto(name: string, photoId: string): Promise<void>;
  /** @throws {PersonNotFoundError | PhotoNotFoundError} */
  thumbnail(name: string, photoId: string): Promise<Uint8Array>;
}

const PhotoMeta = z.object({
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  score: z.number(),
  filename: z.string().optional(),
});
const PhotosMeta = z.record(z.string(), PhotoMeta);

function photoJson(m: { box: readonly number[]; score: number; filename?: string | undefined }): JsonValue {
  return { box: [...m.box], score: m.score, ...(m.filename === undefined ? {} : { filename: m.filename }) };
}

// The person's photo table as JSON, optionally with one photo dropped or added.
function photoTable(person: Person | undefined, keep: (id: string) => boolean): Record<string, JsonValue> {
  const table: Record<string, JsonValue> = {};
  const parsed = person === undefined ? {} : (PhotosMeta.safeParse(person.metadata.photos).data ?? {});
  for (const [id, m] of Object.entries(parsed)) if (keep(id)) table[id] = photoJson(m);
  return table;
}

function photosOf(person: Person): StoredPhoto[] {
  const meta = PhotosMeta.safeParse(person.metadata.photos).data ?? {};
  return person.embeddings.flatMap((e): StoredPhoto[] => {
    const id = e.source;
    const m = id === undefined ? undefined : meta[id];
    if (id === undefined || m === undefined) return [];
    return [
      {
        photoId: id,
        box: m.box,
        score: m.score,
        enrolledAt: e.addedAt ?? new Date(0).toISOString(),
        ...(m.filename === undefined ? {} : { filename: m.filename }),
      },
    ];
  });
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isMissing(error: unknown): boolean {
  return statusOf(error) === 404 || (error instanceof S3ServiceException && error.name === 'NoSuchKey');
}

// 412: another writer's snapshot landed first; 409: S3 saw two conditional writes to the key at once.
function isConflict(error: unknown): boolean {
  const status = statusOf(error);
  return status === 412 || status === 409;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens the managed gallery in S3. Every change is a read–modify–write of one snapshot object with a
 * conditional PUT (`If-Match` on the ETag read, `If-None-Match: *` for the first), retried with jittered
 * backoff, so two enrolments that race both land and neither overwrites the other.
 *
 * @example
 * ```ts
 * const store = createGalleryStore({ s3: new S3Client({}), location: 's3://frs-gallery/gallery/',
 *   model: { id: 'mobilefacenet-sirius-192d', dimension: 192 } });
 * const photo = await store.addPhoto('Ada', { vector, box, score, thumbnail });
 * await store.removePerson('Ada');
 * ```
 */
export function createGalleryStore(options: GalleryStoreOptions): GalleryStore {
  const { s3, model } = options;
  const { bucket, key: prefix } = parseS3Location(options.location);
  if (prefix !== '' && !prefix.endsWith('/')) {
    throw new GalleryStoreError(`gallery store location must end with '/': ${options.location}`);
  }
  const snapshotKey = `${prefix}snapshot.json`;
  const thumbKey = (photoId: string) => `${prefix}thumbs/${photoId}.jpg`;
  const maxAttempts = options.maxAttempts ?? 8;
  const maxSnapshotBytes = options.maxSnapshotBytes ?? 256 * 1024 * 1024;
  const now = options.now ?? (() => new Date());
  const where = (key: string) => `s3://${bucket}/${key}`;

  async function read(): Promise<{ gallery: Gallery; etag: string | undefined }> {
    let out: GetObjectCommandOutput;
    try {
      out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: snapshotKey }));
    } catch (error) {
      if (isMissing(error)) return { gallery: createGallery(model), etag: undefined };
      throw new GalleryStoreError(`could not read ${where(snapshotKey)}`, { cause: error });
    }
    if ((out.ContentLength ?? 0) > maxSnapshotBytes) {
      throw new GalleryStoreError(
        `${where(snapshotKey)} is ${out.ContentLength} bytes, above the ${maxSnapshotBytes}-byte limit`,
      );
    }
    const bytes = await out.Body?.transformToByteArray();
    if (bytes === undefined) throw new GalleryStoreError(`${where(snapshotKey)} has no body`);
    return { gallery: parseGallery(bytes, model), etag: out.ETag };
  }

  async function mutate<T>(change: (gallery: Gallery) => { gallery: Gallery; result: T }): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { gallery, etag } = await read();
      const next = change(gallery);
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: snapshotKey,
            Body: serializeGallery(next.gallery),
            ContentType: 'application/json',
            ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
          }),
        );
        return next.result;
      } catch (error) {
        if (!isConflict(error)) {
          throw new GalleryStoreError(`could not write ${where(snapshotKey)}`, { cause: error });
        }
        if (attempt >= maxAttempts) {
          throw new GalleryStoreConflictError(
            `${where(snapshotKey)} kept changing during ${maxAttempts} attempts; nothing was written`,
            { cause: error },
          );
        }
        options.logger?.debug('snapshot changed under us; retrying', { attempt });
        // Full jitter: writers that collided once should not collide again in lockstep.
        await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
      }
    }
  }

  // Deleting with a VersionId removes that version for good; a plain delete only adds a delete marker.
  async function purgeVersions(key: string, keepLatest: boolean): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      let page: ListObjectVersionsCommandOutput;
      try {
        page = await s3.send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            Prefix: key,
            ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
            ...(versionMarker === undefined ? {} : { VersionIdMarker: versionMarker }),
          }),
        );
      } catch (error) {
        throw new GalleryStoreError(`could not list the versions of ${where(key)}`, { cause: error });
      }
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (v.Key !== key || v.VersionId === undefined || v.VersionId === 'null') continue;
        if (keepLatest && v.IsLatest === true) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }));
        removed++;
      }
      keyMarker = page.IsTruncated === true ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated === true ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    return removed;
  }

  async function eraseThumbnails(photoIds: readonly string[]): Promise<void> {
    for (const id of photoIds) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: thumbKey(id) }));
      } catch (error) {
        throw new GalleryStoreError(`could not delete ${where(thumbKey(id))}`, { cause: error });
      }
      await purgeVersions(thumbKey(id), false);
    }
  }

  function findPerson(gallery: Gallery, name: string): Person {
    const person = gallery.people.find((p) => p.name === name);
    if (person === undefined) throw new PersonNotFoundError(`no person named '${name}'`);
    return person;
  }

  function withoutPhotos(gallery: Gallery, name: string, drop: (photoId: string) => boolean) {
    const person = findPerson(gallery, name);
    const dropped = photosOf(person)
      .map((p) => p.photoId)
      .filter(drop);
    const embeddings = person.embeddings.filter((e) => e.source === undefined || !drop(e.source));
    const kept = photoTable(person, (id) => !drop(id));
    const people =
      embeddings.length === 0
        ? gallery.people.filter((p) => p.name !== name)
        : gallery.people.map((p) =>
            p.name === name ? { ...p, embeddings, metadata: { ...p.metadata, photos: kept } } : p,
          );
    return { gallery: { model: gallery.model, people }, result: dropped };
  }

  return {
    bucket,
    snapshotKey,
    read,

    async listPeople() {
      const { gallery } = await read();
      return gallery.people
        .map((p) => ({ name: p.name, photos: photosOf(p) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async getPerson(name) {
      const { gallery } = await read();
      const person = findPerson(gallery, name);
      return { name: person.name, photos: photosOf(person) };
    },

    async addPhoto(name, photo) {
      const photoId = randomUUID();
      const enrolledAt = now().toISOString();
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: thumbKey(photoId),
            Body: photo.thumbnail,
            ContentType: 'image/jpeg',
            IfNoneMatch: '*',
          }),
        );
      } catch (error) {
        throw new GalleryStoreError(`could not write ${where(thumbKey(photoId))}`, { cause: error });
      }
      const meta = photoJson(photo);
      try {
        await mutate((gallery) => {
          const photos = photoTable(
            gallery.people.find((p) => p.name === name),
            () => true,
          );
          const next = addEmbeddings(
            gallery,
            name,
            [{ vector: photo.vector, source: photoId, addedAt: enrolledAt }],
            { metadata: { photos: { ...photos, [photoId]: meta } } },
          );
          return { gallery: next, result: undefined };
        });
      } catch (error) {
        // The snapshot never named this photo, so its thumbnail must not outlive the failure.
        await eraseThumbnails([photoId]).catch(() => undefined);
        throw error;
      }
      return {
        photoId,
        box: photo.box,
        score: photo.score,
        enrolledAt,
        ...(photo.filename === undefined ? {} : { filename: photo.filename }),
      };
    },

    async removePerson(name) {
      // Thumbnails go first: should anything fail later, a retry finds the person and deletes again,
      // whereas a snapshot written first would leave unreferenced face images that nothing ever removes.
      const before = photosOf(findPerson((await read()).gallery, name)).map((p) => p.photoId);
      await eraseThumbnails(before);
      const dropped = await mutate((gallery) => withoutPhotos(gallery, name, () => true));
      // Photos enrolled between the read and the write went with the person too.
      await eraseThumbnails(dropped.filter((id) => !before.includes(id)));
      await purgeVersions(snapshotKey, true);
    },

    async removePhoto(name, photoId) {
      const owns = (gallery: Gallery) => {
        if (!photosOf(findPerson(gallery, name)).some((p) => p.photoId === photoId)) {
          throw new PhotoNotFoundError(`person '${name}' has no photo ${photoId}`);
        }
      };
      // As for a person: the face image goes before the snapshot stops naming it.
      owns((await read()).gallery);
      await eraseThumbnails([photoId]);
      await mutate((gallery) => {
        owns(gallery);
        return withoutPhotos(gallery, name, (id) => id === photoId);
      });
      await purgeVersions(snapshotKey, true);
    },

    async thumbnail(name, photoId) {
      const person = findPerson((await read()).gallery, name);
      if (!photosOf(person).some((p) => p.photoId === photoId)) {
        throw new PhotoNotFoundError(`person '${name}' has no photo ${photoId}`);
      }
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: thumbKey(photoId) }));
        const bytes = await out.Body?.transformToByteArray();
        if (bytes === undefined) throw new GalleryStoreError(`${where(thumbKey(photoId))} has no body`);
        return bytes;
      } catch (error) {
        if (isMissing(error))
          throw new PhotoNotFoundError(`photo ${photoId} has no thumbnail`, { cause: error });
        throw new GalleryStoreError(`could not read ${where(thumbKey(photoId))}`, { cause: error });
      }
    },
  };
}
