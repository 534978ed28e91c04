/**
 * The pure parts of the news path on hand-made input: tagging rules, canonical links and titles, HTML
 * stripping, the VADER text, Atom and CryptoPanic parsing and refusals, rolling/recency-weighted
 * sentiment, bursts, sentiment moves, series, and the replay server's re-timing and conditional answers.
 */
import { describe, expect, it } from 'vitest';
import vader from 'vader-sentiment';
import { AssetTagger, baseOfSymbol, instrumentsFor, mergeAliases } from './assets.ts';
import { canonicalLink, htmlToPlainText, normalizeTitle, sentimentText, truncateText } from './text.ts';
import { scoreItem, sentimentLabel } from './sentiment.ts';
import { MalformedFeedError, parseCryptoPanic, parseFeedDocument, parseXmlFeed } from './parse.ts';
import { NewsSignals, burstState, sentimentSeries, sentimentWindow, type ScoredItem } from './aggregate.ts';
import { charsetOf, parseRetryAfter } from './fetch.ts';
import { startNewsReplayServer } from './replay-server.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('asset tagging', () => {
  const t = new AssetTagger();
  it('matches names in any case and tickers only in their own case, as whole words', () => {
    expect(t.tag('bitcoin and ETHEREUM rally')).toEqual(['BTC', 'ETH']);
    expect(t.tag('$SOL and $ETH pump')).toEqual(['ETH', 'SOL']);
    expect(t.tag('the sol of a dot on a link')).toEqual([]);
    expect(t.tag('Bitcoiners and Ethereumish')).toEqual([]);
    expect(t.tag("Solana's fees; Ripple’s case")).toEqual(['SOL', 'XRP']);
  });
  it('prefers the longest alias at one position: "Bitcoin Cash" is BCH, not BTC', () => {
    expect(t.tag('Bitcoin Cash hard fork')).toEqual(['BCH']);
    expect(t.tag('Bitcoin Cash and Bitcoin')).toEqual(['BCH', 'BTC']);
    expect(t.tag('Ethereum Classic miners')).toEqual(['ETC']);
  });
  it('takes configured aliases over the defaults; an empty list removes a code', () => {
    const c = new AssetTagger(mergeAliases({ WIF: ['dogwifhat', 'WIF'], DOT: [] }));
    expect(c.tag('dogwifhat and WIF and Polkadot DOT')).toEqual(['WIF']);
    expect(c.codes.has('BTC')).toBe(true);
  });
  it('maps venue symbols to assets and assets to followed instruments', () => {
    expect(baseOfSymbol('BTCUSDT')).toBe('BTC');
    expect(baseOfSymbol('BTC-USDT-SWAP')).toBe('BTC');
    expect(baseOfSymbol('XBT/USD')).toBe('XBT');
    expect(baseOfSymbol('ETHUSD_PERP')).toBe('ETH');
    expect(baseOfSymbol('WEIRD')).toBeNull();
    expect(t.assetOfBase('XBT')).toBe('BTC');
    const ids = ['binance:BTCUSDT', 'kraken:XBT/USD', 'okx:ETH-USDT', 'binance-coinm:ETHUSD_PERP', 'x:WEIRD'];
    expect(instrumentsFor(['ETH'], ids, t)).toEqual(['binance-coinm:ETHUSD_PERP', 'okx:ETH-USDT']);
    expect(instrumentsFor(['BTC'], ids, t)).toEqual(['binance:BTCUSDT', 'kraken:XBT/USD']);
    expect(instrumentsFor([], ids, t)).toEqual([]);
  });
});

describe('text', () => {
  it('canonical links drop tracking, fragment, www and trailing slash', () => {
    expect(canonicalLink('http://WWW.Example.com/a/b/?utm_source=rss&id=2&utm_medium=x#top')).toBe(
      'https://example.com/a/b?id=2',
    );
    expect(canonicalLink('https://example.com/')).toBe('https://example.com');
    expect(canonicalLink('ftp://example.com/x')).toBe('');
    expect(canonicalLink('not a url')).toBe('');
    expect(canonicalLink(null)).toBe('');
  });
  it('normalized titles ignore case, quotes, dashes and accents', () => {
    expect(normalizeTitle('Bitcoin’s ETF — Approved!')).toBe(normalizeTitle("bitcoin's etf: approved"));
    expect(normalizeTitle('Café Crème')).toBe('cafe creme');
  });
  it('strips HTML (images, links, entities) to one line of text', () => {
    expect(
      htmlToPlainText(
        '<p style="x"><img src="a.jpg" alt="pic"/>Fees &amp; <a href="https://x">bids</a>\n <b>rose</b></p><p>2%</p>',
      ),
    ).toBe('Fees & bids rose 2%');
    expect(htmlToPlainText('  plain   text ')).toBe('plain text');
    expect(htmlToPlainText('')).toBe('');
  });
  it('truncates at a word boundary with an ellipsis', () => {
    const long = 'word '.repeat(200);
    const cut = truncateText(long, 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut.endsWith('word…')).toBe(true);
  });
  it('scores title and summary as two sentences, equal to vader-sentiment on that text', () => {
    expect(sentimentText('Bitcoin soars', 'Great day.')).toBe('Bitcoin soars. Great day.');
    expect(sentimentText('Bitcoin soars!', 'Great day.')).toBe('Bitcoin soars! Great day.');
    expect(sentimentText('Bitcoin soars', '')).toBe('Bitcoin soars');
    const s = scoreItem('Exchange hacked, funds stolen', 'Users fear heavy losses.');
    const ref = vader.SentimentIntensityAnalyzer.polarity_scores(
      'Exchange hacked, funds stolen. Users fear heavy losses.',
    );
    expect(s.compound).toBe(ref.compound);
    expect(s.compound).toBeLessThan(-0.5);
    expect(sentimentLabel(s.compound)).toBe('negative');
    expect(sentimentLabel(0.01)).toBe('neutral');
  });
});

describe('parsing', () => {
  it('reads Atom entries (published, else updated) and HTML content', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
      <link href="https://atom.example/"/><id>urn:x</id><updated>2026-01-02T00:00:00Z</updated>
      <entry><id>urn:1</id><title>Ether gains</title><link href="https://atom.example/1"/>
        <published>2026-01-01T10:00:00+02:00</published><summary type="html">&lt;b&gt;Up&lt;/b&gt; 5%</summary></entry>
      <entry><id>urn:2</id><title type="html">Dogecoin &amp;amp; memes</title><link href="https://atom.example/2"/>
        <updated>2026-01-01T12:00:00Z</updated><content type="html">&lt;p&gt;Fun&lt;/p&gt;</content></entry>
      <entry><id>urn:3</id><title></title></entry></feed>`;
    const f = parseFeedDocument(atom);
    expect(f.format).toBe('atom');
    expect(f.skipped).toBe(1);
    expect(f.items.map((i) => [i.title, i.summary, i.publishedAt])).toEqual([
      ['Ether gains', 'Up 5%', Date.UTC(2026, 0, 1, 8)],
      ['Dogecoin & memes', 'Fun', Date.UTC(2026, 0, 1, 12)],
    ]);
  });
  it('refuses documents that are no feed, with a typed error', () => {
    expect(() => parseXmlFeed('<html><body>x</body></html>')).toThrow(MalformedFeedError);
    expect(() => parseFeedDocument('   ')).toThrow(/empty/);
    expect(() => parseCryptoPanic('{"results": 3}')).toThrow(expect.objectContaining({ code: 'bad_shape' }));
    expect(() => parseCryptoPanic('{oops')).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });
  it('reads a CryptoPanic API answer with its wrapper, skipping posts without a title', () => {
    const doc = JSON.stringify({
      count: 2,
      next: null,
      results: [
        {
          id: 7,
          title: 'XRP news',
          url: 'https://cryptopanic.com/news/7/x',
          published_at: '2023-05-20T12:00:00Z',
          currencies: [{ code: 'xrp' }],
          votes: { positive: 2 },
          source: { title: 'Wire' },
          kind: 'news',
        },
        { id: 8, url: 'https://cryptopanic.com/news/8/y' },
      ],
    });
    const f = parseFeedDocument(doc);
    expect(f.format).toBe('cryptopanic');
    expect(f.skipped).toBe(1);
    expect(f.items[0]).toMatchObject({
      guid: 'cryptopanic:7',
      feedAssets: ['XRP'],
      outlet: 'Wire',
      kind: 'news',
    });
    expect(f.items[0]!.votes).toMatchObject({ positive: 2, negative: 0 });
  });
});

describe('aggregates', () => {
  const H = 3_600_000;
  const NOW = Date.UTC(2026, 0, 1, 12);
  const it_ = (agoMs: number, compound: number, assets = ['BTC']): ScoredItem => ({
    publishedAt: NOW - agoMs,
    assets,
    sentiment: { compound, pos: 0, neu: 1, neg: 0 },
  });

  it('count-weighted and recency-weighted means over a window (half-life window/4)', () => {
    const items = [it_(0, 0.8), it_(30 * 60_000, -0.4), it_(2 * H, 1, ['BTC']), it_(0, 0.5, ['ETH'])];
    const w = sentimentWindow(items, 'BTC', NOW, H);
    expect(w.count).toBe(2);
    expect(w.mean).toBeCloseTo(0.2, 12);
    // weights 1 and 2^-2 = 0.25: (0.8 - 0.1) / 1.25
    expect(w.recencyMean).toBeCloseTo(0.56, 12);
    expect([w.positive, w.negative, w.neutral]).toEqual([1, 1, 0]);
    expect(sentimentWindow(items, '*', NOW, H).count).toBe(3);
    expect(sentimentWindow([], 'BTC', NOW, H)).toMatchObject({ count: 0, mean: null, recencyMean: null });
    // An item from the future (clock skew) is not in the window.
    expect(sentimentWindow([it_(-60_000, 1)], 'BTC', NOW, H).count).toBe(0);
  });

  it('burst: enough items and a multiple of the baseline rate', () => {
    const quiet = Array.from({ length: 24 }, (_, i) => it_((i + 1) * H, 0));
    const three = [it_(60_000, 0), it_(120_000, 0), it_(180_000, 0)];
    expect(burstState(quiet, 'BTC', NOW).active).toBe(false);
    const b = burstState([...quiet, ...three], 'BTC', NOW);
    // 24 items a day → 0.25 expected per 15 min; 3 is 12×
    expect(b).toMatchObject({ count: 3, active: true });
    expect(b.expected).toBeCloseTo(0.25, 12);
    // A busy asset (24 an hour) needs far more.
    const busy = Array.from({ length: 24 * 24 }, (_, i) => it_(15 * 60_000 + i * 150_000, 0));
    expect(burstState([...busy, ...three], 'BTC', NOW).active).toBe(false);
  });

  it('signals: one burst alert per episode, a sentiment-move alert, cooldown respected', () => {
    const sig = new NewsSignals(['BTC'], { cooldownMs: H });
    sig.add(Array.from({ length: 10 }, (_, i) => it_((i + 2) * H, 0.5)));
    expect(sig.evaluate(NOW)).toEqual([]);
    sig.add([it_(60_000, -0.9), it_(120_000, -0.8), it_(180_000, -0.7)]);
    const fired = sig.evaluate(NOW);
    expect(fired.map((a) => a.ruleId).sort()).toEqual(['news_burst', 'news_sentiment_move']);
    const move = fired.find((a) => a.ruleId === 'news_sentiment_move')!;
    expect(move.instrument).toBe('news:BTC');
    expect(move.value!).toBeLessThan(-0.35);
    expect(move.message).toMatch(/^\[warning\] news:BTC news_sentiment_move: BTC news sentiment down/);
    // Still holding a minute later: no repeat.
    expect(sig.evaluate(NOW + 60_000)).toEqual([]);
    // Unwatched assets never alert.
    const other = new NewsSignals(['ETH']);
    other.add([it_(60_000, -0.9), it_(120_000, -0.8), it_(180_000, -0.7)]);
    expect(other.evaluate(NOW)).toEqual([]);
  });

  it('series: counts, bucket means and rolling means per bucket', () => {
    const items = [it_(10 * 60_000, 0.6), it_(20 * 60_000, -0.2), it_(50 * 60_000, 0.4)];
    const s = sentimentSeries(items, 'BTC', NOW - H, NOW, 15 * 60_000);
    expect(s.map((p) => p.count)).toEqual([1, 0, 1, 1]);
    expect(s[1]!.mean).toBeNull();
    expect(s[3]!.rolling24h).toBeCloseTo((0.6 - 0.2 + 0.4) / 3, 12);
    expect(() => sentimentSeries(items, 'BTC', NOW, NOW, 60_000)).toThrow(RangeError);
  });
});

describe('fetch helpers', () => {
  it('reads Retry-After as seconds or a date, and the charset from headers or the XML prolog', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(
      60_000,
    );
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(charsetOf('text/xml; charset=ISO-8859-1', new Uint8Array())).toBe('iso-8859-1');
    expect(
      charsetOf(null, new TextEncoder().encode('<?xml version="1.0" encoding="windows-1252"?><rss/>')),
    ).toBe('windows-1252');
    expect(charsetOf('application/rss+xml', new Uint8Array())).toBe('utf-8');
  });
});

describe('replay server', () => {
  it('re-times items onto [start − backfill, start + play], serves only those out, answers 304 when unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-replay-'));
    const day = Date.UTC(2019, 0, 31);
    const items = [0, 1, 2, 3].map(
      (i) =>
        `<item><title>Bitcoin item ${i}</title><link>https://x.example/${i}</link><pubDate>${new Date(day + i * 3_600_000).toUTCString()}</pubDate></item>`,
    );
    writeFileSync(
      join(dir, 'wire-2019.rss'),
      `<rss version="2.0"><channel><title>W</title><link>https://x.example</link>${items.join('')}</channel></rss>`,
    );
    writeFileSync(
      join(dir, 'cp.json'),
      JSON.stringify([
        { id: 1, title: 'A', published_at: '2023-05-20T00:00:00Z' },
        { id: 2, title: 'B', published_at: '2023-05-20T01:00:00Z' },
      ]),
    );
    let clock = Date.UTC(2026, 0, 1, 12);
    const start = clock;
    const srv = await startNewsReplayServer({
      dir,
      files: ['wire-2019.rss', 'cp.json'],
      backfillMs: 60_000,
      playMs: 120_000,
      now: () => clock,
    });
    try {
      expect(srv.sources.map((s) => [s.id, s.kind, s.replayed])).toEqual([
        ['wire-2019', 'rss', true],
        ['cp', 'cryptopanic', true],
      ]);
      // Items at start−60 s, start, start+60 s, start+120 s: two are out.
      let r = await fetch(srv.sources[0]!.url);
      const feed = parseXmlFeed(await r.text());
      expect(feed.items.map((i) => [i.title, i.publishedAt])).toEqual([
        ['Bitcoin item 0', start - 60_000],
        ['Bitcoin item 1', start],
      ]);
      const etag = r.headers.get('etag')!;
      r = await fetch(srv.sources[0]!.url, { headers: { 'if-none-match': etag } });
      expect(r.status).toBe(304);
      clock += 61_000;
      r = await fetch(srv.sources[0]!.url, { headers: { 'if-none-match': etag } });
      expect(r.status).toBe(200);
      expect(parseXmlFeed(await r.text()).items).toHaveLength(3);
      const cp = parseCryptoPanic(await (await fetch(srv.sources[1]!.url)).text());
      // A at start − 60 s is out, B at start + 120 s not yet.
      expect(cp.items.map((i) => [i.title, i.publishedAt])).toEqual([['A', start - 60_000]]);
      expect(srv.stats()).toEqual([
        { file: 'wire-2019.rss', items: 4, released: 3 },
        { file: 'cp.json', items: 2, released: 1 },
      ]);
      expect((await fetch(`${srv.url}/nope.rss`)).status).toBe(404);
    } finally {
      await srv.close();
    }
  });
});
