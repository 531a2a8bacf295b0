import { readFile } from 'node:fs/promises';
import { ErrorBody } from '@frs/contracts/errors';
import { RecognitionJob } from '@frs/contracts/job';
import { DetectorAccepted } from '@frs/contracts/request';
import { encodeChipPng } from '@frs/service/chip';
import { decodeFrame } from '@frs/service/image';
import { DEFAULT_MAX_FACES } from '@frs/service/job';
import { loadFaceFinder } from '@frs/service/models';
import type { FaceFinderPort } from '@frs/service/types';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type DetectorDeps } from '../src/app.ts';
import { facePath, makeEvent, makeLogger, recordingMetrics } from './fixtures.ts';

const FUNCTION_URL_LIMIT = 6 * 1024 * 1024;

/** A 12 MP camera frame: a development-set portrait upscaled and re-encoded as a 3–4.4 MB JPEG. */
async function cameraFrameFactory(): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const source = await readFile(facePath('identities/fnp_shea_whigham/00.jpg'));
  const { width = 0, height = 0 } = await sharp(source).metadata();
  const scale = Math.sqrt(12_000_000 / (width * height));
  const size = { width: Math.round(width * scale), height: Math.round(height * scale) };
  const jpeg = await sharp(source)
    .resize(size.width, size.height)
    .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
    .toBuffer();
  return { jpeg, ...size };
}

// Real models and a real (upscaled) photo; only the queue is an array, as in app.test.ts.
describe('Function: createHandler() at camera sizes', () => {
  let finder: () => Promise<FaceFinderPort>;

  beforeAll(async () => {
    const { logger } = makeLogger();
    const loaded = await loadFaceFinder({ modelsDir: undefined, minFaceSize: 20, logger });
    finder = async () => loaded;
  });

  function makeDeps(overrides: Partial<DetectorDeps> = {}) {
    const sent: string[] = [];
    const { logger } = makeLogger();
    const deps: DetectorDeps = {
      config: { maxBodyBytes: FUNCTION_URL_LIMIT, maxPixels: 40_000_000, maxFaces: DEFAULT_MAX_FACES },
      logger,
      decodeFrame,
      faceFinder: finder,
      encodeChip: encodeChipPng,
      sendJob: async (body) => {
        sent.push(body);
      },
      metrics: recordingMetrics().metrics,
      ...overrides,
    };
    return { handler: createHandler(deps), sent };
  }

  it('returns 200 and queues a job with the face when given a 12 MP, 3–4.4 MB camera JPEG', async () => {
    const { jpeg, width, height } = await cameraFrameFactory();
    expect(jpeg.length).toBeGreaterThan(3_000_000);
    expect(jpeg.length).toBeLessThan(4_400_000);
    const event = makeEvent({
      content: jpeg.toString('base64'),
      request_id: 'cam-12mp',
      filename: 'big.jpg',
    });
    expect(Buffer.byteLength(event.body ?? '')).toBeGreaterThan(4_470_000);
    expect(Buffer.byteLength(event.body ?? '')).toBeLessThanOrEqual(FUNCTION_URL_LIMIT);
    const { handler, sent } = makeDeps();
    const response = await handler(event);
    expect(response.statusCode).toBe(200);
    expect(DetectorAccepted.parse(JSON.parse(response.body)).faces).toBeGreaterThanOrEqual(1);
    const job = RecognitionJob.parse(JSON.parse(sent[0] ?? ''));
    expect(job.image).toEqual({ width, height });
    expect(job.faces[0]?.score).toBeGreaterThan(0.9);
  }, 120_000);

  it('returns 413 body_too_large without running the models when the body is one byte over the limit', async () => {
    const { handler, sent } = makeDeps({
      faceFinder: async () => {
        throw new Error('the models must not run for a rejected request');
      },
    });
    const envelope = JSON.stringify({ content: '', request_id: 'cam-over' });
    const content = 'A'.repeat(FUNCTION_URL_LIMIT + 1 - Buffer.byteLength(envelope));
    const event = makeEvent({ content, request_id: 'cam-over' });
    expect(Buffer.byteLength(event.body ?? '')).toBe(FUNCTION_URL_LIMIT + 1);
    const response = await handler(event);
    expect(response.statusCode).toBe(413);
    expect(ErrorBody.parse(JSON.parse(response.body)).error.code).toBe('body_too_large');
    expect(sent).toEqual([]);
  });

  it('returns 200 with the face in original coordinates when the photo is above the working budget', async () => {
    const source = await readFile(facePath('identities/fnp_shea_whigham/00.jpg'));
    const { width = 0, height = 0 } = await sharp(source).metadata();
    const scale = Math.sqrt(20_000_000 / (width * height));
    const size = { width: Math.round(width * scale), height: Math.round(height * scale) };
    const jpeg = await sharp(source).resize(size.width, size.height).jpeg({ quality: 70 }).toBuffer();
    const { handler, sent } = makeDeps();
    const response = await handler(makeEvent({ content: jpeg.toString('base64'), request_id: 'cam-20mp' }));
    expect(response.statusCode, response.body).toBe(200);
    const job = RecognitionJob.parse(JSON.parse(sent[0] ?? ''));
    expect(job.image).toEqual(size);
    // The same photo at its own size, well inside the budget: its box, scaled, is where the face must be.
    await handler(makeEvent({ content: source.toString('base64'), request_id: 'cam-source' }));
    const reference = RecognitionJob.parse(JSON.parse(sent[1] ?? '')).faces[0]?.box ?? [0, 0, 0, 0];
    const box = job.faces[0]?.box ?? [0, 0, 0, 0];
    const side = (reference[2] - reference[0]) * scale;
    for (const [i, v] of box.entries()) {
      expect(Math.abs(v - (reference[i] ?? 0) * scale), `box[${i}]`).toBeLessThan(0.05 * side);
    }
  }, 120_000);

  it('returns 422 truncated_image and queues nothing when a photo above the working budget is cut short', async () => {
    const whole = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#7a6' } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const { handler, sent } = makeDeps();
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const response = await handler(makeEvent({ content: cut.toString('base64'), request_id: 'cam-cut' }));
    expect(response.statusCode, response.body).toBe(422);
    expect(ErrorBody.parse(JSON.parse(response.body)).error.code).toBe('truncated_image');
    expect(sent).toEqual([]);
  }, 60_000);
});
