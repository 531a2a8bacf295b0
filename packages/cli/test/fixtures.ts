import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import { z } from 'zod';
import type { Command } from '../src/command.ts';

export { facePath, photosOf, SHARED_DIR, sharedPath } from '@frs/test-fixtures/shared';

const cliMain = resolve(fileURLToPath(new URL('../src/main.ts', import.meta.url)));
const run = promisify(execFile);
const ExecFailure = z.looseObject({
  code: z.unknown(),
  stdout: z.string().default(''),
  stderr: z.string().default(''),
});

/** Runs the real `frs` CLI in a child process; never throws on a non-zero exit. */
export async function frs(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--conditions=@frs/source', cliMain, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = ExecFailure.parse(error);
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * Runs a command in this process with `console.log` captured; resolves to its exit code and stdout lines.
 */
export async function runCaptured(
  command: Pick<Command, 'run'>,
  argv: readonly string[],
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  try {
    return { code: await command.run(argv), lines };
  } finally {
    spy.mockRestore();
  }
}

/**
 * A `<dir>/<Person>/<photo>` folder of symlinks into ../shared, so tests pick photos without copying
 * them.
 */
export async function photoFolder(people: Record<string, readonly string[]>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frs-cli-photos-'));
  for (const [person, photos] of Object.entries(people)) {
    await mkdir(join(dir, person));
    for (const photo of photos) await symlink(photo, join(dir, person, photo.split('/').at(-1) ?? photo));
  }
  return dir;
}

/** A truth CSV in the original clients' format. */
export async function truthFile(rows: Record<string, string>): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'frs-cli-truth-')), 'truth.csv');
  await writeFile(file, ['Image,Results', ...Object.entries(rows).map(([k, v]) => `${k},${v}`)].join('\n'));
  return file;
}
