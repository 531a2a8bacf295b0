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
import { CropRunner, PnetTileRunner, type TileResult } from './pnet-tiles.ts';

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

const init = WorkerInitSchema.safeParse(workerData);
// One thread per session: the pool's workers are the parallelism.
const loadOptions = {
  intraOpNumThreads: 1,
  memoryPattern: false,
  verifyChecksums: init.success ? init.data.verifyChecksums : true,
};
const cropRunners = new Map<'rnet' | 'onet', Promise<CropRunner>>();

/** R-Net / O-Net on first use: a worker that only ever runs P-Net does not hold their sessions. */
function cropRunner(model: 'rnet' | 'onet'): Promise<CropRunner> {
  const hit = cropRunners.get(model);
  if (hit !== undefined) return hit;
  if (!init.success) return Promise.reject(init.error);
  const pending = loadModel(init.data.crops[model], init.data.modelsDir, loadOptions).then(
    (m) => new CropRunner(m),
  );
  cropRunners.set(model, pending);
  pending.catch(() => cropRunners.delete(model));
  return pending;
}

async function start(): Promise<PnetTileRunner | undefined> {
  try {
    if (!init.success) throw init.error;
    const model = await loadModel(init.data.entry, init.data.modelsDir, loadOptions);
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
    if (message.type === 'crops') {
      chain = chain.then(async () => {
        try {
          if (source === undefined) throw new Error('crop job before any source');
          const outputs = await (await cropRunner(message.model)).run(source, message.regions);
          const transfer = Object.values(outputs).map((o) => o.buffer);
          post({ type: 'crops-result', id: message.id, outputs }, transfer);
        } catch (error) {
          post({ type: 'error', id: message.id, error: describeFailure(error) });
        }
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
