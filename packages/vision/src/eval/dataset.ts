import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { VisionError } from '../errors.ts';

/**
 * File extensions listed as images: the formats the service decodes (JPEG, PNG, WebP; `decodeImage`
 * refuses anything else by its bytes, so listing other files would only report them unreadable).
 */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** One identity folder: the person's name and their image paths in sorted order. */
export interface DatasetPerson {
  name: string;
  images: string[];
}

/** An image file below a listed folder and its path relative to that folder, `/`-separated. */
export interface ImageFile {
  path: string;
  key: string;
}

/** Raised when a dataset folder cannot be listed or holds no images. */
export class DatasetError extends VisionError {
  override readonly code = 'DATASET';
}

function isImage(file: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(file).toLowerCase());
}

// Code-unit order, the same as Python's sorted() on ASCII names, so the protocol picks the same enrolment photo.
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Entry {
  path: string;
  kind: 'file' | 'dir' | 'other';
}

// The one folder read every listing here shares: hidden entries skipped, sorted, symbolic links followed so
// a folder of links into a photo library works like a copy.
async function entries(dir: string): Promise<Entry[]> {
  const found: Entry[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry;
    found.push({ path, kind: info?.isFile() ? 'file' : info?.isDirectory() ? 'dir' : 'other' });
  }
  return found.sort((a, b) => byCodeUnit(a.path, b.path));
}

async function topLevel(dir: string, what: string): Promise<Entry[]> {
  try {
    return await entries(dir);
  } catch (error) {
    throw new DatasetError(`cannot read ${what} folder ${dir}`, { cause: error });
  }
}

/**
 * Lists `<dir>/<Person>/*` image files, people and paths in sorted order; people without images are left
 * out, so the list may be empty. Hidden entries are skipped.
 *
 * @throws {@link DatasetError} when the folder cannot be read.
 * @example
 * ```ts
 * const people = await listPeople('photos'); // [] when no <Person>/ folder holds an image
 * ```
 */
export async function listPeople(dir: string): Promise<DatasetPerson[]> {
  const people: DatasetPerson[] = [];
  for (const folder of await topLevel(dir, 'dataset')) {
    if (folder.kind !== 'dir') continue;
    const images = (await entries(folder.path)).filter((e) => e.kind === 'file' && isImage(e.path));
    if (images.length > 0)
      people.push({ name: relative(dir, folder.path), images: images.map((e) => e.path) });
  }
  return people;
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
  const people = await listPeople(dir);
  if (people.length === 0) throw new DatasetError(`no <Person>/<image> files under ${dir}`);
  return people;
}

/**
 * Lists the image files directly inside a folder (e.g. a folder of no-face images used as extra impostors).
 *
 * @throws {@link DatasetError} when the folder cannot be read.
 * @example
 * ```ts
 * const negatives = await listImages('../shared/faces/other/no-face');
 * ```
 */
export async function listImages(dir: string): Promise<string[]> {
  const found = await topLevel(dir, 'image');
  return found.filter((e) => e.kind === 'file' && isImage(e.path)).map((e) => e.path);
}

/**
 * Every image below `dir` at any depth up to 8 folders, in sorted path order, each with its path relative
 * to `dir` (the key a truth file names it by). Hidden entries are skipped.
 *
 * @throws {@link DatasetError} when the folder cannot be read.
 * @example
 * ```ts
 * const images = await listImageTree('photos'); // [{ path: 'photos/adams/00.jpg', key: 'adams/00.jpg' }, …]
 * ```
 */
export async function listImageTree(dir: string): Promise<ImageFile[]> {
  const found: string[] = [];
  const walk = async (listed: Entry[], depth: number): Promise<void> => {
    for (const entry of listed) {
      if (entry.kind === 'dir' && depth < 8) await walk(await entries(entry.path), depth + 1);
      else if (entry.kind === 'file' && isImage(entry.path)) found.push(entry.path);
    }
  };
  await walk(await topLevel(dir, 'image'), 0);
  return found.sort(byCodeUnit).map((path) => ({ path, key: relative(dir, path).split('\\').join('/') }));
}
