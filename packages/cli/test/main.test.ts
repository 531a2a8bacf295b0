import { describe, expect, it } from 'vitest';
import { frs } from './fixtures.ts';

describe('Function: frs (main)', () => {
  it('returns 0 and lists every command when asked for --help', async () => {
    const out = await frs(['--help']);
    expect(out.code).toBe(0);
    for (const name of ['enrol', 'recognize', 'send', 'eval', 'workload']) expect(out.stdout).toContain(name);
  });

  it('returns 2 and names the command when the command is unknown', async () => {
    const out = await frs(['identify']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("unknown command 'identify'");
  });

  it('returns the enrol command when called by its former spelling enroll', async () => {
    const out = await frs(['enroll', '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: frs enrol <dir>');
    expect((await frs(['--help'])).stdout).not.toMatch(/\benroll\b/);
  });

  it('returns 1 with the reason and no stack trace when a file is missing', async () => {
    const out = await frs([
      'send',
      '/nonexistent/frame.jpg',
      '--url',
      'http://127.0.0.1:9/',
      '--queue-url',
      'http://127.0.0.1:9/000000000000/q',
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^frs send: .*ENOENT.*\/nonexistent\/frame\.jpg/m);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
