/** `depthwatch replay`: placeholder registration until the command lands. */
import type { Command } from 'commander';

/** Register the command on the program. */
export function register(program: Command): void {
  program
    .command('replay')
    .description('not yet available')
    .action(() => {
      throw new Error('depthwatch replay is not implemented yet');
    });
}
