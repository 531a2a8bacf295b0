import type { Command } from '../command.ts';
import { workload } from './workload.ts';

/** Every sub-command, in the order `frs --help` lists them. */
export const commands: readonly Command[] = [workload];
