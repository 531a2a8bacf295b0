import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GalleryIoError } from './errors.ts';
import type { ExpectedModel } from './format.ts';
import { parseGallery, serializeGallery } from './format.ts';
import type { Gallery } from './gallery.ts';

/**
 * Writes a gallery atomically: a temporary file in the same directory, then a rename, so readers see the old
 * or the new gallery and never half of one.
 *
 * @example
 * ```ts
 * await saveGallery('gallery.json', addEmbeddings(gallery, 'Ada', [{ vector }]));
 * ```
 */
export async function saveGallery(path: string, gallery: Gallery): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, serializeGallery(gallery), { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new GalleryIoError(`could not save gallery to ${path}`, { cause: error });
  }
}

/**
 * Reads and validates a gallery file.
 *
 * @throws {@link GalleryIoError} when the file cannot be read; see {@link parseGallery} for format errors.
 * @example
 * ```ts
 * const gallery = await loadGallery('gallery.json', { id: 'mobilefacenet-sirius-192d' });
 * ```
 */
export async function loadGallery(path: string, expected: ExpectedModel = {}): Promise<Gallery> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new GalleryIoError(`could not read gallery ${path}`, { cause: error });
  }
  return parseGallery(bytes, expected);
}
