// The managed gallery's figures on the local stack (fauxqs S3, real models, development-set photos):
// enrolment latency per photo, time from DELETE to the first `unknown`, the recognizer's refresh cost
// (a conditional GET answered 304, and a full read + parse), and the snapshot size for 1,000 people x 5 photos.
// Usage: pnpm --filter @frs/local bench:gallery
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { RecognitionResult } from '@frs/contracts/result';
import { createJsonLogger } from '@frs/runtime/logger';
import { addEmbeddings, createGallery, type Gallery, serializeGallery } from '@frs/vision/gallery';
import { fetchGallery } from '@frs/vision/store';
import { GALLERY_BUCKET, startLocalStack } from '../src/stack.ts';

const SHARED = process.env.FRS_SHARED_DIR ?? new URL('../../../../shared/', import.meta.url).pathname;
const identities = join(SHARED, 'faces', 'identities');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const nearestRank = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const logger = createJsonLogger({ service: 'bench', level: 'error' });
const stack = await startLocalStack({ logger, port: 0, sqsPort: 0, enrolPort: 0, prefix: 'bench' });
const credentials = { accessKeyId: 'b', secretAccessKey: 'b' };
const sqs = new SQSClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1', credentials });
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials,
});
const enrolUrl = stack.enrolUrl ?? '';

async function enrol(name: string, photo: string): Promise<number> {
  const body = JSON.stringify({ content: (await readFile(photo)).toString('base64') });
  const started = performance.now();
  const response = await fetch(new URL(`people/${encodeURIComponent(name)}/photos`, enrolUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.text();
  return response.status === 201 ? performance.now() - started : Number.NaN;
}

async function recognise(photo: string): Promise<string> {
  const requestId = randomUUID();
  const content = (await readFile(photo)).toString('base64');
  await fetch(stack.functionUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content, request_id: requestId }),
  });
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.responseQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    for (const m of out.Messages ?? []) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: stack.responseQueueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
      const result = RecognitionResult.parse(JSON.parse(m.Body ?? ''));
      if (result.request_id === requestId) return result.result;
    }
  }
}

// 1. Enrolment latency: every photo of the first 12 identities, one at a time.
const people = (await readdir(identities)).sort().slice(0, 12);
const latencies: number[] = [];
for (const person of people) {
  for (const file of (await readdir(join(identities, person))).sort().slice(0, 5)) {
    const t = await enrol(person, join(identities, person, file));
    if (Number.isFinite(t)) latencies.push(t);
    process.stderr.write(`\renrolled ${latencies.length} photos`);
  }
}
process.stderr.write('\n');

// 2. DELETE -> first unknown, three times (each person is re-enrolled first and seen by name).
const deleteToUnknown: number[] = [];
for (const person of people.slice(0, 3)) {
  const photos = (await readdir(join(identities, person))).sort().map((f) => join(identities, person, f));
  const probe = photos.at(-1) ?? '';
  while ((await recognise(probe)) !== person) await new Promise((r) => setTimeout(r, 500));
  const deleted = performance.now();
  await fetch(new URL(`people/${encodeURIComponent(person)}`, enrolUrl), { method: 'DELETE' });
  while ((await recognise(probe)) === person) await new Promise((r) => setTimeout(r, 250));
  deleteToUnknown.push(performance.now() - deleted);
  process.stderr.write(`delete -> unknown: ${ms(performance.now() - deleted)}\n`);
}

// 3 and 4. A synthetic 1,000 x 5 gallery shaped as the store writes it (photo table in the metadata).
const model = { id: 'mobilefacenet-sirius-192d', dimension: 192 };
let big: Gallery = createGallery(model);
for (let p = 0; p < 1000; p++) {
  const photos: Record<string, { box: number[]; score: number; filename: string }> = {};
  const embeddings = Array.from({ length: 5 }, (_, i) => {
    const id = randomUUID();
    photos[id] = { box: [100.5, 80.25, 260.75, 270.5], score: 0.9995, filename: `photo-${i}.jpg` };
    return { vector: Float32Array.from({ length: 192 }, () => Math.random() - 0.5), source: id };
  });
  big = addEmbeddings(big, `Person ${p}`, embeddings, { metadata: { photos } });
}
const text = serializeGallery(big);
await s3.send(new PutObjectCommand({ Bucket: GALLERY_BUCKET, Key: 'bench/snapshot.json', Body: text }));
const location = `s3://${GALLERY_BUCKET}/bench/snapshot.json`;
const full: number[] = [];
const notModified: number[] = [];
let etag: string | undefined;
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  const read = await fetchGallery(location, { s3, expected: model });
  full.push(performance.now() - t0);
  if (read.kind === 'gallery') etag = read.etag;
}
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  const read = await fetchGallery(location, { s3, expected: model, etag });
  if (read.kind !== 'not-modified') throw new Error('expected a 304');
  notModified.push(performance.now() - t0);
}

console.log(`| figure | value |
| --- | --- |
| enrolment latency per photo over HTTP (${latencies.length} photos) | p50 ${ms(nearestRank(latencies, 50))}, p95 ${ms(nearestRank(latencies, 95))} |
| DELETE to the first \`unknown\` (refresh 10 s, 3 runs) | median ${ms(median(deleteToUnknown))}, max ${ms(Math.max(...deleteToUnknown))} |
| recognizer refresh, conditional GET answered 304 (50 runs) | median ${ms(median(notModified))} |
| recognizer refresh after a change, GET + parse of 1,000 x 5 (20 runs) | median ${ms(median(full))} |
| snapshot size, 1,000 people x 5 photos (192-d) | ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(2)} MiB |`);

sqs.destroy();
s3.destroy();
await stack.stop();
