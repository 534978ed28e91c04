/**
 * `depthwatch config check`: validate the configuration (file, environment, flags) and list every
 * problem at once — invalid fields, unknown venues, store/cache/bus URLs that cannot work, the API bind
 * rule, unreadable key or credential files — with exit code 1 when there is any, 0 and a summary
 * otherwise. Secrets are never printed (util/redact.ts).
 */
import type { Command } from 'commander';
import { loadConfig, ConfigError } from '../config/load.ts';
import { configProblems } from '../app/startup.ts';
import { redactText } from '../util/redact.ts';

/** Register `config check`. */
export function register(program: Command): void {
  program
    .command('config')
    .description('configuration tools')
    .command('check')
    .description('validate the configuration and list every problem (exit 1 when any)')
    .option('-c, --config <file>', 'YAML config file (or DEPTHWATCH_CONFIG)')
    .option('-i, --instruments <ids>', 'comma-separated instrument ids (as for run)')
    .option('--store <url>', 'history store URL (as for run)')
    .option('--host <host>', 'listen address (as for run)')
    .option('--insecure', 'as for run')
    .action(
      (f: { config?: string; instruments?: string; store?: string; host?: string; insecure?: boolean }) => {
        const o: Record<string, unknown> = {};
        if (f.instruments) o.instruments = f.instruments.split(',').map((s) => s.trim());
        if (f.store) o.store = { url: f.store };
        if (f.host || f.insecure)
          o.api = { ...(f.host ? { host: f.host } : {}), ...(f.insecure ? { insecure: true } : {}) };
        let problems: string[];
        let summary = '';
        try {
          const c = loadConfig(f.config, o);
          problems = configProblems(c);
          summary = `${c.instruments.length} instruments, store ${redactText(c.store.url)}, API on ${c.api.host}:${c.api.port}, role ${c.role}`;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          problems = e.message
            .split('\n')
            .filter((l) => l.startsWith('  '))
            .map((l) => l.trim());
          if (problems.length === 0) problems = [e.message];
        }
        if (problems.length) {
          console.error(`configuration has ${problems.length} problem(s):`);
          for (const p of problems) console.error(`  ${redactText(p)}`);
          process.exit(1);
        }
        console.log(`configuration OK: ${summary}`);
      },
    );
}
