import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite (CommonJS) requires big.js, whose exports put "import" first; vitest's workers run with
// `--conditions=import`, which would load the ESM build and break every number. A plain child Node
// keeps it on CommonJS (@frs/local's startLocalDynamo does the same for the local stack).
const SERVER = `
const server = require(process.argv[1])({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** dynalite (in-memory DynamoDB) on 127.0.0.1, any free port, and a client for it. */
export async function startDynalite(): Promise<{ client: DynamoDBClient; close(): Promise<void> }> {
  const entry = createRequire(import.meta.url).resolve('dynalite');
  const child = spawn(process.execPath, ['-e', SERVER, entry], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number.parseInt(line, 10)));
    child.once('exit', (code) => reject(new Error(`dynalite exited with code ${code}`)));
  });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    async close() {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}
