import { startConsole } from '@frs/console/server';
import type { Signer } from '@frs/console/upstream';
import { createJsonLogger } from '@frs/runtime/logger';
import { functionUrlRegion, signedInit } from '../camera.ts';
import { defineCommand, signOptions, UsageError } from '../command.ts';
import { shouldSign } from '../util/function-url.ts';
import { sqsClientFor } from '../util/sqs.ts';

const usage = `Usage: frs console --url <detector URL> --queue-url <response queue URL> [options]

Serves the web console on http://127.0.0.1:<port>/ (loopback only). The browser talks only to this
process; it forwards frames to the detector, people routes to the enroller and polls the response queue,
signing Function URL calls with SigV4 and SQS calls with your AWS credentials (default chain: profile,
SSO, role). No credentials ever reach the browser.

Options:
  --url <url>                 detector Function URL (required)
  --queue-url <url>           response queue URL (required)
  --enrol-url <url>           enroller Function URL (the People view)
  --request-queue-url <url>   request queue URL (its depth and its DLQ's on the Health view)
  --port <n>                  port on 127.0.0.1 (default 8082)
  --sign / --no-sign          SigV4 on Function URL calls (default: sign non-loopback URLs)
  -h, --help                  this text`;

export const consoleCommand = defineCommand({
  name: 'console',
  summary:
    'serve the web console (recognise, people, health) on 127.0.0.1, signing calls with your AWS credentials',
  usage,
  options: {
    url: { type: 'string' },
    'queue-url': { type: 'string' },
    'enrol-url': { type: 'string' },
    'request-queue-url': { type: 'string' },
    port: { type: 'string', default: '8082' },
    ...signOptions,
  },
  positionals: false,
  async run({ values }) {
    if (!values.url || !values['queue-url']) throw new UsageError('--url and --queue-url are required');
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be 0–65535, got '${values.port}'`);
    const sign = shouldSign(values.url, values);
    const signer: Signer | undefined = sign
      ? async (request) => {
          const init = await signedInit(
            request.url,
            request.body,
            functionUrlRegion(request.url),
            request.method,
          );
          return init.headers;
        }
      : undefined;
    const server = await startConsole({
      detectorUrl: values.url,
      enrolUrl: values['enrol-url'],
      responseQueueUrl: values['queue-url'],
      requestQueueUrl: values['request-queue-url'],
      sqs: sqsClientFor(values['queue-url']),
      signer,
      port,
      logger: createJsonLogger({ service: 'frs-console', level: process.env.LOG_LEVEL ?? 'warn' }),
    });
    console.log(`frs console: ${server.url} (Ctrl-C stops it)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
});
