import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, parse } from 'node:path';
import { type RecognitionResult, UNKNOWN } from '@frs/contracts/result';
import { createJsonLogger } from '@frs/runtime/logger';
import { memoise } from '@frs/runtime/memo';
import { decodeChipPng, encodeChipPng } from '@frs/service/chip';
import { galleryMatcher, loadGalleryFrom } from '@frs/service/gallery';
import { decodeFrame } from '@frs/service/image';
import { buildJob, DEFAULT_MAX_FACES } from '@frs/service/job';
import { defaultGalleryModel, loadEmbedder, loadFaceFinder } from '@frs/service/models';
import { recognizeJob } from '@frs/service/recognize';
import { DEFAULT_MIN_FACE_SIZE } from '@frs/vision/detect';
import { DEFAULT_MAX_PIXELS } from '@frs/vision/image';
import { defaultThreshold } from '@frs/vision/match';
import { positiveNumber } from '../args.ts';
import { defineCommand, jsonOption, UsageError } from '../command.ts';
import { drawFaces } from '../draw.ts';
import { createProgress } from '../progress.ts';

const usage = `Usage: frs recognize <image…> --gallery <file> [options]

Runs the detector and recognizer in this process (no queues) and prints, for each image, the message the
service would put on the response queue: {request_id, result, faces, timing}.

Options:
  --gallery <file>      gallery built with \`frs enrol\` (required; a path, file:// or https:// URL)
  --threshold <cos>     match threshold (default: the embedder's calibrated default)
  --min-face-size <px>  smallest face the detector looks for (default ${DEFAULT_MIN_FACE_SIZE})
  --json                one JSON result per line (default: a readable line per image)
  --draw <dir>          also write <dir>/<image>.png with a labelled box per face (green: known person,
                        orange: unknown)
  -h, --help            this text`;

export const recognize = defineCommand({
  name: 'recognize',
  summary: 'recognize faces in images in-process against a gallery and print the result messages',
  usage,
  options: {
    gallery: { type: 'string' },
    threshold: { type: 'string' },
    'min-face-size': { type: 'string', default: String(DEFAULT_MIN_FACE_SIZE) },
    ...jsonOption,
    draw: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length === 0) throw new UsageError('at least one image is required');
    if (!values.gallery) throw new UsageError('--gallery is required (build one with `frs enrol`)');
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= -1 && threshold <= 1)) {
      throw new UsageError('--threshold must be a cosine similarity between -1 and 1');
    }
    const minFaceSize = positiveNumber('--min-face-size', values['min-face-size']);
    // Logs go to stderr so stdout carries only results.
    const log = createJsonLogger({
      service: 'frs-recognize',
      level: process.env.LOG_LEVEL ?? 'warn',
      write: (line) => process.stderr.write(`${line}\n`),
    });
    const model = await defaultGalleryModel();
    const gallery = await loadGalleryFrom(values.gallery, { id: model.id });
    const matcher = galleryMatcher(gallery, threshold ?? defaultThreshold(model.id));
    const faceFinder = memoise(() =>
      loadFaceFinder({ modelsDir: process.env.FRS_MODELS_DIR, minFaceSize, logger: log }),
    );
    const embedder = memoise(() => loadEmbedder({ modelsDir: process.env.FRS_MODELS_DIR, logger: log }));
    const detectorDeps = {
      config: {
        maxBodyBytes: Number.POSITIVE_INFINITY,
        maxPixels: DEFAULT_MAX_PIXELS,
        maxFaces: DEFAULT_MAX_FACES,
      },
      logger: log,
      decodeFrame,
      faceFinder,
      encodeChip: encodeChipPng,
    };
    const recognizerDeps = { embedder, matcher: async () => matcher, decodeChip: decodeChipPng };
    const progress = createProgress(
      'recognizing',
      positionals.length,
      process.stderr,
      positionals.length > 1,
    );
    let failures = 0;
    for (const file of positionals) {
      try {
        const bytes = await readFile(file);
        const job = await buildJob(detectorDeps, { request_id: basename(file), filename: file }, bytes);
        const result = await recognizeJob(recognizerDeps, job);
        console.log(values.json ? JSON.stringify(result) : describe(file, result));
        if (values.draw !== undefined) {
          const faces = result.faces.map((f) => ({
            box: f.box,
            label: `${f.name} ${f.similarity.toFixed(2)}`,
            known: f.name !== UNKNOWN,
          }));
          await mkdir(values.draw, { recursive: true });
          await writeFile(join(values.draw, `${parse(file).name}.png`), await drawFaces(bytes, faces));
        }
      } catch (error) {
        failures++;
        const reason = error instanceof Error ? error.message : String(error);
        if (values.json) console.log(JSON.stringify({ request_id: basename(file), error: reason }));
        else console.log(`${file}: ERROR ${reason}`);
      }
      progress.tick(file);
    }
    progress.done();
    return failures === 0 ? 0 : 1;
  },
});

function describe(file: string, result: RecognitionResult): string {
  const faces = result.faces
    .map((f) => `${f.name} (${f.similarity.toFixed(3)}) at [${f.box.map((v) => Math.round(v)).join(',')}]`)
    .join('; ');
  return `${file}: ${result.result}${faces ? `  — ${faces}` : ''}`;
}
