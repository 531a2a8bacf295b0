import { CameraId } from '@frs/contracts/request';
import { createJsonLogger } from '@frs/runtime/logger';
import { z } from 'zod';
import { startLocalStack } from './stack.ts';

const Env = z.object({
  FRS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  FRS_SQS_PORT: z.coerce.number().int().min(0).max(65535).default(9324),
  FRS_CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  FRS_ENROL_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  FRS_DATA_DIR: z.string().min(1).default('.frs/data'),
  FRS_GALLERY_REFRESH_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  FRS_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, - and _ only')
    .default('frs'),
  FRS_GALLERY: z.string().min(1).optional(),
  // Comma-separated; each camera gets its own response queue.
  FRS_CAMERA_IDS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    )
    .pipe(z.array(CameraId)),
  FRS_MATCH_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  FRS_MODELS_DIR: z.string().min(1).optional(),
  FRS_REQUEST_VISIBILITY_SECONDS: z.coerce.number().int().min(0).max(43200).default(10),
  FRS_RESPONSE_VISIBILITY_SECONDS: z.coerce.number().int().min(0).max(43200).default(2),
  FRS_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(3),
  LOG_LEVEL: z.string().optional(),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(`frs local stack: invalid environment\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const env = parsed.data;
const logger = createJsonLogger({ service: 'frs-local', level: env.LOG_LEVEL ?? 'warn' });

console.error('frs: starting the local stack (loading models)…');
const stack = await startLocalStack({
  logger,
  port: env.FRS_PORT,
  sqsPort: env.FRS_SQS_PORT,
  consolePort: env.FRS_CONSOLE_PORT,
  enrolPort: env.FRS_ENROL_PORT,
  dataDir: env.FRS_DATA_DIR,
  galleryRefreshSeconds: env.FRS_GALLERY_REFRESH_SECONDS,
  prefix: env.FRS_QUEUE_PREFIX,
  gallery: env.FRS_GALLERY,
  matchThreshold: env.FRS_MATCH_THRESHOLD,
  modelsDir: env.FRS_MODELS_DIR,
  detectorEnv: process.env,
  requestVisibilitySeconds: env.FRS_REQUEST_VISIBILITY_SECONDS,
  responseVisibilitySeconds: env.FRS_RESPONSE_VISIBILITY_SECONDS,
  maxReceiveCount: env.FRS_MAX_RECEIVE_COUNT,
  cameraIds: env.FRS_CAMERA_IDS,
}).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`frs: the local stack could not start: ${message}`);
  if (message.startsWith('FRS_GALLERY')) {
    console.error(
      'frs: build a gallery with `pnpm frs enrol <dir with one folder per person> --gallery gallery.json`, or unset FRS_GALLERY to use the managed gallery (enrol over the API)',
    );
  }
  process.exit(1);
});

console.log(
  `frs ready: function URL ${stack.functionUrl} | request queue ${stack.requestQueueUrl} | response queue ${stack.responseQueueUrl}${cameraQueuesNote(stack.cameraQueueUrls)} | dynamodb ${stack.dynamodbEndpoint} | ${stack.galleryNote}${stack.enrolUrl === undefined ? '' : ` | enrol URL ${stack.enrolUrl}`}${stack.consoleUrl === undefined ? '' : ` | console ${stack.consoleUrl}`}`,
);

function cameraQueuesNote(urls: Record<string, string>): string {
  const entries = Object.entries(urls);
  if (entries.length === 0) return '';
  return ` | camera queues ${entries.map(([id, url]) => `${id}=${url}`).join(' ')}`;
}

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.error(`frs: ${signal}, stopping…`);
  stack.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('frs: error while stopping', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
