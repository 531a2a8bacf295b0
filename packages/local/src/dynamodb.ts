import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LocalError } from './errors.ts';

/**
 * The local DynamoDB emulator did not start.
 *
 * @example
 * ```ts
 * throw new LocalDynamoError('dynalite did not start within 15 s');
 * ```
 */
export class LocalDynamoError extends LocalError {
  override readonly code = 'local_dynamo';
}

/** A running dynalite DynamoDB emulator. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A client for it with fixed local credentials. */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

// dynalite is CommonJS and requires big.js, whose package exports list "import" before "require": a Node
// started with `--conditions=import` (vitest's workers are) would hand it the ESM build and every number
// would fail validation. A child Node without extra conditions keeps it on the CommonJS build.
const SERVER = `
const dynalite = require(process.argv[1]);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
// The parent holds stdin open; when it goes away (even killed), so does the emulator.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/**
 * Starts dynalite (an in-memory DynamoDB emulator) in a child process on 127.0.0.1, any free port.
 *
 * @throws {LocalDynamoError} when the emulator does not start within 15 s.
 * @example
 * ```ts
 * const dynamo = await startLocalDynamo();
 * await createIdempotencyTable(dynamo.client, 'frs-idempotency');
 * await dynamo.stop();
 * ```
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const entry = createRequire(import.meta.url).resolve('dynalite');
  const child = spawn(process.execPath, ['-e', SERVER, entry], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new LocalDynamoError('dynalite did not start within 15 s')),
      15_000,
    );
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const parsed = Number.parseInt(line, 10);
      if (Number.isInteger(parsed) && parsed > 0) resolve(parsed);
      else reject(new LocalDynamoError(`dynalite printed ${JSON.stringify(line)} instead of its port`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new LocalDynamoError(`dynalite exited with code ${code} before listening`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new LocalDynamoError('could not start dynalite', { cause: error }));
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Any credentials work with dynalite; fixed ones keep the stack independent of the user's AWS setup.
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      await exited;
    },
  };
}
