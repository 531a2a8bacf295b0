import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand, UsageError } from '../src/command.ts';
import { commands } from '../src/commands/index.ts';
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

describe('Function: defineCommand()', () => {
  const seen: unknown[] = [];
  const hello = defineCommand({
    name: 'hello',
    summary: 'greet',
    usage: 'Usage: frs hello [--name <who>] [--loud]',
    options: { name: { type: 'string', default: 'world' }, loud: { type: 'boolean' } },
    positionals: false,
    async run({ values, positionals }) {
      expectTypeOf(values.name).toEqualTypeOf<string>();
      expectTypeOf(values.loud).toEqualTypeOf<boolean | undefined>();
      seen.push({ values, positionals });
      return values.loud ? 1 : 0;
    },
  });

  it('returns the run result with typed flag values and defaults when the arguments parse', async () => {
    expect(await hello.run(['--loud'])).toBe(1);
    expect(seen.at(-1)).toEqual({ values: { name: 'world', loud: true }, positionals: [] });
  });

  it('throws UsageError naming the flag when a flag is unknown, lacks its value or a positional is not allowed', async () => {
    await expect(hello.run(['--nmae', 'x'])).rejects.toThrow(new UsageError("Unknown option '--nmae'"));
    await expect(hello.run(['--name'])).rejects.toThrow(UsageError);
    await expect(hello.run(['extra'])).rejects.toThrow(UsageError);
  });

  it('returns 2 with the usage text when a real command gets an unknown flag', async () => {
    const out = await frs(['people', 'list', '--no-such-flag']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^frs people: Unknown option '--no-such-flag'/);
    expect(out.stderr).toContain('Usage: frs people list');
  });
});

describe('Function: commands', () => {
  it('returns commands with distinct names whose usage text documents every flag they take', () => {
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
    const undocumented = commands.flatMap((c) =>
      c.flags.filter((flag) => !new RegExp(`${flag}(?![\\w-])`).test(c.usage)).map((f) => `${c.name} ${f}`),
    );
    expect(undocumented).toEqual([]);
  });
});
