import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';

/** Extensions the service accepts (JPEG, PNG, WebP). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** An image file and its path relative to the listed folder ('/'-separated): the key of a truth file. */
export interface ImageFile {
  path: string;
  key: string;
}

/**
 * Every image below `dir` (symlinks followed), in sorted path order, with its path relative to `dir`.
 *
 * @example
 * ```ts
 * const images = await listImages('photos'); // [{ path: 'photos/adams/00.jpg', key: 'adams/00.jpg' }, …]
 * ```
 */
export async function listImages(dir: string): Promise<ImageFile[]> {
  const found: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry;
      if (info?.isDirectory() && depth < 8) await walk(path, depth + 1);
      else if (info?.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(path);
    }
  };
  await walk(dir, 0);
  return found.sort().map((path) => ({ path, key: relative(dir, path).split('\\').join('/') }));
}
