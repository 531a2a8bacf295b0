import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { loadManifest, modelsDir } from '@frs/models/manifest';
import { createJsonLogger, type JsonLogger } from '@frs/runtime/logger';
import { decodeChipPng, encodeChipPng } from '@frs/service/chip';
import { defaultGalleryModel, loadEmbedder, loadFaceFinder } from '@frs/service/models';
import { DEFAULT_MIN_FACE_SIZE } from '@frs/vision/detect';
import {
  type AnalyzedImage,
  evaluateRecognition,
  type FaceAnalyzer,
  pipelineSettings,
  type RecognitionReport,
  renderReportHtml,
  renderReportSvg,
  thresholdForFar,
} from '@frs/vision/eval';
import { describeQualityIssues, ENROLMENT_QUALITY, type GalleryModel } from '@frs/vision/gallery';
import { decodeImage } from '@frs/vision/image';
import { CALIBRATED_THRESHOLDS } from '@frs/vision/match';
import { createFacePipeline } from '@frs/vision/pipeline';
import sharp from 'sharp';
import { positiveNumber } from '../args.ts';
import { defineCommand, UsageError } from '../command.ts';
import { createProgress } from '../progress.ts';
import { nonNegative, runScale, sizeList } from './eval-scale.ts';

const usage = `Usage: frs eval <dir> [options]

Evaluates recognition on <dir>/<Person>/* photos with the FRS protocol: every person with more than K photos
enrols the first K (sorted path order) and queries the rest; people with K or fewer photos (plus a random
--strangers fraction of the others) are strangers, never enrolled, and must come back unknown. An image's
answer is the enrolled person best matching any face in it. Uses the service's detector and embedder.

Options:
  --k <n>                photos enrolled per person (default 1)
  --strangers <f>        fraction of eligible people additionally held out as strangers (default 0)
  --seed <n>             seed for choosing held-out strangers (default 1)
  --model <id>           embedder id from the model manifest (default: the manifest's default embedder)
  --threshold <cos>      operating threshold (default: the embedder's calibrated default)
  --target-far <f>       report the threshold reaching this identification FAR (default 0.01)
  --negatives <dir>      images that must get no name, e.g. photos without faces (queried too)
  --aggregation <a>      centroid (default, as the service: similarity to the mean vector), max or mean over a
                         person's vectors
  --min-face-size <px>   smallest face the detector looks for (default ${DEFAULT_MIN_FACE_SIZE})
  --flip                 average each face's embedding with its mirror image's (not what the service does)
  --border <mode>        zero (default, as the service) or replicate: what the alignment warp samples
                         outside the image
  --enrolment-quality <on|off>
                         on (default, as the enroller): an enrolment photo whose face is too small, blurred,
                         turned or tilted is refused (ENROLMENT_QUALITY) and counted; off enrols any face
  --json <file>          write the full report (sweep, per-query results, per-person errors) as JSON;
                         \`--json -\` prints it on stdout instead of the readable summary
  --report <file>        write a picture: .html (self-contained page, inline SVG) or .png; repeatable
  -h, --help             this text

Gallery scale (open-set accuracy as the gallery grows):
  --gallery-size <n,...> instead of the protocol above: for each N, --repeats seeded random galleries of N
                         people with >= 3 photos, 2 random photos each enrolled, up to 10 other photos each
                         queried; everybody else (single-photo people, people not drawn) is a stranger that
                         must come back unknown. Per N: strangers named (FAR), known people named correctly,
                         at the shipped rule and at the fixed calibrated threshold, and the threshold for
                         --target-far, measured and from the fitted per-person impostor model (also printed
                         for 1,000 and 10,000 people: an extrapolation beyond the data when so marked)
  --repeats <n>          random galleries per size (default 5)
  --margin <m>           also require best - second-best person >= m (default 0)
  --cache-dir <dir>      embedding cache (default FRS_EVAL_CACHE or <tmp>/frs-eval-cache): every photo is
                         embedded once per model, settings and photo set; reruns only match
  --report <file>.png    with --gallery-size: FAR vs gallery size plot`;

function fraction(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0 || n >= 1) {
    throw new UsageError(`${flag} must be a number in [0, 1), got '${value}'`);
  }
  return n;
}

/** The service's path: detector Lambda's finder, PNG chips as on the queue, recognizer Lambda's embedder. */
async function serviceAnalyzer(minFaceSize: number, logger: JsonLogger): Promise<FaceAnalyzer> {
  const dir = process.env.FRS_MODELS_DIR;
  const [finder, embedder] = await Promise.all([
    loadFaceFinder({ modelsDir: dir, minFaceSize, logger }),
    loadEmbedder({ modelsDir: dir, logger }),
  ]);
  return {
    async analyze(bytes) {
      const image = await decodeImage(bytes);
      const chips = await finder.detectAndAlign(image);
      const decoded = await Promise.all(chips.map(async (chip) => decodeChipPng(await encodeChipPng(chip))));
      const vectors = decoded.length > 0 ? await embedder.embed(decoded) : [];
      return {
        width: image.width,
        height: image.height,
        faces: chips.map((chip, i) => ({
          detection: chip.detection,
          chip,
          embedding: { modelId: embedder.modelId, vector: vectors[i]?.vector ?? new Float32Array() },
        })),
      };
    },
  };
}

function printSummary(report: RecognitionReport): void {
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  const c = report.counts;
  const op = report.operating;
  console.log(
    `${report.modelId}, K=${report.k}: ${c.enrolledPeople} people enrolled, ${c.strangers} strangers; ` +
      `${c.genuineQueries} genuine, ${c.strangerQueries} stranger, ${c.negativeQueries} negative queries`,
  );
  const noFace = report.enrolmentFailures.filter((f) => f.reason === 'no_face');
  const refused = report.enrolmentFailures.filter((f) => f.reason === 'low_quality');
  if (noFace.length > 0) console.log(`enrolment photos without a face: ${noFace.length}`);
  if (refused.length > 0) {
    console.log(`enrolment photos refused by the quality rule: ${refused.length}`);
    for (const f of refused) console.log(`  ${f.path}: ${describeQualityIssues(f.issues ?? [])}`);
  }
  for (const e of report.imageErrors) console.log(`unreadable: ${e.path}: ${e.error}`);
  console.log(`rank-1 (threshold-free): ${pct(report.rank1)}`);
  console.log(
    `at threshold ${op.threshold}: top-1 ${pct(op.top1)}, FAR ${pct(op.far)}, FRR ${pct(op.frr)}, ` +
      `strangers unknown ${pct(op.strangerUnknownRate)}, negatives without name ${pct(op.negativeNoNameRate)}`,
  );
  const t = report.targetFar;
  if (t.threshold !== undefined && t.point) {
    console.log(
      `threshold for FAR <= ${t.target}: ${t.threshold} (top-1 ${pct(t.point.top1)}, FAR ${pct(t.point.far)})`,
    );
  }
  console.log('\nthreshold  top-1   FAR     FRR     strangers-unknown  pair-FAR');
  for (const p of report.sweep.filter((_, i) => i % 5 === 0 || report.sweep[i]?.threshold === op.threshold)) {
    console.log(
      `${p.threshold.toFixed(2).padStart(9)}  ${pct(p.top1).padStart(6)}  ${pct(p.far).padStart(6)}  ${pct(p.frr).padStart(6)}  ${pct(p.strangerUnknownRate).padStart(17)}  ${(100 * p.verificationFar).toFixed(2)}%`,
    );
  }
  const wrong = report.perPerson.filter((p) => p.errorsAtThreshold > 0);
  if (wrong.length > 0) {
    console.log(`\nerrors at ${op.threshold}:`);
    for (const p of wrong) {
      for (const w of p.wrong) {
        console.log(`  ${p.person}: ${w.path} -> ${w.answer} (${w.similarity?.toFixed(3) ?? 'no face'})`);
      }
    }
  }
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary:
    'measure recognition (rank-1, top-1, FAR/FRR sweep, threshold for a target FAR) on labelled photos',
  usage,
  options: {
    k: { type: 'string', default: '1' },
    strangers: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    model: { type: 'string' },
    threshold: { type: 'string' },
    'target-far': { type: 'string', default: '0.01' },
    negatives: { type: 'string' },
    aggregation: { type: 'string', default: 'centroid' },
    'min-face-size': { type: 'string', default: String(DEFAULT_MIN_FACE_SIZE) },
    flip: { type: 'boolean', default: false },
    border: { type: 'string', default: 'zero' },
    json: { type: 'string' },
    report: { type: 'string', multiple: true },
    'gallery-size': { type: 'string' },
    repeats: { type: 'string', default: '5' },
    margin: { type: 'string', default: '0' },
    'cache-dir': { type: 'string' },
    'enrolment-quality': { type: 'string', default: 'on' },
  },
  async run({ values, positionals }) {
    const dir = positionals[0];
    if (dir === undefined) throw new UsageError('a photo folder <dir>/<Person>/* is required');
    const k = positiveNumber('--k', values.k, true);
    const strangerFraction = fraction('--strangers', values.strangers);
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
    const targetFar = fraction('--target-far', values['target-far']);
    const minFaceSize = positiveNumber('--min-face-size', values['min-face-size']);
    const aggregation = values.aggregation;
    const scale = values['gallery-size'] !== undefined;
    const border = values.border;
    if (border !== 'zero' && border !== 'replicate') throw new UsageError('--border is zero or replicate');
    const quality = values['enrolment-quality'];
    if (quality !== 'on' && quality !== 'off') throw new UsageError('--enrolment-quality is on or off');
    const enrolmentQuality = quality === 'on' ? ENROLMENT_QUALITY : null;
    const reports = values.report ?? [];
    for (const r of reports) {
      if (!(scale ? ['.png', '.svg'] : ['.html', '.png']).includes(extname(r).toLowerCase())) {
        throw new UsageError(`--report ${r}: use a ${scale ? '.png or .svg' : '.html or .png'} file name`);
      }
    }

    const logger = createJsonLogger({
      service: 'frs-eval',
      level: process.env.LOG_LEVEL ?? 'warn',
      write: (line) => process.stderr.write(`${line}\n`),
    });
    const makeAnalyzer = async (): Promise<{ model: GalleryModel; analyzer: FaceAnalyzer }> => {
      const fallback = await defaultGalleryModel();
      const serviceSettings = !values.flip && border === 'zero';
      if (serviceSettings && (values.model === undefined || values.model === fallback.id)) {
        return { model: fallback, analyzer: await serviceAnalyzer(minFaceSize, logger) };
      }
      // Another embedder or non-service settings: the same pipeline factory, configured accordingly.
      const pipeline = await createFacePipeline({
        manifest: await loadManifest(),
        modelsDir: modelsDir(),
        logger,
        ...(values.model === undefined ? {} : { embedderId: values.model }),
        detect: { minFaceSize },
        align: { border },
        embed: { flip: values.flip },
      });
      return {
        model: { id: pipeline.models.embedder, dimension: pipeline.embedder.dimension },
        analyzer: pipeline,
      };
    };
    const explicitThreshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (explicitThreshold !== undefined && !(explicitThreshold >= -1 && explicitThreshold <= 1)) {
      throw new UsageError(`--threshold must be a cosine in [-1, 1], got '${values.threshold}'`);
    }
    if (aggregation !== 'max' && aggregation !== 'mean' && aggregation !== 'centroid') {
      throw new UsageError('--aggregation is max, mean or centroid');
    }
    if (scale) {
      return runScale({
        dir,
        gallerySizes: sizeList(values['gallery-size']),
        repeats: positiveNumber('--repeats', values.repeats, true),
        seed,
        aggregation,
        margin: nonNegative('--margin', values.margin),
        targetFar,
        ...(explicitThreshold === undefined ? {} : { threshold: explicitThreshold }),
        ...(values.model === undefined ? {} : { modelId: values.model }),
        settings: pipelineSettings({ border, flip: values.flip, minFaceSize }),
        enrolmentQuality,
        ...(values['cache-dir'] === undefined ? {} : { cacheDir: values['cache-dir'] }),
        ...(values.json === undefined ? {} : { json: values.json }),
        reports,
        makeAnalyzer,
      });
    }
    const { model, analyzer } = await makeAnalyzer();
    const calibrated = CALIBRATED_THRESHOLDS[model.id]?.threshold;
    const explicit = explicitThreshold;

    let bar: ReturnType<typeof createProgress> | undefined;
    const cache = new Map<string, AnalyzedImage>();
    // A second run (uncalibrated embedder) reuses the first one's analyses through the cache.
    const evaluate = (threshold: number) =>
      evaluateRecognition({
        analyzer,
        model,
        dir,
        ...(values.negatives === undefined ? {} : { negativesDir: values.negatives }),
        k,
        strangerFraction,
        seed,
        aggregation,
        enrolmentQuality,
        threshold,
        targetFar,
        cache,
        // Progress is drawn by the first run only: the second one reads the cache.
        ...(bar === undefined
          ? {
              onProgress: ({ done, total, path }: { done: number; total: number; path: string }) => {
                bar ??= createProgress('analysing', total);
                bar.tick(path);
                if (done === total) bar.done();
              },
            }
          : {}),
      });
    let report = await evaluate(explicit ?? calibrated ?? 0);
    if (explicit === undefined && calibrated === undefined) {
      // No calibration for this embedder yet: operate at the data's own target-FAR threshold and say so.
      const threshold = thresholdForFar(report.queries, targetFar) ?? 0;
      console.error(`no calibrated threshold for ${model.id}; using the threshold for FAR <= ${targetFar}`);
      report = await evaluate(threshold);
    }

    const toStdout = values.json === '-';
    if (toStdout) console.log(JSON.stringify(report));
    else printSummary(report);
    if (values.json !== undefined && !toStdout) {
      await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nwrote ${values.json}`);
    }
    for (const file of reports) {
      if (extname(file).toLowerCase() === '.html') {
        await writeFile(file, renderReportHtml(report));
      } else {
        await sharp(Buffer.from(renderReportSvg(report)))
          .png()
          .toFile(file);
      }
      (toStdout ? console.error : console.log)(`wrote ${file}`);
    }
    return 0;
  },
});
