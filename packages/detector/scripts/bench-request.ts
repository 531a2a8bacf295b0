import { randomBytes } from 'node:crypto';
import type { FunctionUrlEvent } from '@frs/contracts/lambda';
import { readRequest } from '../src/request.ts';

// Times readRequest() (size check, JSON.parse, zod, base64 check and decode) on a body just under the
// Function URL's 6 MiB limit. Usage: pnpm --filter @frs/detector bench:request [runs]
const LIMIT = 6 * 1024 * 1024;
const runs = Number(process.argv[2] ?? 21);
const envelope = JSON.stringify({ content: '', request_id: 'bench-6mb', filename: 'frame.jpg' });
const imageBytes = Math.floor((LIMIT - Buffer.byteLength(envelope)) / 4) * 3;
const body = JSON.stringify({
  content: randomBytes(imageBytes).toString('base64'),
  request_id: 'bench-6mb',
  filename: 'frame.jpg',
});
const event: FunctionUrlEvent = {
  version: '2.0',
  rawPath: '/',
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST' } },
  body,
  isBase64Encoded: false,
};
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const { image } = readRequest(event, LIMIT);
  times.push(performance.now() - started);
  if (image.length !== imageBytes) throw new Error('decoded size differs');
}
times.sort((a, b) => a - b);
const at = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
console.log(
  `readRequest on a ${Buffer.byteLength(body)}-byte body (${imageBytes}-byte image), ${runs} runs: ` +
    `median ${at(0.5)} ms, min ${at(0)} ms, max ${at(1)} ms`,
);
