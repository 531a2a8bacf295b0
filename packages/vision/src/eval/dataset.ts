import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** File extensions the evaluation treats as images. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.bmp',
  '.gif',
  '.tif',
  '.tiff',
]);

/** One identity folder: the person's name and their image paths in sorted order. */
export interface DatasetPerson {
  name: string;
  images: string[];
}

/** Raised when a dataset folder cannot be listed or holds no images. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

function isImage(file: string): boolean {
  const dot = file.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(file.slice(dot).toLowerCase());
}

// Code-unit order, the same as Python's sorted() on ASCII names, so the protocol picks the same enrolment photo.
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists `<dir>/<Person>/*` image files, people and paths in sorted order. Hidden entries are skipped.
 *
 * @throws {@link DatasetError} when the folder cannot be read or contains no images.
 * @example
 * ```ts
 * const people = await listDataset('../shared/faces/identities');
 * people[0]; // { name: 'Anthony_Hopkins', images: ['…/Anthony_Hopkins/01.jpg', …] }
 * ```
 */
export async function listDataset(dir: string): Promise<DatasetPerson[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new DatasetError(`cannot read dataset folder ${dir}`, { cause: error });
  }
  const people: DatasetPerson[] = [];
  for (const name of entries.filter((e) => !e.startsWith('.')).sort(byCodeUnit)) {
    // stat() follows symbolic links, so a folder of links into a photo library works like a copy.
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    const files = await readdir(join(dir, name));
    const images = files
      .filter((f) => !f.startsWith('.') && isImage(f))
      .sort(byCodeUnit)
      .map((f) => join(dir, name, f));
    if (images.length > 0) people.push({ name, images });
  }
  if (people.length === 0) throw new DatasetError(`no <Person>/<image> files under ${dir}`);
  return people;
}

/**
 * Lists the image files directly inside a folder (e.g. a folder of no-face images used as extra impostors).
 *
 * @example
 * ```ts
 * const negatives = await listImages('../shared/faces/other/no-face');
 * ```
 */
export async function listImages(dir: string): Promise<string[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    throw new DatasetError(`cannot read image folder ${dir}`, { cause: error });
  }
  return files
    .filter((f) => !f.startsWith('.') && isImage(f))
    .sort(byCodeUnit)
    .map((f) => join(dir, f));
}
