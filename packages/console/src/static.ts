import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One static asset, loaded once at start. */
export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The committed browser assets, next to `src/` and `dist/` alike. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * Loads every file of the (flat) public folder into memory, keyed by its URL path. Serving only from this
 * map means no request path ever reaches the file system, so there is no traversal to get wrong.
 *
 * @example
 * ```ts
 * const assets = await loadAssets();
 * assets.get('/app.js')?.type; // 'text/javascript; charset=utf-8'
 * ```
 */
export async function loadAssets(dir: string = PUBLIC_DIR): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const type = TYPES[extname(entry.name)];
    if (!entry.isFile() || type === undefined) continue;
    assets.set(`/${entry.name}`, { type, body: await readFile(join(dir, entry.name)) });
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);
  return assets;
}
