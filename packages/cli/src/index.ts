export type { Command } from './command.ts';
export { UsageError } from './command.ts';
export { commands } from './commands/index.ts';
export { CliError } from './errors.ts';
