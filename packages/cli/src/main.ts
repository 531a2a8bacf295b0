#!/usr/bin/env node
import { UsageError } from './command.ts';
import { commands } from './commands/index.ts';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'Usage: frs <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `frs <command> --help` for the options of one command.',
  ].join('\n');
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) {
    console.error(`frs: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`frs ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    // A person at a terminal needs the reason, not a stack; FRS_DEBUG=1 shows the stack.
    console.error(`frs ${name}: ${describe(error)}`);
    if (process.env.FRS_DEBUG) console.error(error);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
