import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EcrImages } from './ecr.ts';
import { ReleaseError, UsageError } from './errors.ts';
import { type Logger, publish, resolveDigests, writeTfvars } from './release.ts';
import { readFunctionVersions } from './versions.ts';

const USAGE = `usage:
  release publish --repository <name> --source-tag <tag> [--packages <dir>] [--endpoint <url>]
      Tag each function's package version onto the image pushed as <tag>; versions already in ECR are kept.
  release resolve --repository <name> --out <file.auto.tfvars.json> [--packages <dir>] [--endpoint <url>]
      Write the digests of the current function versions for Terraform.`;

const repoRoot = resolve(import.meta.dirname, '../../..');

const log =
  (level: string) =>
  (message: string, extra?: Record<string, unknown>): void => {
    process.stderr.write(`${JSON.stringify({ level, message, ...extra })}\n`);
  };
const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      repository: { type: 'string' },
      'source-tag': { type: 'string' },
      out: { type: 'string' },
      packages: { type: 'string', default: resolve(repoRoot, 'packages') },
      endpoint: { type: 'string' },
      region: { type: 'string' },
    },
  });
  const [command] = positionals;
  if (!values.repository || (command !== 'publish' && command !== 'resolve')) throw new UsageError(USAGE);

  const client = new ECRClient({
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  const images = new EcrImages(client, values.repository);
  const versions = await readFunctionVersions(values.packages);

  if (command === 'publish') {
    if (!values['source-tag']) throw new UsageError(USAGE);
    const outcomes = await publish(images, logger, { sourceTag: values['source-tag'], versions });
    process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    return;
  }
  if (!values.out) throw new UsageError(USAGE);
  const digests = await resolveDigests(images, versions);
  await writeTfvars(values.out, digests);
  logger.info('wrote deploy digests', { out: values.out, ...digests });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ReleaseError) {
    logger.error(error.message, { error: error.name });
  } else {
    logger.error('release failed', { error: String(error) });
  }
  process.exitCode = 1;
});
