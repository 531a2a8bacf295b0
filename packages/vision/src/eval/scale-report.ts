import type { ImpostorModel } from '../match/thresholds.ts';
import { galleryFalseAcceptRate, thresholdForFalseAcceptRate } from '../match/thresholds.ts';
import type { ScalePoint, ScaleRun, SurvivalPoint } from './scale.ts';
import { empiricalThreshold, fitImpostorTail, impostorSurvival, scalePoint } from './scale.ts';

/**
 * An impostor model measured from scale trials: the empirical per-person survival at every threshold with at
 * least `minCount` pairs, and a tail slope fitted to the measured points at or below `tailFrom` rate.
 *
 * @example
 * ```ts
 * const model = impostorModelFromSurvival(impostorSurvival(run.trials), 'lfw-dev, 5 repeats');
 * thresholdForFalseAcceptRate(model, 10_000, 0.01);
 * ```
 */
export function impostorModelFromSurvival(
  survival: readonly SurvivalPoint[],
  evidence: string,
  options: { minCount?: number; tailFrom?: number; targetFar?: number } = {},
): ImpostorModel {
  const minCount = options.minCount ?? 10;
  const measured = survival.filter((p) => p.count >= minCount && p.rate > 0);
  const tail = fitImpostorTail(measured, { maxRate: options.tailFrom ?? 1e-3, minCount });
  const last = measured[measured.length - 1];
  // The largest gallery whose target-FAR threshold still lies on measured points: p(last) ≈ target / N.
  const measuredUpTo =
    last === undefined ? 0 : Math.floor(-Math.log(1 - (options.targetFar ?? 0.01)) / last.rate);
  return {
    points: measured.map((p) => [p.threshold, p.rate] as const),
    tailSlope: Math.min(tail.slope, -1),
    measuredUpTo,
    evidence,
  };
}

/** One gallery size of a {@link ScaleReport}. */
export interface ScaleRow {
  size: number;
  /** At the fixed base threshold (the shipped threshold before gallery-size dependence). */
  fixed: ScalePoint;
  /** At the rule's threshold for this size. */
  rule: ScalePoint;
  /** The lowest threshold that kept the strangers named at or below the target FAR on this data. */
  empiricalThreshold: number | undefined;
  /** The same threshold read off this run's impostor model (NaN without a model). */
  modelThreshold: number;
  /** Modelled FAR at the base and at the rule's threshold (compare with the measured ones). */
  modelFarFixed: number;
  modelFarRule: number;
}

/** A model-only row for gallery sizes beyond the data. */
export interface ScaleExtrapolation {
  size: number;
  /** Threshold for the target FAR under this run's model. */
  threshold: number;
  ruleThreshold: number;
  modelFarFixed: number;
  modelFarRule: number;
  /** True when the threshold lies beyond the measured impostor scores (the fitted tail decides it). */
  extrapolated: boolean;
}

/** Everything `frs eval --gallery-size` reports. */
export interface ScaleReport {
  modelId: string;
  settings: string;
  eligible: number;
  alwaysStrangers: number;
  /** Gallery-only people available beyond `eligible` ({@link ScaleRun.fillers}). */
  fillers: number;
  /** What the enrolment quality rule did (all zero without one): see {@link ScaleRun}. */
  enrolment: ScaleRun['enrolment'] & { qualityIneligible: number };
  options: ScaleRun['options'];
  targetFar: number;
  baseThreshold: number;
  margin: number;
  ruleName: string;
  rows: ScaleRow[];
  extrapolation: ScaleExtrapolation[];
  /** The rule's threshold and modelled FAR at log-spaced sizes from 10 to 10,000 people (the plot's curve). */
  ruleCurve: { size: number; threshold: number; modelFar: number }[];
  /** Undefined when the run has too few stranger scores in the tail to fit one (then no model numbers). */
  model: ImpostorModel | undefined;
  survival: SurvivalPoint[];
}

/**
 * Summarises a scale run: per gallery size, the rates at the fixed base threshold and at the rule's threshold,
 * the empirical and modelled thresholds for the target FAR, and model-only rows for larger galleries.
 *
 * @example
 * ```ts
 * const report = summariseScale(run, { modelId, settings, baseThreshold: 0.52, targetFar: 0.01,
 *   ruleName: 'shipped', thresholdFor: (n) => galleryThreshold(modelId, n) });
 * ```
 */
export function summariseScale(
  run: ScaleRun,
  options: {
    modelId: string;
    settings: string;
    baseThreshold: number;
    targetFar: number;
    ruleName: string;
    thresholdFor: (gallerySize: number) => number;
    margin?: number;
    extrapolateTo?: readonly number[];
  },
): ScaleReport {
  const margin = options.margin ?? 0;
  const survival = impostorSurvival(
    run.trials,
    Array.from({ length: 141 }, (_, i) => Math.round((0.2 + i * 0.005) * 1000) / 1000),
  );
  let model: ImpostorModel | undefined;
  try {
    model = impostorModelFromSurvival(survival, `${options.modelId}: ${run.trials.length} random galleries`, {
      targetFar: options.targetFar,
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    model = undefined;
  }
  const far = (t: number, n: number) =>
    model === undefined ? Number.NaN : galleryFalseAcceptRate(model, t, n);
  const tFor = (n: number) =>
    model === undefined ? Number.NaN : thresholdForFalseAcceptRate(model, n, options.targetFar);
  const sizes = [...new Set(run.trials.map((t) => t.size))].sort((a, b) => a - b);
  const rows = sizes.map((size): ScaleRow => {
    const trials = run.trials.filter((t) => t.size === size);
    const ruleThreshold = options.thresholdFor(size);
    return {
      size,
      fixed: scalePoint(trials, { threshold: options.baseThreshold, margin }),
      rule: scalePoint(trials, { threshold: ruleThreshold, margin }),
      empiricalThreshold: empiricalThreshold(trials, options.targetFar, margin),
      modelThreshold: tFor(size),
      modelFarFixed: far(options.baseThreshold, size),
      modelFarRule: far(ruleThreshold, size),
    };
  });
  const lastMeasured = model?.points[model.points.length - 1]?.[0] ?? 1;
  const extrapolation = (model === undefined ? [] : (options.extrapolateTo ?? [10, 100, 1000, 10_000])).map(
    (size): ScaleExtrapolation => {
      const threshold = tFor(size);
      const ruleThreshold = options.thresholdFor(size);
      return {
        size,
        threshold,
        ruleThreshold,
        modelFarFixed: far(options.baseThreshold, size),
        modelFarRule: far(ruleThreshold, size),
        extrapolated: threshold > lastMeasured,
      };
    },
  );
  const ruleCurve = Array.from({ length: 61 }, (_, i) => {
    const size = Math.round(10 ** (1 + (i * 3) / 60));
    const threshold = options.thresholdFor(size);
    return { size, threshold, modelFar: far(threshold, size) };
  });
  return {
    modelId: options.modelId,
    settings: options.settings,
    eligible: run.eligible,
    alwaysStrangers: run.alwaysStrangers,
    fillers: run.fillers,
    enrolment: { ...run.enrolment, qualityIneligible: run.qualityIneligible },
    options: run.options,
    targetFar: options.targetFar,
    baseThreshold: options.baseThreshold,
    margin,
    ruleName: options.ruleName,
    rows,
    extrapolation,
    ruleCurve,
    model,
    survival,
  };
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '0');

/**
 * A self-contained SVG of FAR vs gallery size (log-log): measured FAR (points, with the spread over repeats)
 * at the fixed base threshold and at the rule's threshold, the impostor model's curves over 10 to 10,000
 * people, and the target FAR. Plain SVG only, so sharp/librsvg can rasterise it.
 *
 * @example
 * ```ts
 * await sharp(Buffer.from(renderScaleSvg(report))).png().toFile('far-vs-gallery-size.png');
 * ```
 */
export function renderScaleSvg(report: ScaleReport): string {
  const width = 830;
  const height = 460;
  const pad = { left: 70, right: 240, top: 44, bottom: 52 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const minN = 1;
  const maxN = 4;
  const minF = -4;
  const maxF = 0;
  const fx = (n: number) => pad.left + ((Math.log10(Math.max(n, 10)) - minN) / (maxN - minN)) * plotW;
  const fy = (far: number) =>
    pad.top + (1 - (Math.log10(Math.max(far, 10 ** minF)) - minF) / (maxF - minF)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad.left + plotW / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">Strangers named vs gallery size: ${report.modelId}</text>`,
    `<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
  ];
  for (let e = minN; e <= maxN; e++) {
    const x = fx(10 ** e);
    out.push(`<line x1="${f(x)}" y1="${pad.top}" x2="${f(x)}" y2="${pad.top + plotH}" stroke="#ddd"/>`);
    out.push(
      `<text x="${f(x)}" y="${pad.top + plotH + 16}" text-anchor="middle">${(10 ** e).toLocaleString('en')}</text>`,
    );
  }
  for (let e = minF; e <= maxF; e++) {
    const y = fy(10 ** e);
    out.push(`<line x1="${pad.left}" y1="${f(y)}" x2="${pad.left + plotW}" y2="${f(y)}" stroke="#ddd"/>`);
    out.push(
      `<text x="${pad.left - 6}" y="${f(y + 4)}" text-anchor="end">${['0.01', '0.1', '1', '10', '100'][e - minF] ?? ''} %</text>`,
    );
  }
  out.push(
    `<text x="${pad.left + plotW / 2}" y="${height - 14}" text-anchor="middle">people enrolled (2 photos each, log)</text>`,
    `<text x="18" y="${pad.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${pad.top + plotH / 2})">strangers given a name (FAR, log)</text>`,
  );
  const target = fy(report.targetFar);
  out.push(
    `<line x1="${pad.left}" y1="${f(target)}" x2="${pad.left + plotW}" y2="${f(target)}" stroke="#2ca02c" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  const sizes = Array.from({ length: 61 }, (_, i) => 10 ** (1 + (i * 3) / 60));
  const measuredUpTo = Math.max(...report.rows.map((r) => r.size), 10);
  const curve = (far: (n: number) => number, color: string) => {
    const solid = sizes.filter((n) => n <= measuredUpTo * 1.0001);
    const joint = solid[solid.length - 1] ?? 10;
    const dashed = sizes.filter((n) => n >= joint - 1e-9);
    const path = (ns: number[]) =>
      ns.map((n, i) => `${i === 0 ? 'M' : 'L'}${f(fx(n))},${f(fy(far(n)))}`).join(' ');
    out.push(`<path d="${path(solid)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    out.push(
      `<path d="${path(dashed)}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="5 4"/>`,
    );
  };
  const { model } = report;
  if (model !== undefined) {
    curve((n) => galleryFalseAcceptRate(model, report.baseThreshold, n), '#d62728');
    const ruleFar = new Map(report.ruleCurve.map((p) => [p.size, p.modelFar]));
    curve((n) => ruleFar.get(Math.round(n)) ?? Number.NaN, '#1f77b4');
  }
  const dot = (size: number, point: ScalePoint, color: string) => {
    const x = fx(size);
    const [lo, hi] = point.farRange;
    out.push(
      `<line x1="${f(x)}" y1="${f(fy(hi))}" x2="${f(x)}" y2="${f(fy(lo))}" stroke="${color}" stroke-width="1.5"/>`,
      `<circle cx="${f(x)}" cy="${f(fy(point.far))}" r="4.5" fill="${color}"/>`,
    );
  };
  for (const row of report.rows) {
    dot(row.size, row.fixed, '#d62728');
    dot(row.size, row.rule, '#1f77b4');
  }
  const lx = pad.left + plotW + 14;
  const legend: [string, string, string][] = [
    ['#d62728', `fixed ${report.baseThreshold}`, 'dots measured, line model'],
    ['#1f77b4', report.ruleName, 'dots measured, line model'],
    ['#2ca02c', `target ${100 * report.targetFar} %`, ''],
  ];
  legend.forEach(([color, label, note], i) => {
    const y = pad.top + 12 + i * 44;
    out.push(
      `<line x1="${lx}" y1="${y}" x2="${lx + 24}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${lx + 30}" y="${y + 4}">${label}</text>`,
    );
    if (note) out.push(`<text x="${lx + 30}" y="${y + 20}" fill="#666">${note}</text>`);
  });
  out.push(
    `<text x="${lx}" y="${pad.top + 160}" fill="#666">dashed: beyond the</text>`,
    `<text x="${lx}" y="${pad.top + 176}" fill="#666">largest measured gallery</text>`,
    `<text x="${lx}" y="${pad.top + 192}" fill="#666">(model extrapolation)</text>`,
    `<text x="${lx}" y="${pad.top + 216}" fill="#666">bars: min-max over</text>`,
    `<text x="${lx}" y="${pad.top + 232}" fill="#666">${report.options.repeats} random galleries</text>`,
    '</svg>',
  );
  return out.join('\n');
}
