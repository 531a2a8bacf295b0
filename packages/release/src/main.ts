import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EcrImages } from './ecr.ts';
import { ReleaseError, UsageError } from './errors.ts';
import { Git } from './git.ts';
import {
  assertOnMain,
  type Logger,
  planRelease,
  publish,
  type ReleaseSource,
  resolveDigests,
  writeTfvars,
} from './release.ts';
import { readFunctions } from './versions.ts';

const USAGE = `usage: release <command> --repository <ecr-name> [--commit <ref>] [--main-ref <ref>]
                       [--git-dir <dir>] [--functions <file>] [--endpoint <url>] [--region <region>]
  check     Verify <commit> is on <main-ref> and every version's git tag and image; print the plan
            (JSON, "pending" = versions still to release, so CI builds only when it is non-zero).
  publish   Release <commit>: tag each new version onto the image pushed as sha-<commit12> in ECR and
            create its git tag (@frs/<fn>@<version>) locally; print the outcomes (JSON).
  resolve --out <file.auto.tfvars.json> [--for-plan]
            Write the digest each function's version deploys; --for-plan accepts a commit not yet on
            main and writes <fn>_image_tag for versions not released yet.
defaults: --commit HEAD, --main-ref origin/main, --git-dir the repository root, --functions functions.json`;

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
      commit: { type: 'string', default: 'HEAD' },
      'main-ref': { type: 'string', default: 'origin/main' },
      'git-dir': { type: 'string', default: repoRoot },
      functions: { type: 'string' },
      out: { type: 'string' },
      'for-plan': { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      region: { type: 'string' },
    },
  });
  const [command] = positionals;
  if (!values.repository || (command !== 'check' && command !== 'publish' && command !== 'resolve')) {
    throw new UsageError(USAGE);
  }

  const client = new ECRClient({
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  const source: ReleaseSource = {
    git: new Git(values['git-dir']),
    images: new EcrImages(client, values.repository),
    mainRef: values['main-ref'],
    functions: await readFunctions(values.functions ? resolve(values.functions) : undefined),
  };

  if (command === 'check') {
    const plan = await planRelease(source, await assertOnMain(source.git, values.commit, source.mainRef));
    const pending = plan.versions.filter((v) => v.status === 'new').length;
    process.stdout.write(`${JSON.stringify({ ...plan, pending }, null, 2)}\n`);
    return;
  }
  if (command === 'publish') {
    const outcomes = await publish(source, logger, { commit: values.commit });
    process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    return;
  }
  if (!values.out) throw new UsageError(USAGE);
  const variables = await resolveDigests(source, { commit: values.commit, forPlan: values['for-plan'] });
  await writeTfvars(values.out, variables);
  logger.info('wrote deploy variables', { out: values.out, ...variables });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ReleaseError) {
    logger.error(error.message, { error: error.name });
  } else {
    logger.error('release failed', { error: String(error) });
  }
  process.exitCode = 1;
});
