/**
 * `npm run bench -- parsers [--venues a,b] [--rounds N] [--max-frames N]`: each venue's frame parser
 * against `JSON.parse` of the same frames, on that venue's real recording (the table in
 * src/app/venue-recordings.ts, venues of the registry only).
 *
 * Per venue: the recording's WebSocket frames (the first `--max-frames`, default 20,000, in recorded
 * order) are parsed by a fresh parser per pass (parsers are per connection and stateful: channel ids,
 * chains), then by `JSON.parse` alone, alternating, `--rounds` times (default 7, after one warm-up);
 * a round repeats the pass until it has covered at least 100,000 frames, so small recordings are timed
 * over tens of milliseconds too. Frames a parser rejects still count (it did the work of rejecting them).
 * Prints ns/frame of both (the fastest round: the least disturbed by other load on the machine) and the
 * ratio parser / JSON.parse, the cost of field checks, exact decimals and normalization over the bare
 * JSON floor.
 */
import { venues } from '../src/feeds/registry.ts';
import { openRecording } from '../src/recording/index.ts';
import { recordedVenues } from '../src/app/venue-recordings.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const rounds = Number(arg('rounds') ?? 7);
const MIN_FRAMES_PER_ROUND = 100_000;
const maxFrames = Number(arg('max-frames') ?? 20_000);
const only = arg('venues')?.split(',');

interface Row {
  venue: string;
  frames: number;
  parserNs: number;
  jsonNs: number;
  rejected: number;
}

const rows: Row[] = [];
for (const { venue, files } of recordedVenues()) {
  if (only && !only.includes(venue)) continue;
  const texts: string[] = [];
  for await (const f of await openRecording([...files], { venue })) {
    if (f.kind !== 'ws') continue;
    texts.push(f.text);
    if (texts.length >= maxFrames) break;
  }
  if (texts.length === 0) continue;
  const adapter = venues.get(venue)!;
  const passes = Math.max(1, Math.ceil(MIN_FRAMES_PER_ROUND / texts.length));
  let rejected = 0;
  const parseRound = (count: boolean): number => {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < passes; k++) {
      const p = adapter.createParser();
      for (let i = 0; i < texts.length; i++) {
        try {
          p.parse(texts[i]!, 0);
        } catch {
          if (count && k === 0) rejected++;
        }
      }
    }
    return Number(process.hrtime.bigint() - t0) / passes;
  };
  let sink = 0;
  const jsonRound = (): number => {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < passes; k++)
      for (let i = 0; i < texts.length; i++) {
        try {
          sink += JSON.parse(texts[i]!) === null ? 1 : 0;
        } catch {
          sink++;
        }
      }
    return Number(process.hrtime.bigint() - t0) / passes;
  };
  parseRound(true);
  jsonRound();
  const p: number[] = [];
  const j: number[] = [];
  for (let r = 0; r < rounds; r++) {
    p.push(parseRound(false));
    j.push(jsonRound());
  }
  rows.push({
    venue,
    frames: texts.length,
    parserNs: Math.min(...p) / texts.length,
    jsonNs: Math.min(...j) / texts.length,
    rejected: rejected + (sink < 0 ? 1 : 0),
  });
}

const pad = (s: string, n: number): string => s.padStart(n);
console.log(
  `parsers vs JSON.parse, fastest of ${rounds} rounds (ns per frame; frames rejected by the parser)`,
);
console.log(
  `${'venue'.padEnd(16)}${pad('frames', 8)}${pad('parser', 10)}${pad('JSON.parse', 12)}${pad('ratio', 8)}${pad('rejected', 10)}`,
);
for (const r of rows)
  console.log(
    `${r.venue.padEnd(16)}${pad(String(r.frames), 8)}${pad(r.parserNs.toFixed(0), 10)}${pad(r.jsonNs.toFixed(0), 12)}${pad((r.parserNs / r.jsonNs).toFixed(2), 8)}${pad(String(r.rejected), 10)}`,
  );
