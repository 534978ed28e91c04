/** `depthwatch sim`: placeholder registration until the command lands. */
import type { Command } from 'commander';

/** Register the command on the program. */
export function register(program: Command): void {
  program
    .command('sim')
    .description('not yet available')
    .action(() => {
      throw new Error('depthwatch sim is not implemented yet');
    });
}
