import type { Command } from '../command.ts';
import { consoleCommand } from './console.ts';
import { enrol } from './enrol.ts';
import { evalCommand } from './eval.ts';
import { importCommand } from './import.ts';
import { people } from './people.ts';
import { recognize } from './recognize.ts';
import { send } from './send.ts';
import { workload } from './workload.ts';

/** Every sub-command, in the order `frs --help` lists them. */
export const commands: readonly Command[] = [
  enrol,
  people,
  importCommand,
  recognize,
  send,
  evalCommand,
  workload,
  consoleCommand,
];
