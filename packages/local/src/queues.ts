import { type FauxqsServer, startFauxqs } from 'fauxqs';

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
}

/** The running SQS server and its queue URLs. */
export interface LocalQueues {
  server: FauxqsServer;
  /** SQS endpoint, e.g. `http://127.0.0.1:9324`. */
  endpoint: string;
  requestQueueUrl: string;
  requestDlqUrl: string;
  responseQueueUrl: string;
  names: { request: string; requestDlq: string; response: string };
  stop(): Promise<void>;
}

// Mirrors the 256 KiB message size FRS budgets for, so a too-big job fails here as it would on AWS.
const MAX_MESSAGE_BYTES = String(256 * 1024);

/**
 * Starts the embedded SQS server (fauxqs, the real SQS wire protocol) on 127.0.0.1 and creates
 * `<prefix>-req-queue` (with `<prefix>-req-dlq` as its dead-letter queue) and `<prefix>-resp-queue`.
 * The response queue has no DLQ: its receive count counts other cameras peeking, not failures.
 *
 * @example
 * ```ts
 * const queues = await startLocalQueues({ port: 9324, prefix: 'frs', requestVisibilitySeconds: 10,
 *   maxReceiveCount: 3, responseVisibilitySeconds: 2 });
 * console.log(queues.requestQueueUrl); // http://127.0.0.1:9324/000000000000/frs-req-queue
 * ```
 */
export async function startLocalQueues(options: QueueOptions): Promise<LocalQueues> {
  const server = await startFauxqs({ port: options.port, logger: false, messageSpies: true });
  const names = {
    request: `${options.prefix}-req-queue`,
    requestDlq: `${options.prefix}-req-dlq`,
    response: `${options.prefix}-resp-queue`,
  };
  const dlq = server.createQueue(names.requestDlq, {
    attributes: { MessageRetentionPeriod: '1209600', MaximumMessageSize: MAX_MESSAGE_BYTES },
  });
  server.createQueue(names.request, {
    attributes: {
      VisibilityTimeout: String(options.requestVisibilitySeconds),
      MaximumMessageSize: MAX_MESSAGE_BYTES,
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.queueArn,
        maxReceiveCount: options.maxReceiveCount,
      }),
    },
  });
  server.createQueue(names.response, {
    attributes: {
      VisibilityTimeout: String(options.responseVisibilitySeconds),
      MaximumMessageSize: MAX_MESSAGE_BYTES,
      MessageRetentionPeriod: '3600',
    },
  });
  // fauxqs names queues `sqs.<region>.localhost`, which not every resolver knows; the path alone
  // identifies the queue, so hand out URLs on the address the server really listens on.
  const url = (name: string) => `${server.address}/000000000000/${name}`;
  return {
    server,
    endpoint: server.address,
    requestQueueUrl: url(names.request),
    requestDlqUrl: url(names.requestDlq),
    responseQueueUrl: url(names.response),
    names,
    stop: () => server.stop(),
  };
}
