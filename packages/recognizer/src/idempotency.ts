import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import type { RecognitionJob } from '@frs/contracts/job';
import { z } from 'zod';
import { IdempotencyStoreError } from './errors.ts';

/**
 * What {@link IdempotencyStore.begin} found: `started` (this caller owns the record now), `completed`
 * (answered within the window: skip it) or `in_progress` (another invocation is on it, or crashed less
 * than the in-progress TTL ago: retry later).
 */
export type BeginOutcome = 'started' | 'completed' | 'in_progress';

/**
 * Remembers which jobs were answered, across invocations and cold starts. The recognizer calls `begin`
 * before a job, `complete` after its result is on the response queue, and `release` when it failed, so
 * the queue's retry runs at once instead of waiting for the in-progress TTL.
 *
 * @example
 * ```ts
 * const outcome = await store.begin(idempotencyKey(job), 60);
 * if (outcome === 'started') {
 *   await answer(job);
 *   await store.complete(idempotencyKey(job));
 * }
 * ```
 */
export interface IdempotencyStore {
  /** Claims `key` for `inProgressSeconds` unless it is completed or claimed and not yet expired. */
  begin(key: string, inProgressSeconds: number): Promise<BeginOutcome>;
  /** Marks `key` answered for the store's window. */
  complete(key: string): Promise<void>;
  /** Forgets an in-progress claim (never a completed one). */
  release(key: string): Promise<void>;
}

/**
 * The deduplication key of a job: its `request_id` and a SHA-256 of everything in it except the fields
 * that change on each attempt (`received_at`, `timing`). A camera that retries after a lost `200` gets a
 * new job with a new `received_at` for the same frame, which must still count as a duplicate; a different
 * frame sent with a reused `request_id` has other faces or another size, so it gets its own key.
 *
 * @example
 * ```ts
 * idempotencyKey(job); // 'cam-1-000042#3f7a…' (request_id, '#', 64 hex digits)
 * ```
 */
export function idempotencyKey(job: RecognitionJob): string {
  const { received_at: _receivedAt, timing: _timing, ...stable } = job;
  // Key order follows the zod schema, so the same job always serialises to the same text.
  const digest = createHash('sha256').update(JSON.stringify(stable)).digest('hex');
  return `${job.request_id}#${digest}`;
}

/** Options of {@link createDynamoIdempotencyStore}. */
export interface DynamoIdempotencyOptions {
  client: DynamoDBClient;
  /** Table with the string partition key `id` and the TTL attribute `expires_at` (epoch seconds). */
  table: string;
  /** How long a completed job is remembered (`FRS_IDEMPOTENCY_TTL_SECONDS`). */
  ttlSeconds: number;
  now?: () => Date;
}

const StoredRecord = z.object({
  status: z.object({ S: z.enum(['in_progress', 'completed']) }),
  expires_at: z.object({ N: z.string() }),
});

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * An {@link IdempotencyStore} in a DynamoDB table: one item per key, written with a conditional
 * `PutItem` (`attribute_not_exists(id) OR expires_at < :now`), so of two invocations racing for the same
 * job exactly one wins, and an expired record (a crash's stale claim, or an answer older than the window)
 * is taken over. Expiry is decided by the condition, not by DynamoDB's TTL sweep, which may lag by days
 * and only keeps the table small.
 *
 * @example
 * ```ts
 * const store = createDynamoIdempotencyStore({ client: new DynamoDBClient({}), table: 'frs-idempotency', ttlSeconds: 3600 });
 * ```
 */
export function createDynamoIdempotencyStore(options: DynamoIdempotencyOptions): IdempotencyStore {
  const { client, table } = options;
  const now = options.now ?? (() => new Date());
  const wrap = (action: string, key: string) => (error: unknown) => {
    throw new IdempotencyStoreError(`could not ${action} the idempotency record ${key} in ${table}`, {
      cause: error,
    });
  };

  async function existing(key: string): Promise<BeginOutcome> {
    const out = await client
      .send(new GetItemCommand({ TableName: table, Key: { id: { S: key } }, ConsistentRead: true }))
      .catch(wrap('read', key));
    const stored = StoredRecord.safeParse(out.Item);
    // Gone between the failed put and this read (released, or swept by TTL): the caller retries later.
    if (!stored.success) return 'in_progress';
    return stored.data.status.S;
  }

  return {
    async begin(key, inProgressSeconds) {
      const at = epochSeconds(now());
      try {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              id: { S: key },
              status: { S: 'in_progress' },
              expires_at: { N: String(at + Math.max(1, Math.ceil(inProgressSeconds))) },
            },
            ConditionExpression: 'attribute_not_exists(id) OR expires_at < :now',
            ExpressionAttributeValues: { ':now': { N: String(at) } },
          }),
        );
        return 'started';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return existing(key);
        return wrap('claim', key)(error);
      }
    },
    async complete(key) {
      await client
        .send(
          new PutItemCommand({
            TableName: table,
            Item: {
              id: { S: key },
              status: { S: 'completed' },
              expires_at: { N: String(epochSeconds(now()) + options.ttlSeconds) },
            },
          }),
        )
        .catch(wrap('complete', key));
    },
    async release(key) {
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: { id: { S: key } },
            ConditionExpression: '#status = :in_progress',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':in_progress': { S: 'in_progress' } },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return;
        wrap('release', key)(error);
      }
    },
  };
}

/**
 * Creates the idempotency table (partition key `id`, on demand) and waits until it is active; an existing
 * table is left as it is. For the local stack and tests: on AWS, Terraform owns the table and its TTL.
 *
 * @example
 * ```ts
 * await createIdempotencyTable(new DynamoDBClient({ endpoint }), 'frs-idempotency');
 * ```
 */
export async function createIdempotencyTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) {
      throw new IdempotencyStoreError(`could not create the idempotency table ${table}`, { cause: error });
    }
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: table }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new IdempotencyStoreError(`the idempotency table ${table} did not become active within 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
