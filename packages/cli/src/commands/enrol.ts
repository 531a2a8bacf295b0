import { access, readFile } from 'node:fs/promises';
import { createJsonLogger } from '@frs/runtime/logger';
import { embedLargestFace } from '@frs/service/enrol';
import { defaultGalleryModel, loadEmbedder, loadFaceFinder } from '@frs/service/models';
import { DEFAULT_MIN_FACE_SIZE } from '@frs/vision/detect';
import { listPeople as listDatasetPeople } from '@frs/vision/eval';
import {
  addEmbeddings,
  checkQuality,
  createGallery,
  describeQualityIssues,
  ENROLMENT_QUALITY,
  type Gallery,
  loadGallery,
  removePerson,
  saveGallery,
  vectorCount,
} from '@frs/vision/gallery';
import { decodeImage } from '@frs/vision/image';
import { defineCommand, jsonOption, signOptions, UsageError } from '../command.ts';
import { createEnrolClient, EnrolApiError, type EnrolClient } from '../enrol-client.ts';
import { createProgress } from '../progress.ts';
import { shouldSign } from '../util/function-url.ts';
import { percentile } from '../util/stats.ts';

const usage = `Usage: frs enrol <dir> --url <enrol URL> [options]
       frs enrol <dir> --gallery <file> [options]
       frs enrol --remove <Person> (--url <enrol URL> | --gallery <file>)

Enrols <dir>/<Person>/*.{jpg,jpeg,png,webp}, one embedding per photo: through the enroller's API into the
managed gallery (--url; what the running service recognises), or into a gallery file for offline use
(--gallery). A photo with no face is skipped and reported; with several faces the largest is used.
Enrolling a person who is already enrolled replaces their photos (use --append to add).

Options:
  --url <url>           the enroller's Function URL (local stack: http://127.0.0.1:8081/)
  --sign / --no-sign    SigV4 on --url calls (default: sign non-loopback URLs, as AWS_IAM needs)
  --gallery <file>      gallery JSON file, created when missing
  --remove <Person>     delete a person and all their vectors instead of enrolling
  --append              add to an existing person's vectors instead of replacing them
  --min-face-size <px>  smallest face the detector looks for (default ${DEFAULT_MIN_FACE_SIZE})
  --json                print a JSON report on stdout
  -h, --help            this text`;

/** What happened to one photo. */
interface PhotoReport {
  person: string;
  photo: string;
  outcome: 'enrolled' | 'no_face' | 'low_quality' | 'several_faces' | 'unreadable' | 'rejected';
  faces: number;
  detail?: string;
}

// The photo folders as this command reports them: a person and their photos.
async function listPeople(dir: string): Promise<{ person: string; photos: string[] }[]> {
  return (await listDatasetPeople(dir)).map((p) => ({ person: p.name, photos: p.images }));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

// Through the API: the service detects and embeds, so nothing but the photos leaves this machine.
async function enrolRemote(
  client: EnrolClient,
  options: { dir: string | undefined; remove: string | undefined; append: boolean; json: boolean },
): Promise<number> {
  if (options.remove !== undefined) {
    await client.removePerson(options.remove);
    console.log(options.json ? JSON.stringify({ removed: options.remove }) : `removed ${options.remove}`);
    return 0;
  }
  if (options.dir === undefined) throw new UsageError('a photo folder <dir>/<Person>/* is required');
  const people = await listPeople(options.dir);
  if (people.length === 0) throw new UsageError(`no <Person>/ folders with photos found in ${options.dir}`);
  const total = people.reduce((n, p) => n + p.photos.length, 0);
  const progress = createProgress('enrolling', total, process.stderr, true);
  const reports: PhotoReport[] = [];
  const latencies: number[] = [];
  for (const { person, photos } of people) {
    if (!options.append) {
      await client.removePerson(person).catch((error: unknown) => {
        if (!(error instanceof EnrolApiError && error.status === 404)) throw error;
      });
    }
    for (const photo of photos) {
      const started = performance.now();
      try {
        await client.addPhoto(person, await readFile(photo), photo.split('/').at(-1));
        latencies.push(performance.now() - started);
        reports.push({ person, photo, outcome: 'enrolled', faces: 1 });
      } catch (error) {
        if (!(error instanceof EnrolApiError) || error.status >= 500 || error.status === 403) throw error;
        const outcome = error.code === 'no_face' || error.code === 'low_quality' ? error.code : 'rejected';
        reports.push({ person, photo, outcome, faces: 0, detail: `${error.code}: ${error.message}` });
      }
      progress.tick(photo);
    }
  }
  progress.done();
  const enrolled = reports.filter((r) => r.outcome === 'enrolled').length;
  const summary = {
    photos: reports.length,
    enrolled,
    people: people.length,
    p50_ms: Math.round(percentile(latencies, 50)),
    p95_ms: Math.round(percentile(latencies, 95)),
  };
  if (options.json) {
    console.log(JSON.stringify({ summary, photos: reports }));
  } else {
    for (const r of reports) if (r.outcome !== 'enrolled') console.log(`skipped  ${r.photo}: ${r.detail}`);
    console.log(
      `enrolled ${enrolled}/${reports.length} photos of ${people.length} people (per photo: p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms)`,
    );
  }
  return 0;
}

export const enrol = defineCommand({
  name: 'enrol',
  // The American spelling, which the command had before, still works.
  aliases: ['enroll'],
  summary: 'build or update a gallery from <dir>/<Person>/* photos (or --remove a person)',
  usage,
  options: {
    gallery: { type: 'string' },
    url: { type: 'string' },
    ...signOptions,
    remove: { type: 'string' },
    append: { type: 'boolean', default: false },
    'min-face-size': { type: 'string', default: String(DEFAULT_MIN_FACE_SIZE) },
    ...jsonOption,
  },
  async run({ values, positionals }) {
    if (values.url !== undefined && values.gallery !== undefined) {
      throw new UsageError('give --url (the managed gallery) or --gallery (a file), not both');
    }
    if (values.url !== undefined) {
      return enrolRemote(createEnrolClient({ url: values.url, sign: shouldSign(values.url, values) }), {
        dir: positionals[0],
        remove: values.remove,
        append: values.append,
        json: values.json,
      });
    }
    if (!values.gallery) throw new UsageError('--url <enrol URL> or --gallery <file> is required');
    const galleryPath = values.gallery;
    const model = await defaultGalleryModel();
    const current: Gallery = (await exists(galleryPath))
      ? await loadGallery(galleryPath, { id: model.id })
      : createGallery(model);

    if (values.remove !== undefined) {
      const next = removePerson(current, values.remove);
      await saveGallery(galleryPath, next);
      const report = { removed: values.remove, people: next.people.length, vectors: vectorCount(next) };
      console.log(
        values.json ? JSON.stringify(report) : `removed ${values.remove}; ${report.people} people left`,
      );
      return 0;
    }
    const dir = positionals[0];
    if (dir === undefined) throw new UsageError('a photo folder <dir>/<Person>/* is required');
    const minFaceSize = Number(values['min-face-size']);
    if (!(minFaceSize > 0)) throw new UsageError('--min-face-size must be a positive number');

    const people = await listPeople(dir);
    if (people.length === 0) throw new UsageError(`no <Person>/ folders with photos found in ${dir}`);
    const log = createJsonLogger({
      service: 'frs-enrol',
      level: process.env.LOG_LEVEL ?? 'warn',
      write: (line) => process.stderr.write(`${line}\n`),
    });
    const modelsDir = process.env.FRS_MODELS_DIR;
    const [finder, embedder] = await Promise.all([
      loadFaceFinder({ modelsDir, minFaceSize, logger: log }),
      loadEmbedder({ modelsDir, logger: log }),
    ]);
    const total = people.reduce((n, p) => n + p.photos.length, 0);
    const progress = createProgress('enrolling', total, process.stderr, true);
    const reports: PhotoReport[] = [];
    let gallery = current;
    for (const { person, photos } of people) {
      const vectors: { vector: Float32Array; source: string }[] = [];
      for (const photo of photos) {
        try {
          const image = await decodeImage(await readFile(photo));
          const face = await embedLargestFace(finder, embedder, image);
          // The enroller's rule, so a local gallery holds the same photos a managed one would.
          const issues = face === undefined ? [] : checkQuality(face.quality, ENROLMENT_QUALITY);
          if (face === undefined) {
            reports.push({ person, photo, outcome: 'no_face', faces: 0 });
          } else if (issues.length > 0) {
            const detail = describeQualityIssues(issues);
            reports.push({ person, photo, outcome: 'low_quality', faces: face.faces, detail });
          } else {
            vectors.push({ vector: face.vector, source: photo });
            reports.push({
              person,
              photo,
              outcome: face.faces > 1 ? 'several_faces' : 'enrolled',
              faces: face.faces,
            });
          }
        } catch (error) {
          const detail = error instanceof Error ? error.message : String(error);
          reports.push({ person, photo, outcome: 'unreadable', faces: 0, detail });
        }
        progress.tick(photo);
      }
      if (vectors.length === 0) continue;
      if (!values.append && gallery.people.some((p) => p.name === person))
        gallery = removePerson(gallery, person);
      gallery = addEmbeddings(gallery, person, vectors, { modelId: embedder.modelId });
    }
    progress.done();
    await saveGallery(galleryPath, gallery);

    const count = (outcome: PhotoReport['outcome']) => reports.filter((r) => r.outcome === outcome).length;
    const summary = {
      gallery: galleryPath,
      model: gallery.model,
      people: gallery.people.length,
      vectors: vectorCount(gallery),
      photos: reports.length,
      enrolled: count('enrolled') + count('several_faces'),
      several_faces: count('several_faces'),
      no_face: count('no_face'),
      low_quality: count('low_quality'),
      unreadable: count('unreadable'),
    };
    if (values.json) {
      console.log(JSON.stringify({ summary, photos: reports }));
    } else {
      for (const r of reports) {
        if (r.outcome === 'no_face') console.log(`skipped  ${r.photo}: no face found`);
        if (r.outcome === 'low_quality') console.log(`skipped  ${r.photo}: ${r.detail}`);
        if (r.outcome === 'several_faces')
          console.log(`warning  ${r.photo}: ${r.faces} faces, used the largest`);
        if (r.outcome === 'unreadable') console.log(`skipped  ${r.photo}: ${r.detail}`);
      }
      console.log(
        `enrolled ${summary.enrolled}/${summary.photos} photos; gallery ${galleryPath} has ${summary.people} people, ${summary.vectors} vectors (${gallery.model.id})`,
      );
    }
    return 0;
  },
});
