import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../src/util/stats.ts';

describe('Function: percentile()', () => {
  it('returns the nearest-rank value when the sample is unsorted', () => {
    const sample = [50, 10, 40, 20, 30];
    expect(percentile(sample, 50)).toBe(30);
    expect(percentile(sample, 95)).toBe(50);
    expect(percentile(sample, 1)).toBe(10);
  });

  it('returns NaN when the sample is empty', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('Function: summarize()', () => {
  it('returns p50, p95 and p99 of 100 values when they are 1..100', () => {
    const sample = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(sample)).toEqual({ n: 100, p50: 50, p95: 95, p99: 99 });
  });
});
