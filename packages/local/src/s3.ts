import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { buildApp } from 'fauxqs';
import { z } from 'zod';

type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;
type S3Store = Stores['s3Store'];
type FauxqsApp = ReturnType<typeof buildApp>;

/** The parts of fauxqs's file-backed S3 persistence the local stack uses. */
interface FileS3Persistence {
  loadS3(store: S3Store): void;
  close(): void;
}

// The package's dist/ folder, found as Node's resolver would (its exports map only has an import condition,
// so require.resolve cannot name it, and vitest has no import.meta.resolve).
function fauxqsDist(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'fauxqs', 'dist', 'app.js');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('fauxqs is not installed next to @frs/local');
  }
}

const Constructor = z.custom<new (...args: string[]) => unknown>((v) => typeof v === 'function');

// fauxqs exports buildApp (which binds where we say) but not its stores, and startFauxqs (which has the
// file-backed S3 we want) binds 0.0.0.0. The store classes sit next to the entry point; this pins them to
// the installed fauxqs and fails with a clear message if a release moves them.
async function fauxqsClass(path: string, name: string): Promise<new (...args: string[]) => unknown> {
  const url = new URL(path, pathToFileURL(fauxqsDist()));
  const loaded: unknown = await import(url.href);
  const parsed = z.object({ [name]: Constructor }).safeParse(loaded);
  const found = parsed.data?.[name];
  if (found === undefined)
    throw new Error(`fauxqs has no ${name} at ${path}: update packages/local/src/s3.ts`);
  return found;
}

/** fauxqs's stores with S3 objects kept as files under `dataDir` (or in memory without one). */
export interface LocalStores {
  stores: Stores;
  /** Current ETag of an object, `undefined` when absent. */
  etagOf(bucket: string, key: string): string | undefined;
  close(): void;
}

/**
 * Creates fauxqs's SQS, SNS and S3 stores, the S3 one persisted as plain files under `dataDir` (objects
 * survive a restart and can be inspected). SQS stays in memory: queued frames are not worth keeping.
 *
 * @example
 * ```ts
 * const local = await createLocalStores('.frs/data/s3');
 * const app = buildApp({ logger: false, stores: local.stores });
 * ```
 */
export async function createLocalStores(dataDir: string | undefined): Promise<LocalStores> {
  const [SqsStore, SnsStore, S3StoreClass] = await Promise.all([
    fauxqsClass('./sqs/sqsStore.js', 'SqsStore'),
    fauxqsClass('./sns/snsStore.js', 'SnsStore'),
    fauxqsClass('./s3/s3Store.js', 'S3Store'),
  ]);
  const stores = z
    .object({
      sqsStore: z.custom<Stores['sqsStore']>((v) => v instanceof SqsStore),
      snsStore: z.custom<Stores['snsStore']>((v) => v instanceof SnsStore),
      s3Store: z.custom<S3Store>((v) => v instanceof S3StoreClass),
    })
    .parse({ sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3StoreClass() });
  let persistence: FileS3Persistence | undefined;
  if (dataDir !== undefined) {
    const Persistence = await fauxqsClass('./s3/fileS3Persistence.js', 'FileS3Persistence');
    persistence = z
      .custom<FileS3Persistence>((v) => typeof v === 'object' && v !== null && 'loadS3' in v && 'close' in v)
      .parse(new Persistence(dataDir));
    persistence.loadS3(stores.s3Store);
    Object.assign(stores.s3Store, { persistence });
  }
  return {
    stores,
    etagOf(bucket, key) {
      try {
        return stores.s3Store.headObject(bucket, key).etag;
      } catch {
        return undefined;
      }
    },
    close: () => persistence?.close(),
  };
}

function preconditionFailed(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Error><Code>PreconditionFailed</Code>',
    '<Message>At least one of the pre-conditions you specified did not hold</Message>',
    '<Condition>If-Match</Condition></Error>',
  ].join('');
}

const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');

/**
 * Makes fauxqs honour S3's conditional writes (`PutObject` with `If-Match` or `If-None-Match: *`, answered
 * `412 PreconditionFailed` as S3 does), which fauxqs 2.4 ignores. The check and fauxqs's synchronous write
 * run in the same tick after the body is read, so two racing writers cannot both pass.
 *
 * @example
 * ```ts
 * enforceConditionalWrites(app, local.etagOf);
 * ```
 */
export function enforceConditionalWrites(
  app: FauxqsApp,
  etagOf: (bucket: string, key: string) => string | undefined,
): void {
  app.addHook('preHandler', (request, reply, done) => {
    const ifMatch = request.headers['if-match'];
    const ifNoneMatch = request.headers['if-none-match'];
    if (request.method !== 'PUT' || (ifMatch === undefined && ifNoneMatch === undefined)) return done();
    const path = new URL(request.url, 'http://local').pathname;
    const [, bucket, ...rest] = path.split('/');
    if (bucket === undefined || rest.length === 0) return done();
    const current = etagOf(decodeURIComponent(bucket), rest.map(decodeURIComponent).join('/'));
    const matchFails =
      typeof ifMatch === 'string' && (current === undefined || unquote(ifMatch) !== unquote(current));
    const noneMatchFails =
      typeof ifNoneMatch === 'string' &&
      current !== undefined &&
      (ifNoneMatch.trim() === '*' || unquote(ifNoneMatch) === unquote(current));
    if (matchFails || noneMatchFails) {
      reply.code(412).header('content-type', 'application/xml').send(preconditionFailed());
      return;
    }
    done();
  });
}
