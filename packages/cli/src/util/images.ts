import { readdir } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';

/** Extensions the service accepts (JPEG, PNG, WebP). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Every image below `dir`, in sorted path order, with its path relative to `dir`. */
export async function listImages(dir: string): Promise<{ path: string; key: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((path) => ({ path, key: relative(dir, path).split('\\').join('/') }));
}
