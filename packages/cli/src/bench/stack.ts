import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { inRepo, node, nodeArgs } from './child.ts';

/** The local stack in a child process (its own ports), so its RSS is its own. */
export interface Stack {
  child: ChildProcess;
  functionUrl: string;
  requestQueueUrl: string;
  responseQueueUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts `packages/local` serving `gallery` and resolves once it prints its ready line.
 *
 * @example
 * ```ts
 * const stack = await startStack('/tmp/gallery.json');
 * try { … } finally { await stack.stop(); }
 * ```
 */
export async function startStack(gallery: string): Promise<Stack> {
  const child = spawn(node, [...nodeArgs, inRepo('packages/local/src/main.ts')], {
    env: { ...process.env, FRS_PORT: '0', FRS_SQS_PORT: '0', FRS_GALLERY: gallery, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<string>((resolveReady, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('frs ready'));
      if (line) resolveReady(line);
    });
    child.once('exit', (code) => reject(new Error(`local stack exited early with code ${code}`)));
  });
  const url = (label: string) => {
    const found = new RegExp(`${label} (\\S+)`).exec(ready)?.[1];
    if (!found) throw new Error(`no ${label} in the ready line: ${ready}`);
    return found;
  };
  return {
    child,
    functionUrl: url('function URL'),
    requestQueueUrl: url('request queue'),
    responseQueueUrl: url('response queue'),
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** Resident set size of a process, from /proc (Linux). */
export function rssKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) =>
    Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? Number.NaN),
  );
}
