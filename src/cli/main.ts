/**
 * `depthwatch` command line. Each command lives in its own module under src/cli/ and registers itself
 * here; commands load their heavy dependencies lazily so `--help` stays instant.
 */
import { Command } from 'commander';

/** Parse argv and run the chosen command. Exit code 2 on usage errors, 1 on failures. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('depthwatch')
    .description('Real-time order-book analysis and monitoring')
    .version('0.1.0')
    .showHelpAfterError();
  const modules = await Promise.all([
    import('./run.ts'),
    import('./replay.ts'),
    import('./sim.ts'),
    import('./alerts.ts'),
    import('./import.ts'),
    import('./export.ts'),
    import('./news.ts'),
    import('./keys.ts'),
    import('./config-check.ts'),
    import('./serve.ts'),
  ]);
  for (const m of modules) m.register(program);
  await program.parseAsync(argv);
}
