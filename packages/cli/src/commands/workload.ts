import { readFile, writeFile } from 'node:fs/promises';
import { listImageTree } from '@frs/vision/eval';
import { positiveNumber } from '../args.ts';
import { functionUrlRegion } from '../camera.ts';
import { defineCommand, jsonOption, signOptions, UsageError } from '../command.ts';
import { shouldSign } from '../util/function-url.ts';
import { sqsClientFor } from '../util/sqs.ts';
import { parseTruthCsv, runWorkload, type WorkloadReport } from '../workload.ts';

const usage = `Usage: frs workload <image-dir> --url <function-url> --queue-url <response-queue-url> [options]

Behaves like a fleet of cameras: sends N frames at R per second, each from its own task that POSTs to the
Function URL and then polls the response queue for its own request_id.

Options:
  --url <url>            the detector's Function URL (required)
  --queue-url <url>      the response queue URL (required)
  --requests <n>         how many requests (default 100)
  --rate <r>             requests per second (default 1)
  --timeout <s>          seconds to wait for each result (default 60)
  --truth <file.csv>     expected results, CSV with header Image,Results keyed by path below
                         <image-dir> or by file name
  --release-others       hand other clients' messages back at once (visibility 0) instead of leaving them
                         hidden for the queue's visibility timeout, as the original clients did
  --sign                 sign requests with SigV4 (Function URL with AWS_IAM auth) for the region in the
                         URL's host (<id>.lambda-url.<region>.on.aws, else AWS_REGION); default for
                         non-loopback URLs
  --no-sign              never sign
  --json                 print the full JSON report instead of the table
  --out <file.json>      also write the full JSON report to a file
  -h, --help             this text`;

function render(report: WorkloadReport): string {
  const rows: [string, string | number][] = [
    ['requests sent', report.sent],
    ['HTTP 200', report.http200],
    ['results received', report.answered],
    ['failures', report.failures],
    ['correct', report.correct],
    ['wrong', report.wrong],
    ['not judged (no truth)', report.unjudged],
    ['total duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    [
      'latency p50 / p95 / p99',
      `${report.latencyMs.p50} / ${report.latencyMs.p95} / ${report.latencyMs.p99} ms`,
    ],
    ['HTTP p50 / p95 / p99', `${report.httpMs.p50} / ${report.httpMs.p95} / ${report.httpMs.p99} ms`],
  ];
  const errors = report.records.filter((r) => r.error !== null).slice(0, 10);
  const wrong = report.records.filter((r) => r.correct === false).slice(0, 10);
  return [
    ...rows.map(([k, v]) => `${k.padEnd(26)} ${v}`),
    ...errors.map((r) => `  failed ${r.image}: ${r.error}`),
    ...wrong.map((r) => `  wrong  ${r.image}: got ${r.result}, expected ${r.expected}`),
  ].join('\n');
}

export const workload = defineCommand({
  name: 'workload',
  summary: 'play a fleet of cameras against a Function URL and report latency and accuracy',
  usage,
  options: {
    url: { type: 'string' },
    'queue-url': { type: 'string' },
    requests: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '60' },
    truth: { type: 'string' },
    'release-others': { type: 'boolean', default: false },
    ...signOptions,
    ...jsonOption,
    out: { type: 'string' },
  },
  async run({ values, positionals }) {
    const dir = positionals[0];
    if (!dir) throw new UsageError('an image folder is required');
    if (!values.url || !values['queue-url']) throw new UsageError('--url and --queue-url are required');
    const requests = positiveNumber('--requests', values.requests, true);
    const rate = positiveNumber('--rate', values.rate);
    const timeout = positiveNumber('--timeout', values.timeout);

    const images = await listImageTree(dir);
    if (images.length === 0) throw new UsageError(`no .jpg, .png or .webp images below ${dir}`);
    const truth = values.truth ? parseTruthCsv(await readFile(values.truth, 'utf8')) : undefined;
    const sign = shouldSign(values.url, values);

    const report = await runWorkload({
      url: values.url,
      queueUrl: values['queue-url'],
      sqs: sqsClientFor(values['queue-url']),
      images,
      requests,
      rate,
      timeoutMs: timeout * 1000,
      truth,
      sign: sign ? { region: functionUrlRegion(values.url) } : undefined,
      releaseOthers: values['release-others'],
      onProgress: (done, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} answered or failed`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const text = `${JSON.stringify(report, null, 2)}\n`;
    if (values.out) await writeFile(values.out, text);
    if (values.json) process.stdout.write(text);
    else console.log(render(report));
    return report.failures === 0 ? 0 : 1;
  },
});
