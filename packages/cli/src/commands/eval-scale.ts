import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { defaultModel, loadManifest } from '@frs/models/manifest';
import {
  type AnalyzedImage,
  analyzeImages,
  datasetHash,
  embeddingCachePath,
  type FaceAnalyzer,
  listDataset,
  loadEmbeddingCache,
  renderScaleSvg,
  runScaleProtocol,
  type ScaleAggregation,
  type ScaleReport,
  saveEmbeddingCache,
  scalePhotos,
  summariseScale,
} from '@frs/vision/eval';
import type { GalleryModel, QualityLimits } from '@frs/vision/gallery';
import { CALIBRATED_THRESHOLDS, galleryThreshold } from '@frs/vision/match';
import sharp from 'sharp';
import { UsageError } from '../command.ts';
import { createProgress } from '../progress.ts';

/**
 * Parses `10,100,1000` into gallery sizes.
 *
 * @example
 * ```ts
 * sizeList('10,100'); // [10, 100]
 * ```
 */
export function sizeList(value: string | undefined): number[] {
  const sizes = (value ?? '').split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`--gallery-size takes positive integers separated by commas, got '${value}'`);
  }
  return sizes;
}

/**
 * Parses a number ≥ 0, with a usage error naming the flag.
 *
 * @example
 * ```ts
 * nonNegative('--margin', '0.03'); // 0.03
 * ```
 */
export function nonNegative(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag} must be a number >= 0, got '${value}'`);
  }
  return n;
}

/** What `frs eval --gallery-size` needs from the command line. */
export interface ScaleCommandOptions {
  dir: string;
  gallerySizes: number[];
  repeats: number;
  seed: number;
  aggregation: ScaleAggregation;
  margin: number;
  targetFar: number;
  /** A fixed threshold instead of the shipped rule. */
  threshold?: number;
  modelId?: string;
  settings: string;
  /** The enroller's quality rule, applied to the drawn enrolment photos; `null` enrols any face. */
  enrolmentQuality: QualityLimits | null;
  cacheDir?: string;
  json?: string;
  reports: string[];
  /** Loads the models; only called when some photo is not in the cache yet. */
  makeAnalyzer: () => Promise<{ model: GalleryModel; analyzer: FaceAnalyzer }>;
}

async function embedderOf(modelId: string | undefined): Promise<GalleryModel> {
  const entry = await loadManifest()
    .then((manifest) => defaultModel(manifest, 'embedder', modelId))
    .catch(() => undefined);
  const dimension = entry?.embedding?.dimension;
  if (entry === undefined || dimension === undefined) {
    throw new UsageError(
      `--model ${modelId ?? '(default)'}: no such embedder with a dimension in the manifest`,
    );
  }
  return { id: entry.id, dimension };
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`);

function printScale(report: ScaleReport): void {
  const o = report.options;
  console.log(
    `${report.modelId} (${report.settings}), aggregation ${o.aggregation}${report.margin > 0 ? `, margin ${report.margin}` : ''}: ` +
      `${report.eligible} people can be enrolled and queried, ${report.fillers} more only enrolled (to fill galleries above ${report.eligible}), ${report.alwaysStrangers} are always strangers; ` +
      `${o.enrolPerPerson} photos enrolled, <= ${o.maxQueriesPerPerson} queried per person, ${o.repeats} random galleries per size (seed ${o.seed})`,
  );
  const e = report.enrolment;
  console.log(
    o.enrolmentQuality === null
      ? 'enrolment quality rule: off (any photo with a face is enrolled)'
      : `enrolment quality rule (as the enroller): ${e.rejected} of ${e.tried} enrolment photos drawn were refused (${pct(e.tried === 0 ? Number.NaN : e.rejected / e.tried)}) and replaced by the person's next photo; ${e.qualityIneligible} people lack 2 photos that pass and stay strangers`,
  );
  console.log(
    `\n${'people'.padStart(7)}  ${'queries (known/strangers)'.padEnd(25)}  rank-1   | fixed ${report.baseThreshold}: FAR    known-correct | ${report.ruleName}: threshold FAR    known-correct misnamed | t@FAR<=${report.targetFar}: measured model`,
  );
  for (const r of report.rows) {
    console.log(
      `${String(r.size).padStart(7)}  ${`${r.rule.genuineQueries}/${r.rule.strangerQueries}`.padEnd(25)}  ${pct(r.rule.rank1).padStart(7)}  | ${pct(r.fixed.far).padStart(17)} ${pct(r.fixed.knownCorrect).padStart(13)} | ${r.rule.threshold.toFixed(3).padStart(19)} ${pct(r.rule.far).padStart(6)} ${pct(r.rule.knownCorrect).padStart(13)} ${pct(r.rule.misnamed).padStart(8)} | ${String(r.empiricalThreshold ?? 'n/a').padStart(22)} ${Number.isNaN(r.modelThreshold) ? 'n/a' : r.modelThreshold.toFixed(3)}`,
    );
  }
  const { model } = report;
  if (model === undefined) {
    console.log(
      '\ntoo few stranger scores in the tail for an impostor model: add strangers, sizes or repeats',
    );
    return;
  }
  console.log(
    `\nper-person impostor model (1 - (1 - p(t))^N; measured down to p = ${model.points[model.points.length - 1]?.[1].toExponential(1)}, tail ${model.tailSlope.toFixed(1)} decades per unit beyond):`,
  );
  console.log(
    `${'people'.padStart(7)}  recommended threshold for FAR <= ${report.targetFar}  model FAR at fixed ${report.baseThreshold}  at ${report.ruleName}`,
  );
  for (const e of report.extrapolation) {
    console.log(
      `${String(e.size).padStart(7)}  ${e.threshold.toFixed(3).padStart(12)}${e.extrapolated ? ' (extrapolated beyond the data)' : ''.padEnd(31)}  ${pct(e.modelFarFixed).padStart(12)}  ${pct(e.modelFarRule).padStart(8)} (threshold ${e.ruleThreshold.toFixed(3)})`,
    );
  }
}

/**
 * `frs eval --gallery-size`: embeds every photo once (cached on disk per model, settings and photo set), runs
 * the scale protocol for every gallery size and prints, writes and plots the result.
 *
 * @example
 * ```ts
 * await runScale({ dir: '../shared/faces/lfw-dev', gallerySizes: [10, 100, 459], repeats: 5, seed: 1,
 *   aggregation: 'max', margin: 0, targetFar: 0.01, settings, reports: [], makeAnalyzer });
 * ```
 */
export async function runScale(options: ScaleCommandOptions): Promise<number> {
  const root = resolve(options.dir);
  const people = await listDataset(root);
  const paths = people.flatMap((p) => p.images);
  const model = await embedderOf(options.modelId);
  const key = {
    modelId: model.id,
    dimension: model.dimension,
    settings: options.settings,
    datasetHash: await datasetHash(root, paths),
  };
  const file = embeddingCachePath(key, options.cacheDir);
  const images: Map<string, AnalyzedImage> = await loadEmbeddingCache(file, key, root);
  // Caches written before faces carried their quality are re-analysed once when the quality rule needs it.
  const needsQuality = options.enrolmentQuality !== null;
  const missing = paths.filter((p) => {
    const image = images.get(p);
    return image === undefined || (needsQuality && image.faces.some((f) => f.quality === undefined));
  });
  if (missing.length > 0) {
    console.error(`embedding ${missing.length} of ${paths.length} photos once (cache: ${file})`);
    const { analyzer } = await options.makeAnalyzer();
    const bar = createProgress('embedding', missing.length);
    // Save every few hundred photos: an interrupted run resumes where it stopped.
    const chunk = 250;
    for (let start = 0; start < missing.length; start += chunk) {
      const fresh = await analyzeImages(analyzer, missing.slice(start, start + chunk), {
        onProgress: ({ path }) => bar.tick(path),
      });
      for (const [path, image] of fresh) images.set(path, image);
      await saveEmbeddingCache(file, key, root, images);
    }
    bar.done();
  } else {
    console.error(`all ${paths.length} photos embedded already (cache: ${file})`);
  }
  const photos = scalePhotos(people, images, 'central');
  const run = runScaleProtocol(photos, {
    gallerySizes: options.gallerySizes,
    repeats: options.repeats,
    seed: options.seed,
    aggregation: options.aggregation,
    enrolmentQuality: options.enrolmentQuality,
  });
  if (run.trials.length === 0) {
    throw new UsageError(
      `every --gallery-size exceeds the ${run.eligible + run.fillers} people who can be enrolled`,
    );
  }
  const skipped = options.gallerySizes.filter((n) => n > run.eligible + run.fillers);
  if (skipped.length > 0)
    console.error(
      `skipped sizes above the ${run.eligible + run.fillers} people who can be enrolled: ${skipped.join(', ')}`,
    );
  const calibrated = CALIBRATED_THRESHOLDS[model.id];
  const fixed = options.threshold;
  const report = summariseScale(run, {
    modelId: model.id,
    settings: options.settings,
    baseThreshold: fixed ?? calibrated?.threshold ?? 0,
    targetFar: options.targetFar,
    margin: options.margin,
    ruleName:
      fixed !== undefined
        ? `fixed ${fixed}`
        : calibrated?.impostors
          ? 'shipped (by gallery size)'
          : 'shipped',
    // The shipped rule at its own target; --target-far only moves the recommended-threshold columns.
    thresholdFor: (n) => fixed ?? (calibrated ? galleryThreshold(model.id, n) : 0),
    extrapolateTo: [...new Set([10, 100, 1000, 10_000, ...run.trials.map((t) => t.size)])].sort(
      (a, b) => a - b,
    ),
  });
  const toStdout = options.json === '-';
  if (toStdout) console.log(JSON.stringify(report));
  else printScale(report);
  if (options.json !== undefined && !toStdout) {
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${options.json}`);
  }
  for (const out of options.reports) {
    const svg = renderScaleSvg(report);
    if (extname(out).toLowerCase() === '.svg') await writeFile(out, svg);
    else await sharp(Buffer.from(svg)).png().toFile(out);
    (toStdout ? console.error : console.log)(`wrote ${out}`);
  }
  return 0;
}
