import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { RecognitionResult } from '@frs/contracts/result';
import { z } from 'zod';
import { type ErrorLog, reason } from './errors.ts';

/** One answer the console collected for a frame it sent. */
export interface CollectedResult {
  /** Increasing; the browser asks for everything after the last one it saw. */
  seq: number;
  request_id: string;
  filename?: string;
  /** Milliseconds from the console's POST to the console receiving the result. */
  round_trip_ms: number;
  received_at: string;
  /** The parsed response-queue message, or absent with `error` set. */
  message?: RecognitionResult;
  error?: string;
}

/** Options of {@link createResultCollector}. */
export interface ResultCollectorOptions {
  sqs: SQSClient;
  /** The (shared) response queue. */
  queueUrl: string;
  errors: ErrorLog;
  /** How long to wait for a result before reporting the frame as unanswered (default 60 s). */
  timeoutMs?: number;
  /** Results kept for the browser (default 200). */
  keep?: number;
  /** Long-poll wait of each receive (default 2 s; bounds how long `stop` takes). */
  waitTimeSeconds?: number;
}

/** Collects this console's results from the shared response queue. */
export interface ResultCollector {
  /** Registers a request id this console has just sent; polling runs while any is outstanding. */
  expect(requestId: string, filename?: string): void;
  /** Results after `since`, waiting up to `waitMs` for the first one when there are none yet. */
  after(since: number, waitMs: number): Promise<CollectedResult[]>;
  /** Stops waiting for a request id (its POST failed, so no result will come). */
  forget(requestId: string): void;
  /** Request ids still waiting for their result. */
  pending(): string[];
  stop(): Promise<void>;
}

// Other clients' messages may carry anything; only the routing field decides whose a message is.
const Routed = z.looseObject({ request_id: z.string() });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Polls the shared response queue while this console has frames outstanding, deletes the messages whose
 * `request_id` it sent, and hands every other message straight back (visibility 0) so its owner sees it
 * at once. The price of that hand-back: each of our receives counts towards the other message's
 * `maxReceiveCount` (1000 on FRS's response queue), and when a batch held only others' messages the loop
 * pauses briefly so that it does not spin on them.
 *
 * @example
 * ```ts
 * const collector = createResultCollector({ sqs, queueUrl, errors: new ErrorLog() });
 * collector.expect('console-1');
 * const [first] = await collector.after(0, 10_000);
 * ```
 */
export function createResultCollector(options: ResultCollectorOptions): ResultCollector {
  const { sqs, queueUrl, errors } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const keep = options.keep ?? 200;
  const waitTimeSeconds = options.waitTimeSeconds ?? 2;
  const outstanding = new Map<string, { sentAt: number; filename: string | undefined }>();
  const results: CollectedResult[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;
  let loop: Promise<void> | undefined;
  let stopped = false;
  const abort = new AbortController();

  const publish = (entry: Omit<CollectedResult, 'seq' | 'received_at'>): void => {
    seq += 1;
    results.push({ seq, received_at: new Date().toISOString(), ...entry });
    if (results.length > keep) results.splice(0, results.length - keep);
    for (const wake of [...waiters]) wake();
  };

  const expire = (): void => {
    const now = performance.now();
    for (const [id, sent] of outstanding) {
      if (now - sent.sentAt < timeoutMs) continue;
      outstanding.delete(id);
      const error = `no result within ${Math.round(timeoutMs / 1000)} s`;
      errors.add({ source: 'response queue', message: error, request_id: id });
      publish({
        request_id: id,
        ...(sent.filename === undefined ? {} : { filename: sent.filename }),
        round_trip_ms: now - sent.sentAt,
        error,
      });
    }
  };

  const pollOnce = async (): Promise<void> => {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
      }),
      { abortSignal: abort.signal },
    );
    const others: { Id: string; ReceiptHandle: string }[] = [];
    for (const message of received.Messages ?? []) {
      const body = parseJson(message.Body ?? '');
      const routed = Routed.safeParse(body);
      const sent = routed.success ? outstanding.get(routed.data.request_id) : undefined;
      if (!routed.success || sent === undefined) {
        if (message.ReceiptHandle)
          others.push({ Id: String(others.length), ReceiptHandle: message.ReceiptHandle });
        continue;
      }
      const requestId = routed.data.request_id;
      outstanding.delete(requestId);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      const parsed = RecognitionResult.safeParse(body);
      const base = {
        request_id: requestId,
        ...(sent.filename === undefined ? {} : { filename: sent.filename }),
        round_trip_ms: performance.now() - sent.sentAt,
      };
      if (parsed.success) publish({ ...base, message: parsed.data });
      else {
        const error = 'the result message does not match the result schema';
        errors.add({ source: 'response queue', message: error, request_id: requestId });
        publish({ ...base, error });
      }
    }
    if (others.length > 0) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: others.map((o) => ({ ...o, VisibilityTimeout: 0 })),
        }),
      );
      if (others.length === (received.Messages ?? []).length) await sleep(250, abort.signal);
    }
  };

  const run = async (): Promise<void> => {
    while (!stopped && outstanding.size > 0) {
      try {
        await pollOnce();
      } catch (error) {
        if (stopped) break;
        errors.add({ source: 'response queue', message: reason(error) });
        await sleep(1000, abort.signal);
      }
      expire();
    }
    loop = undefined;
  };

  return {
    expect(requestId, filename) {
      outstanding.set(requestId, { sentAt: performance.now(), filename });
      loop ??= run();
    },
    async after(since, waitMs) {
      const newer = () => results.filter((r) => r.seq > since);
      if (newer().length > 0 || waitMs <= 0) return newer();
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, waitMs);
        waiters.add(wake);
      });
      return newer();
    },
    forget(requestId) {
      outstanding.delete(requestId);
    },
    pending: () => [...outstanding.keys()],
    async stop() {
      stopped = true;
      abort.abort();
      for (const wake of [...waiters]) wake();
      await loop;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
