import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CameraId } from '@frs/contracts/request';
import { buildApp } from 'fauxqs';
import { LocalError } from './errors.ts';
import { createLocalStores, enforceConditionalWrites } from './s3.ts';

/** Names and tunables of the local queues. */
export interface QueueOptions {
  /** 127.0.0.1 port; 0 picks a free one. */
  port: number;
  prefix: string;
  /** Request queue visibility timeout: how long a failed batch item stays hidden before its retry. */
  requestVisibilitySeconds: number;
  /** Receives before a request-queue message moves to the DLQ. */
  maxReceiveCount: number;
  /**
   * Response queue visibility timeout. Camera clients receive one message at a time and leave others'
   * messages alone, so this is how long a peeked message is hidden from its owner: keep it short.
   */
  responseVisibilitySeconds: number;
  /**
   * Receives before a result moves to the response DLQ. Cameras share the queue and each receives
   * results that are not its own, so with N cameras polling a result can be received about N times
   * before its owner gets it: SQS's maximum (1000, as in `infra/`) keeps a busy fleet from sending
   * results to the DLQ; unclaimed results expire with the retention period instead.
   */
  responseMaxReceiveCount?: number;
  /** Directory the local S3's objects are kept in (survives restarts); unset = in memory. */
  s3DataDir?: string | undefined;
  /** S3 buckets to create (idempotent: kept objects stay). */
  buckets?: readonly string[];
  /**
   * Cameras that get their own response queue `<prefix>-camera-<id>` (with the DLQ
   * `<prefix>-dlq-camera-<id>`, outside the camera names so no camera id can name another's DLQ).
   */
  cameraIds?: readonly string[];
}

/** The running SQS server and its queue URLs. */
export interface LocalQueues {
  /** SQS endpoint, e.g. `http://127.0.0.1:9324`. */
  endpoint: string;
  requestQueueUrl: string;
  requestDlqUrl: string;
  responseQueueUrl: string;
  responseDlqUrl: string;
  requestQueueArn: string;
  names: { request: string; requestDlq: string; response: string; responseDlq: string };
  /**
   * URL of a camera's queue minus the camera id (the recognizer's `FRS_CAMERA_QUEUE_PREFIX`), e.g.
   * `http://127.0.0.1:9324/000000000000/frs-camera-`.
   */
  cameraQueuePrefix: string;
  /** The per-camera response queues created for `cameraIds`, by camera id. */
  cameraQueueUrls: Record<string, string>;
  /** S3 endpoint on the same server (path-style buckets). */
  s3Endpoint: string;
  stop(): Promise<void>;
}

/** Longest SQS queue name. */
const MAX_QUEUE_NAME = 80;

/** A camera id that cannot name a local queue. */
export class CameraQueueNameError extends LocalError {
  override readonly code = 'camera_queue_name';
}

/**
 * Names of the per-camera response queue and its DLQ.
 *
 * @throws {CameraQueueNameError} when the id is not a valid `camera_id` or a name would pass 80 characters.
 * @example
 * ```ts
 * cameraQueueNames('frs', 'cam1'); // { queue: 'frs-camera-cam1', dlq: 'frs-dlq-camera-cam1' }
 * ```
 */
export function cameraQueueNames(prefix: string, cameraId: string): { queue: string; dlq: string } {
  const parsed = CameraId.safeParse(cameraId);
  if (!parsed.success) {
    throw new CameraQueueNameError(
      `camera id ${JSON.stringify(cameraId)} ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
      { cause: parsed.error },
    );
  }
  const names = { queue: `${prefix}-camera-${cameraId}`, dlq: `${prefix}-dlq-camera-${cameraId}` };
  if (names.dlq.length > MAX_QUEUE_NAME) {
    throw new CameraQueueNameError(
      `camera id ${cameraId} is too long for prefix ${prefix}: ${names.dlq} passes SQS's ${MAX_QUEUE_NAME} characters`,
    );
  }
  return names;
}

// Mirrors the 256 KiB message size FRS budgets for, so a too-big job fails here as it would on AWS.
const MAX_MESSAGE_BYTES = String(256 * 1024);

/**
 * Starts the embedded SQS and S3 server (fauxqs, the real wire protocols; S3 with conditional writes and,
 * given `s3DataDir`, objects kept as files) on 127.0.0.1 only, and creates
 * `<prefix>-req-queue` and `<prefix>-resp-queue`, each with a `-dlq` dead-letter queue, through the SQS
 * API with the same settings as `infra/` (the response queue's receive limit is high because other
 * cameras' receives count too), plus a response queue and DLQ per camera in `cameraIds`, set up like the
 * shared response queue.
 *
 * @example
 * ```ts
 * const queues = await startLocalQueues({ port: 9324, prefix: 'frs', requestVisibilitySeconds: 10,
 *   maxReceiveCount: 3, responseVisibilitySeconds: 2 });
 * console.log(queues.requestQueueUrl); // http://127.0.0.1:9324/000000000000/frs-req-queue
 * ```
 */
export async function startLocalQueues(options: QueueOptions): Promise<LocalQueues> {
  // Checked before anything is started, so a bad id costs no cleanup.
  const cameras = [...new Set(options.cameraIds ?? [])].map((id) => ({
    id,
    ...cameraQueueNames(options.prefix, id),
  }));
  // buildApp rather than startFauxqs: the latter binds 0.0.0.0, which would expose the queues to the network.
  const local = await createLocalStores(options.s3DataDir);
  const app = buildApp({ logger: false, stores: local.stores });
  enforceConditionalWrites(app, local.etagOf);
  app.addHook('onClose', (_instance, done) => {
    local.close();
    done();
  });
  for (const bucket of options.buckets ?? []) local.stores.s3Store.createBucket(bucket);
  const endpoint = await app.listen({ port: options.port, host: '127.0.0.1' });
  const sqs = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const names = {
      request: `${options.prefix}-req-queue`,
      requestDlq: `${options.prefix}-req-queue-dlq`,
      response: `${options.prefix}-resp-queue`,
      responseDlq: `${options.prefix}-resp-queue-dlq`,
    };
    // fauxqs names queues `sqs.<region>.localhost`, which not every resolver knows; the path alone
    // identifies the queue, so hand out URLs on the address the server really listens on.
    const url = (name: string) => `${endpoint}/000000000000/${name}`;
    const create = async (name: string, attributes: Record<string, string>) => {
      await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url(name), AttributeNames: ['QueueArn'] }),
      );
      const arn = out.Attributes?.QueueArn;
      if (arn === undefined) throw new Error(`queue ${name} has no ARN`);
      return arn;
    };
    const dlqArn = await create(names.requestDlq, {
      MessageRetentionPeriod: '1209600',
      MaximumMessageSize: MAX_MESSAGE_BYTES,
    });
    const requestQueueArn = await create(names.request, {
      VisibilityTimeout: String(options.requestVisibilitySeconds),
      MaximumMessageSize: MAX_MESSAGE_BYTES,
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: options.maxReceiveCount,
      }),
    });
    const responseDlqArn = await create(names.responseDlq, {
      MessageRetentionPeriod: '1209600',
      MaximumMessageSize: MAX_MESSAGE_BYTES,
    });
    const responseAttributes = (dlqArn: string) => ({
      VisibilityTimeout: String(options.responseVisibilitySeconds),
      MaximumMessageSize: MAX_MESSAGE_BYTES,
      // Unclaimed results are useless after a while; 15 minutes as in infra/.
      MessageRetentionPeriod: '900',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: options.responseMaxReceiveCount ?? 1000,
      }),
    });
    await create(names.response, responseAttributes(responseDlqArn));
    const cameraQueueUrls: Record<string, string> = {};
    for (const camera of cameras) {
      const cameraDlqArn = await create(camera.dlq, {
        MessageRetentionPeriod: '1209600',
        MaximumMessageSize: MAX_MESSAGE_BYTES,
      });
      await create(camera.queue, responseAttributes(cameraDlqArn));
      cameraQueueUrls[camera.id] = url(camera.queue);
    }
    return {
      endpoint,
      requestQueueUrl: url(names.request),
      requestDlqUrl: url(names.requestDlq),
      responseQueueUrl: url(names.response),
      responseDlqUrl: url(names.responseDlq),
      requestQueueArn,
      names,
      cameraQueuePrefix: url(`${options.prefix}-camera-`),
      cameraQueueUrls,
      s3Endpoint: endpoint,
      stop: async () => {
        sqs.destroy();
        await app.close();
      },
    };
  } catch (error) {
    sqs.destroy();
    await app.close();
    throw error;
  }
}
