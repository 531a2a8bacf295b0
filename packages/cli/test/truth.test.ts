import { describe, expect, it } from 'vitest';
import { parseTruthCsv } from '../src/workload.ts';

describe('Function: parseTruthCsv()', () => {
  it('returns expected results keyed by image when the header is Image,Results', () => {
    const truth = parseTruthCsv('Image,Results\r\nadams/01.jpg,adams\nframe 2.png,unknown\n\n');
    expect([...truth]).toEqual([
      ['adams/01.jpg', 'adams'],
      ['frame 2.png', 'unknown'],
    ]);
  });

  it('throws a clear error when the header is missing', () => {
    expect(() => parseTruthCsv('a.jpg,adams\n')).toThrow(/Image,Results/);
  });
});
