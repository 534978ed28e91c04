/**
 * `depthwatch sim --venue ID --file REC [--file REC2] [--port P] [--host H] [--speed max|N]
 *  [--faults SPEC] [--seed N] [--loop] [--hold off|served]`
 *
 * Serves recordings (any format openRecording() reads) as a local exchange: a WebSocket + HTTP server
 * on loopback speaking the venue's wire protocol (src/sim). Prints the URLs it listens on, then runs
 * until Ctrl-C (SIGINT/SIGTERM) and prints what it sent and which faults it injected. Point
 * `depthwatch run` (or any client) at the printed URLs instead of the venue's.
 *
 * The recording is loaded into memory first (the timeline is sorted, looped and scanned for snapshots).
 *
 * Exit codes: 0 stopped, 1 the recording cannot be read or the port cannot be bound, 2 usage error.
 */
import type { Command } from 'commander';
import { resolveVenueId } from '../util/venue-ids.ts';

interface SimCliOptions {
  venue: string;
  file: string[];
  port: string;
  host: string;
  speed: string;
  faults?: string;
  seed?: string;
  loop?: boolean;
  hold: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Register the command on the program. */
export function register(program: Command): void {
  program
    .command('sim')
    .description('serve recordings as a local exchange (WebSocket + REST) with optional fault injection')
    .requiredOption(
      '--venue <id>',
      'venue whose wire protocol to speak (binance, binance-usdm, binance-coinm, ...; aliases resolved)',
      resolveVenueId,
    )
    .requiredOption(
      '--file <path>',
      'recording file or directory (repeatable; merged by receive time)',
      collect,
      [],
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--speed <max|N>', 'as fast as clients read, or N times real time', 'max')
    .option(
      '--faults <spec>',
      'e.g. drop=0.001,duplicate=0.001,reorder=0.001,corrupt=0.0005,truncate=0.0005,delay=0.001:200,' +
        'disconnect=0.0001,stall=0.0001:3000,slowSnapshot=0.2:1500,failSnapshot=0.1:503,dropNth=BTCUSDT:100',
    )
    .option('--seed <n>', 'seed of the fault PRNG (same seed, same faults)', '1')
    .option('--loop', 'start over at the end of the recording (clients are disconnected and must resync)')
    .option(
      '--hold <mode>',
      'at a recorded REST snapshot, wait until a client was served it (served), never (off)',
      'off',
    )
    .action(async (o: SimCliOptions, cmd: Command) => {
      const usage = (msg: string): never =>
        cmd.error(`error: ${msg}`, { exitCode: 2, code: 'depthwatch.usage' });
      const { parseSpeedArg } = await import('./replay.ts');
      const { parseFaultSpec } = await import('../sim/faults.ts');
      const { simProtocol, simProtocols } = await import('../sim/protocols.ts');
      const speed = parseSpeedArg(o.speed);
      if (speed === null) usage(`--speed must be "max" or a positive number, got "${o.speed}"`);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        usage(`--port must be 0..65535, got "${o.port}"`);
      const seed = Number(o.seed ?? '1');
      if (!Number.isInteger(seed)) usage(`--seed must be an integer, got "${o.seed}"`);
      if (o.hold !== 'off' && o.hold !== 'served') usage(`--hold must be off or served, got "${o.hold}"`);
      if (o.venue === 'ssi') {
        if (o.file.length === 0) usage('at least one --file is required');
        await runSsiSim(o.file, port, o.host, o.faults ?? '', usage);
        return;
      }
      if (!simProtocols.has(o.venue))
        usage(`the simulator does not speak "${o.venue}"; supported: ${[...simProtocols.keys()].join(', ')}`);
      if (o.file.length === 0) usage('at least one --file is required');
      let faults;
      try {
        faults = o.faults ? parseFaultSpec(o.faults, seed) : { seed };
      } catch (e) {
        usage(`--faults: ${(e as Error).message}`);
      }
      await runSim({
        venue: o.venue,
        files: o.file,
        port,
        host: o.host,
        speed: speed!,
        faults: faults!,
        loop: o.loop === true,
        hold: o.hold as 'off' | 'served',
        protocol: simProtocol(o.venue),
      });
    });
}

/**
 * `sim --venue ssi --file X.jsonl…`: the local SSI FastConnect Data server (sim/venues/ssi.ts): the
 * AccessToken endpoint and the SignalR 2 hub serving the recorded `{DataType, Content}` lines. Faults:
 * `disconnect=N,tokenTtl=MS,rate429=N[:RETRY_AFTER_S]`.
 */
async function runSsiSim(
  files: string[],
  port: number,
  host: string,
  faultSpec: string,
  usage: (msg: string) => never,
): Promise<void> {
  const { SsiSimulator, parseSsiFaults, readSsiLines } = await import('../sim/venues/ssi.ts');
  let faults;
  try {
    faults = parseSsiFaults(faultSpec);
  } catch (e) {
    usage(`--faults: ${(e as Error).message}`);
  }
  let lines: string[];
  try {
    lines = await readSsiLines(files);
  } catch (e) {
    process.stderr.write(`depthwatch sim: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const sim = new SsiSimulator({ lines, faults: faults! });
  let base: string;
  try {
    base = await sim.listen(port, host);
  } catch (e) {
    process.stderr.write(`depthwatch sim: cannot listen on ${host}:${port}: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const out = process.stdout;
  out.write(`depthwatch sim: SSI FastConnect Data (ssi), ${lines.length} messages\n`);
  out.write(`  token  POST ${base}api/v2/Market/AccessToken\n`);
  out.write(`  hub    ${base}signalr (FcMarketDataV2Hub; SignalR 2 framing is synthetic)\n`);
  out.write('Ctrl-C to stop.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.close();
  out.write(
    `depthwatch sim: stopped; ${sim.stats.sent} messages sent to ${sim.stats.connections} connections ` +
      `(${sim.stats.subscriptions} subscriptions, ${sim.stats.disconnects} disconnects, ` +
      `${sim.stats.rateLimited} 429s, ${sim.stats.expiredClosed} expired-token closes)\n`,
  );
}

async function runSim(o: {
  venue: string;
  files: string[];
  port: number;
  host: string;
  speed: 'max' | number;
  faults: import('../sim/faults.ts').FaultConfig;
  loop: boolean;
  hold: 'off' | 'served';
  protocol: import('../sim/types.ts').SimProtocol;
}): Promise<void> {
  const { openRecording } = await import('../recording/open.ts');
  const { RecordingError } = await import('../recording/lines.ts');
  const { Simulator } = await import('../sim/simulator.ts');
  const { venue } = await import('../feeds/registry.ts');
  const { recordedReference } = await import('../app/simulator.ts');
  const frames = [];
  let reference: Awaited<ReturnType<typeof recordedReference>>;
  try {
    const rec = await openRecording(o.files, { venue: o.venue });
    for await (const f of rec) frames.push(f);
    reference = await recordedReference(o.venue, rec.files, rec.ignored, frames);
  } catch (e) {
    if (e instanceof RecordingError) {
      process.stderr.write(`depthwatch sim: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  if (frames.some((f) => f.kind === 'event')) {
    process.stderr.write(
      'depthwatch sim: this recording is an import of normalized events (e.g. Tardis CSV), not venue wire frames; use `depthwatch replay` or `depthwatch import`\n',
    );
    process.exitCode = 2;
    return;
  }
  let sim;
  try {
    sim = await Simulator.start({
      protocol: o.protocol,
      frames,
      reference,
      host: o.host,
      port: o.port,
      speed: o.speed,
      faults: o.faults,
      loop: o.loop,
      hold: o.hold,
    });
  } catch (e) {
    process.stderr.write(`depthwatch sim: cannot listen on ${o.host}:${o.port}: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const adapter = venue(o.venue);
  const symbols = new Set<string>();
  for (const f of frames) {
    if (f.kind !== 'ws') continue;
    const r = o.protocol.route(f.text);
    if (r?.symbol !== undefined && r.depth) symbols.add(r.symbol);
    if (symbols.size >= 3) break;
  }
  const example = [...symbols];
  const out = process.stdout;
  out.write(`depthwatch sim: ${adapter.name} (${o.venue}), ${frames.length} frames, speed ${o.speed}\n`);
  out.write(`  ws   ${sim.wsUrl}\n`);
  out.write(`  rest ${sim.restUrl}\n`);
  if (reference.length > 0)
    out.write(`  reference data: ${reference.length} recorded instrument-list bodies served\n`);
  if (example.length > 0) {
    out.write(`  e.g. ${adapter.subscribe(sim.wsUrl, example).url}\n`);
    if (adapter.snapshotRequest)
      out.write(`       ${adapter.snapshotRequest(sim.restUrl, example[0]!).url}\n`);
  }
  out.write('Ctrl-C to stop.\n');
  let stopping = false;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      stopping = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (!o.loop)
      void sim.finished.then(() => {
        if (!stopping)
          out.write(
            `depthwatch sim: end of recording (${sim.stats.framesSent} frames sent); still serving snapshots\n`,
          );
      });
  });
  await sim.close();
  const faults = Object.entries(sim.faults)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  out.write(
    `depthwatch sim: stopped; ${sim.stats.framesSent} frames (${sim.stats.bytesSent} bytes) sent to ` +
      `${sim.stats.connections} connections, ${sim.stats.snapshotsServed} snapshots served` +
      (faults ? `, faults: ${faults}` : '') +
      '\n',
  );
}
