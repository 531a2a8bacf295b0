// Worker thread entry of the P-Net pool (`pnet-pool.ts`): owns one single-threaded P-Net session and runs
// tile jobs against the area source the detector shares with it.
import { parentPort, type TransferListItem, workerData } from 'node:worker_threads';
import { loadModel } from '../onnx/index.ts';
import { type AreaSource, type Candidate, IntegralImage } from './mtcnn.ts';
import {
  BOX_FIELDS,
  describeFailure,
  type FromWorker,
  type SourceMessage,
  ToWorkerSchema,
  WorkerInitSchema,
} from './pnet-protocol.ts';
import { PnetTileRunner, type TileResult } from './pnet-tiles.ts';

const port = parentPort;
if (port === null) throw new Error('pnet-worker.ts runs only as a worker thread');
const post = (message: FromWorker, transfer: TransferListItem[] = []) => port.postMessage(message, transfer);

function areaSource(message: SourceMessage): AreaSource {
  const integral = new IntegralImage();
  integral.sums = new Int32Array(message.buffer);
  integral.width = message.width;
  integral.height = message.height;
  return integral;
}

function pack(candidates: readonly Candidate[], rows: readonly number[]): Float64Array<ArrayBuffer> {
  const boxes = new Float64Array(candidates.length * BOX_FIELDS);
  candidates.forEach((c, k) => {
    boxes.set([c.x1, c.y1, c.x2, c.y2, c.score, c.r0, c.r1, c.r2, c.r3, rows[k] ?? 0], k * BOX_FIELDS);
  });
  return boxes;
}

async function start(): Promise<PnetTileRunner | undefined> {
  try {
    const init = WorkerInitSchema.parse(workerData);
    // One thread per session: the pool's workers are the parallelism.
    const model = await loadModel(init.entry, init.modelsDir, {
      intraOpNumThreads: 1,
      memoryPattern: false,
      verifyChecksums: init.verifyChecksums,
    });
    return new PnetTileRunner(model);
  } catch (error) {
    post({ type: 'load-error', error: describeFailure(error) });
    port?.close();
    return undefined;
  }
}

const runner = await start();
if (runner !== undefined) {
  let source: AreaSource | undefined;
  // Jobs run one after another, in arrival order, so a source message applies to the jobs after it.
  let chain = Promise.resolve();
  port.on('message', (raw: unknown) => {
    const message = ToWorkerSchema.parse(raw);
    if (message.type === 'source') {
      chain = chain.then(() => {
        source = areaSource(message);
      });
      return;
    }
    chain = chain.then(async () => {
      try {
        if (source === undefined) throw new Error('P-Net job before any source');
        runner.resetTimes();
        const result: TileResult = { candidates: [], rows: [] };
        await runner.run(source, message.job, result);
        const boxes = pack(result.candidates, result.rows);
        post({ type: 'result', id: message.id, boxes, resizeMs: runner.resizeMs, pnetMs: runner.pnetMs }, [
          boxes.buffer,
        ]);
      } catch (error) {
        post({ type: 'error', id: message.id, error: describeFailure(error) });
      }
    });
  });
  post({ type: 'ready' });
}
