/**
 * `depthwatch alerts test --rules FILE REC... [--venue ID] [--from ISO|ms] [--to ISO|ms] [--json]
 *   [--pair NAME=FUTURE,SPOT] [--group NAME=A,B,...]`
 *
 * Backtests alert rules on recordings: the recording goes through the same Replay → Engine → analytics
 * path as live, every metrics sample and wall event goes through the AlertEngine on the recording's own
 * time, and the alerts that would have fired are printed (one line each: time, severity, instrument,
 * rule, value, message; with `--json`, one JSON object per line and a final `summary` object).
 * The rules file is YAML (or JSON): the `alerts` config section, either at the top level or under
 * `alerts:`; it is validated with alertsConfigSchema.
 *
 * Exit codes: 0 done, 1 the recording cannot be read, 2 usage error (bad rules file, bad option).
 */
import type { Command } from 'commander';
import type { Alert } from '../alerts/types.ts';

interface AlertsTestOptions {
  rules: string;
  venue?: string;
  from?: string;
  to?: string;
  json?: boolean;
  pair: string[];
  group: string[];
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Parse `NAME=A,B,...` (at least `min` members). @returns null when malformed */
export function parseNamedList(text: string, min: number): { name: string; members: string[] } | null {
  const i = text.indexOf('=');
  if (i <= 0) return null;
  const members = text
    .slice(i + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return members.length >= min ? { name: text.slice(0, i), members } : null;
}

/** One alert as a text line: ISO time, severity, instrument, rule, value, message. */
export function formatAlertLine(a: Alert): string {
  const t = new Date(a.ts).toISOString();
  const v = a.value === null ? '-' : Number(a.value.toPrecision(6)).toString();
  return `${t} ${a.severity.padEnd(8)} ${a.status === 'resolved' ? 'RESOLVED ' : ''}${a.instrument} ${a.ruleId} value=${v} ${a.message}`;
}

/** Register `alerts test` on the program. */
export function register(program: Command): void {
  const alerts = program.command('alerts').description('alert rules');
  alerts
    .command('test')
    .description('backtest alert rules on recordings: print the alerts that would have fired')
    .requiredOption('--rules <file>', 'YAML/JSON file with the alerts section (rules, builtins, ...)')
    .argument('<recordings...>', 'recording files or directories')
    .option('--venue <id>', 'venue id for recordings whose format does not tell it')
    .option('--from <iso|ms>', 'start of the time range (earlier frames only warm the books up)')
    .option('--to <iso|ms>', 'end of the time range')
    .option('--json', 'one JSON alert per line, then a summary object')
    .option('--pair <name=future,spot>', 'basis pair for basis rules (repeatable)', collect, [])
    .option(
      '--group <name=a,b,...>',
      'same pair across venues for divergence rules (repeatable)',
      collect,
      [],
    )
    .action(async (paths: string[], o: AlertsTestOptions, cmd: Command) => {
      const usage = (msg: string): never =>
        cmd.error(`error: ${msg}`, { exitCode: 2, code: 'depthwatch.usage' });
      const { parseTimeArg } = await import('./replay.ts');
      const from = o.from === undefined ? undefined : parseTimeArg(o.from);
      const to = o.to === undefined ? undefined : parseTimeArg(o.to);
      if (from !== undefined && Number.isNaN(from))
        usage(`--from must be an ISO date-time or ms, got "${o.from}"`);
      if (to !== undefined && Number.isNaN(to)) usage(`--to must be an ISO date-time or ms, got "${o.to}"`);
      const pairs = o.pair.map((p) => {
        const r = parseNamedList(p, 2);
        if (!r || r.members.length !== 2) return usage(`--pair must be NAME=FUTURE,SPOT, got "${p}"`);
        return { name: r.name, future: r.members[0]!, spot: r.members[1]! };
      });
      const groups = o.group.map((g) => {
        const r = parseNamedList(g, 2);
        if (!r) return usage(`--group must be NAME=A,B[,...], got "${g}"`);
        return { name: r.name, instruments: r.members };
      });
      await runAlertsTest(paths, { ...o, from, to, pairs, groups }, usage);
    });
}

async function runAlertsTest(
  paths: string[],
  o: Omit<AlertsTestOptions, 'from' | 'to'> & {
    from: number | undefined;
    to: number | undefined;
    pairs: { name: string; future: string; spot: string }[];
    groups: { name: string; instruments: string[] }[];
  },
  usage: (msg: string) => never,
): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const YAML = await import('yaml');
  const { z } = await import('zod');
  const { AlertEngine } = await import('../alerts/engine.ts');
  const { openRecording } = await import('../recording/open.ts');
  const { RecordingError } = await import('../recording/lines.ts');
  const { Replay } = await import('../replay/replay.ts');

  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(o.rules, 'utf8'));
  } catch (e) {
    return usage(`cannot read rules file ${o.rules}: ${(e as Error).message}`);
  }
  const section =
    raw !== null && typeof raw === 'object' && 'alerts' in raw
      ? (raw as { alerts: unknown }).alerts
      : (raw ?? {});
  const fired: Alert[] = [];
  const print = (a: Alert): void => {
    if (o.from !== undefined && a.ts < o.from) return; // warm-up before --from: state builds, nothing printed
    fired.push(a);
    process.stdout.write(
      (o.json
        ? JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
        : formatAlertLine(a)) + '\n',
    );
  };
  let engine: InstanceType<typeof AlertEngine>;
  try {
    engine = new AlertEngine(section as object, print);
  } catch (e) {
    if (e instanceof z.ZodError) return usage(`invalid rules file ${o.rules}:\n${z.prettifyError(e)}`);
    return usage(`invalid rules file ${o.rules}: ${(e as Error).message}`);
  }

  let replay: InstanceType<typeof Replay>;
  try {
    const recording = await openRecording(paths, o.venue ? { venue: o.venue } : {});
    replay = new Replay(recording, {
      ...(o.venue ? { venue: o.venue } : {}),
      ...(o.from !== undefined ? { from: o.from } : {}),
      ...(o.to !== undefined ? { to: o.to } : {}),
      engine: { analytics: { cross: { pairs: o.pairs, groups: o.groups, maxAgeMs: 5_000 } } },
    });
  } catch (e) {
    if (e instanceof RecordingError) {
      process.stderr.write(`depthwatch alerts test: ${e.message}\n`);
      process.exitCode = e.code === 'usage' ? 2 : 1;
      return;
    }
    throw e;
  }
  const { connectAlerts } = await import('../alerts/wire.ts');
  connectAlerts(replay.bus, engine);
  const result = await replay.run();
  const byRule: Record<string, number> = {};
  for (const a of fired) byRule[a.ruleId] = (byRule[a.ruleId] ?? 0) + 1;
  const summary = {
    frames: result.frames,
    alerts: fired.length,
    byRule,
    suppressed: engine.stats,
    rules: engine.rules.map((r) => r.id),
  };
  if (o.json) process.stdout.write(JSON.stringify({ summary }) + '\n');
  else {
    process.stdout.write(
      `\n${fired.length} alert(s) over ${result.frames} frames; by rule: ${
        Object.entries(byRule)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'none'
      }\n` +
        `suppressed: cooldown ${engine.stats.cooledDown}, duplicate ${engine.stats.deduplicated}, rate-limited ${engine.stats.rateLimited}\n`,
    );
  }
}
