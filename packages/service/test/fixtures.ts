import { randomBytes } from 'node:crypto';

/** Incompressible chip pixels: the worst case for the job size budget. */
export function noiseChip(width = 112, height = 112): { width: number; height: number; data: Uint8Array } {
  return { width, height, data: new Uint8Array(randomBytes(width * height * 3)) };
}

export { recordingLogger as makeLogger } from '@frs/runtime/logger';
