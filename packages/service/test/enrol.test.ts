import type { FaceChip } from '@frs/vision';
import { describe, expect, it } from 'vitest';
import { embedLargestFace } from '../src/enrol.ts';

function chip(side: number, score: number): FaceChip {
  const point = [side / 2, side / 2] as const;
  return {
    width: 1,
    height: 1,
    data: new Uint8Array(3),
    detection: { box: [0, 0, side, side], score, landmarks: [point, point, point, point, point] },
  };
}

// Each chip is embedded as [box side]: the vector says which face was chosen.
const embedder = {
  embed: async (chips: readonly { width: number }[]) =>
    chips.map((c) => ({ vector: Float32Array.of(c.width) })),
};

describe('Function: embedLargestFace()', () => {
  it('returns the largest face, not the most confident, with the number of faces', async () => {
    const small = chip(20, 0.99);
    const large = { ...chip(80, 0.9), width: 80 };
    const finder = { detectAndAlign: async () => [small, large] };
    const face = await embedLargestFace(finder, embedder, new Uint8Array());
    expect(face?.chip).toBe(large);
    expect(face?.faces).toBe(2);
    expect(Array.from(face?.vector ?? [])).toEqual([80]);
  });

  it('returns undefined when the photo has no face', async () => {
    const finder = { detectAndAlign: async () => [] };
    expect(await embedLargestFace(finder, embedder, new Uint8Array())).toBeUndefined();
  });
});
