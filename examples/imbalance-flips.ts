/**
 * Example bot on the client SDK (`depthwatch/client`): prints every flip of an instrument's top-N book
 * imbalance past ±threshold, with the consolidated best bid/offer of its group when the server runs
 * consolidation (else the instrument's own BBO). The same code runs against a live process
 * (`npm run demo`, `npm start`) and a replay server; only the URL differs.
 *
 *   npx tsx examples/imbalance-flips.ts [URL] [--threshold 0.3] [--seconds N] [--instrument ID]...
 *
 * URL defaults to http://127.0.0.1:8080/. Reconnects by itself when the server restarts.
 */
import { WebSocket } from 'ws';
import { createClient, type ConsolidatedView, type SocketLike } from 'depthwatch/client';

const args = process.argv.slice(2);
const flag = (name: string): string[] =>
  args.flatMap((a, i) => (a === `--${name}` && args[i + 1] !== undefined ? [args[i + 1]!] : []));
const url = args.find((a) => /^https?:\/\//.test(a)) ?? 'http://127.0.0.1:8080/';
const threshold = Number(flag('threshold')[0] ?? 0.3);
const seconds = Number(flag('seconds')[0] ?? 0);

const dw = createClient({ baseUrl: url, createSocket: (u) => new WebSocket(u) as unknown as SocketLike });

/** Instruments to watch: the flags, else every instrument of the server. */
const wanted = flag('instrument');
const instruments = wanted.length > 0 ? wanted : (await dw.instruments()).items.map((i) => i.instrument);
/** Group views by member instrument, kept current by the `consolidated` channel. */
const groupOf = new Map<string, ConsolidatedView>();
const groups = await dw.consolidatedList().catch(() => ({ items: [] as ConsolidatedView[] }));
for (const g of groups.items) for (const m of g.members) groupOf.set(m.instrument, g);
console.log(
  `watching ${instruments.length} instruments on ${url} for imbalance flips past ±${threshold}` +
    (groups.items.length > 0 ? ` (groups: ${groups.items.map((g) => g.group).join(', ')})` : ''),
);

const abort = new AbortController();
if (seconds > 0) setTimeout(() => abort.abort(), seconds * 1000);
process.on('SIGINT', () => abort.abort());

const side = new Map<string, -1 | 1>();
let flips = 0;
const fmt = (n: number | null | undefined, d = 2): string => (typeof n === 'number' ? n.toFixed(d) : '—');
for await (const m of dw.stream({
  channels: ['metrics', 'consolidated'],
  instruments: [...instruments, ...groups.items.map((g) => g.group)],
  throttleMs: 250,
  signal: abort.signal,
})) {
  if (m.channel === 'consolidated') {
    for (const mem of m.data.members) groupOf.set(mem.instrument, m.data);
    continue;
  }
  const s = m.data;
  const x = s.metrics.imbalanceTopN;
  if (s.state !== 'live' || x === null) continue;
  const now: -1 | 1 | 0 = x >= threshold ? 1 : x <= -threshold ? -1 : 0;
  const before = side.get(s.instrument);
  if (now === 0 || now === before) continue;
  side.set(s.instrument, now);
  if (before === undefined) continue; // the first side seen is not a flip
  flips++;
  const g = groupOf.get(s.instrument);
  const bbo = g
    ? `${g.group} BBO ${fmt(g.bestBid)} / ${fmt(g.bestAsk)} (${g.bestBidMembers.join('+')} / ${g.bestAskMembers.join('+')})`
    : `BBO ${fmt(s.metrics.bestBid)} / ${fmt(s.metrics.bestAsk)}`;
  console.log(
    `${new Date(s.localTs).toISOString()} ${s.instrument} imbalance ${now > 0 ? 'bid' : 'ask'}-heavy ${fmt(x, 3)}  ${bbo}`,
  );
}
console.log(`${flips} flips`);
