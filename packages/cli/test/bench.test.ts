import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parseBenchOptions } from '../src/bench/options.ts';
import { BenchReport, type FunctionFigures, renderMarkdown } from '../src/bench/report.ts';

describe('Function: parseBenchOptions()', () => {
  it('returns the README defaults below the repository when given no flags', () => {
    expect(parseBenchOptions([], '/src/frs')).toEqual({
      images: '/src/shared/faces/identities',
      soakSeconds: 180,
      soakRate: 2,
      fpsFrames: 24,
      loadIterations: 40,
      skipStages: false,
      out: '/src/frs/.frs/bench.json',
    });
  });

  it('throws ZodError when a count is not a positive integer', () => {
    expect(() => parseBenchOptions(['--fps-frames', '2.5'], '/r')).toThrow(ZodError);
    expect(() => parseBenchOptions(['--soak-rate', '0'], '/r')).toThrow(ZodError);
  });
});

describe('Function: renderMarkdown()', () => {
  const fn = (coldStartMs: number): FunctionFigures => ({
    coldStartMs,
    processStartToFirstResultMs: coldStartMs - 50,
    importMs: 300,
    firstInvocationMs: 120,
    warmInvocationMs: { n: 40, p50: 80.5, p95: 90, p99: 95 },
    peakRssMiB: 410,
  });
  const written = {
    machine: { cpus: 2, memoryGiB: 8, node: 'v22.18.0' },
    date: '2026-12-02T20:00:00.000Z',
    functions: { detector: fn(900), recognizer: fn(700) },
    framesPerSecond: { c1: 3.5, c2: 5.25 },
    soak: {
      seconds: 4,
      rate: 2,
      requests: 8,
      answered: 7,
      lost: 1,
      failures: 1,
      latencyMs: { n: 7, p50: 200, p95: 250, p99: 260 },
      rssMiBFirstThirdMedian: Number.NaN,
      rssMiBLastThirdMedian: Number.NaN,
      rssMiBMax: Number.NEGATIVE_INFINITY,
      rssSamples: [],
    },
  };

  it('returns one row per figure of a report read back from its JSON file, even a soak too short to sample', () => {
    // JSON turns the NaN medians of an empty sample into null: the schema must take the file as written.
    const report = BenchReport.parse(JSON.parse(JSON.stringify(written)));
    expect(renderMarkdown(report, 40).split('\n')).toEqual([
      '| figure | value |',
      '|---|---|',
      '| detector cold start (spawn → first result) | 900 ms |',
      '| detector first invocation / warm p50 | 120 / 80.5 ms |',
      '| detector peak RSS after 40 invocations | 410 MiB |',
      '| recognizer cold start (spawn → first result) | 700 ms |',
      '| recognizer first invocation / warm p50 | 120 / 80.5 ms |',
      '| recognizer peak RSS after 40 invocations | 410 MiB |',
      '| frames/s through local stack, concurrency 1 | 3.5 |',
      '| frames/s through local stack, concurrency 2 | 5.25 |',
      '| soak 4 s at 2/s: answered / lost | 7 of 8 / 1 |',
      '| soak latency p50 / p95 / p99 | 200 / 250 / 260 ms |',
      '| soak stack RSS first third → last third (max) | null → null MiB (null) |',
    ]);
  });

  it('throws ZodError when the file lacks a function', () => {
    const { recognizer: _, ...functions } = written.functions;
    expect(() => BenchReport.parse({ ...written, functions })).toThrow(ZodError);
  });
});
