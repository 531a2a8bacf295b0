import { readFile } from 'node:fs/promises';
import { CameraId } from '@frs/contracts/request';
import { positiveNumber } from '../args.ts';
import { Camera, functionUrlRegion } from '../camera.ts';
import { defineCommand, jsonOption, signOptions, UsageError } from '../command.ts';
import { createProgress } from '../progress.ts';
import { shouldSign } from '../util/function-url.ts';
import { sqsClientFor } from '../util/sqs.ts';
import { summarize } from '../util/stats.ts';

const usage = `Usage: frs send <image…> [--url <function-url>] [--queue-url <response-queue-url>] [options]

Acts like a camera: POSTs each image to the detector's Function URL, then polls the response queue for
its own request_id (one message at a time; it deletes only its own and leaves other clients' messages).
Images are sent one after another; with several frames it ends with the latency median and p95.
The response queue is shared: with --camera-id the requests carry camera_id, other cameras' results are
skipped by their camera_id message attribute without being read, and --queue-url may be this camera's
own queue (a deployment with per-camera queues sends its results there).

Options:
  --url <url>          Function URL (default http://127.0.0.1:8080/, the local stack)
  --queue-url <url>    response queue URL (default http://127.0.0.1:9324/000000000000/frs-resp-queue),
                       or this camera's own queue, e.g. …/frs-camera-<id> in the local stack
  --camera-id <id>     camera_id of the requests: 1-64 characters of A-Z a-z 0-9 _ -
  --repeat <n>         send the list n times (default 1), e.g. to measure latency
  --timeout <s>        seconds to wait for each result (default 30)
  --release-others     hand other clients' messages back at once instead of leaving them hidden
  --sign               sign requests with SigV4 (Function URL with AWS_IAM auth) for the region in the
                       URL's host (<id>.lambda-url.<region>.on.aws, else AWS_REGION), with the default
                       AWS credential chain; default for non-loopback URLs
  --no-sign            never sign
  --json               one JSON object per frame on stdout, then a summary object
  -h, --help           this text`;

/** One frame's outcome. */
interface Sent {
  file: string;
  request_id: string;
  status: number;
  latency_ms: number;
  message: unknown;
  /** With --camera-id: other cameras' results left on the queue unread. */
  skipped_by_attribute?: number;
  error?: string;
}

export const send = defineCommand({
  name: 'send',
  summary: 'send images to a Function URL like a camera and print each result from the response queue',
  usage,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080/' },
    'queue-url': { type: 'string', default: 'http://127.0.0.1:9324/000000000000/frs-resp-queue' },
    'camera-id': { type: 'string' },
    repeat: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '30' },
    'release-others': { type: 'boolean', default: false },
    ...signOptions,
    ...jsonOption,
  },
  async run({ values, positionals }) {
    if (positionals.length === 0) throw new UsageError('at least one image is required');
    const repeat = positiveNumber('--repeat', values.repeat, true);
    const timeoutMs = positiveNumber('--timeout', values.timeout) * 1000;
    const sign = shouldSign(values.url, values);
    const cameraId = values['camera-id'] === undefined ? undefined : CameraId.safeParse(values['camera-id']);
    if (cameraId?.success === false) {
      throw new UsageError(`--camera-id ${cameraId.error.issues[0]?.message ?? 'is invalid'}`);
    }
    const camera = new Camera({
      url: values.url,
      queueUrl: values['queue-url'],
      sqs: sqsClientFor(values['queue-url']),
      sign: sign ? { region: functionUrlRegion(values.url) } : undefined,
      timeoutMs,
      releaseOthers: values['release-others'],
      cameraId: cameraId?.data,
    });
    const files = Array.from({ length: repeat }, () => positionals).flat();
    const images = new Map<string, Uint8Array>();
    for (const file of positionals) images.set(file, await readFile(file));
    const progress = createProgress('sending', files.length, process.stderr, files.length > 1);
    const outcomes: Sent[] = [];
    for (const file of files) {
      const started = performance.now();
      const posted = await camera.post(images.get(file) ?? new Uint8Array(), file);
      let outcome: Sent;
      if (posted.status !== 200) {
        outcome = {
          file,
          request_id: posted.requestId,
          status: posted.status,
          latency_ms: posted.ms,
          message: safeJson(posted.body),
          error: `HTTP ${posted.status}`,
        };
      } else {
        try {
          const result = await camera.awaitResult(posted.requestId, started);
          outcome = {
            file,
            request_id: posted.requestId,
            status: 200,
            latency_ms: result.ms,
            message: result.message,
            ...(cameraId === undefined ? {} : { skipped_by_attribute: result.skippedByAttribute }),
          };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          outcome = {
            file,
            request_id: posted.requestId,
            status: 200,
            latency_ms: 0,
            message: null,
            error: reason,
          };
        }
      }
      outcomes.push(outcome);
      if (values.json) console.log(JSON.stringify(outcome));
      else if (outcome.error === undefined) {
        console.log(`${file}  ${Math.round(outcome.latency_ms)} ms  ${JSON.stringify(outcome.message)}`);
      } else console.log(`${file}  FAILED ${outcome.error}  ${JSON.stringify(outcome.message)}`);
      progress.tick(file);
    }
    progress.done();
    const ok = outcomes.filter((o) => o.error === undefined);
    const latency = summarize(ok.map((o) => o.latency_ms));
    const summary = { frames: outcomes.length, answered: ok.length, latency_ms: latency };
    if (values.json) console.log(JSON.stringify({ summary }));
    else if (outcomes.length > 1) {
      console.log(
        `${ok.length}/${outcomes.length} answered; end-to-end latency median ${latency.p50} ms, p95 ${latency.p95} ms`,
      );
    }
    return ok.length === outcomes.length ? 0 : 1;
  },
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
