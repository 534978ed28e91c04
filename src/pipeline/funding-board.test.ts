import { describe, expect, it } from 'vitest';
import type { Funding } from '../core/model.ts';
import { FundingBoard, annualizedFundingRate, fundingRateNumber } from './funding-board.ts';
import { Engine, type PipelineStage } from './engine.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import { venues, venueSync } from '../feeds/registry.ts';

function funding(instrument: string, exchangeTs: number, rate = '0.0001', intervalHours = 8): Funding {
  return {
    type: 'funding',
    instrument,
    venue: instrument.split(':')[0]!,
    exchangeTs,
    localTs: exchangeTs + 5,
    fundingRate: rate,
    intervalHours,
    nextFundingTime: NaN,
  };
}

describe('FundingBoard', () => {
  it('keeps the latest per instrument, sorted; an older event is ignored and counted', () => {
    const b = new FundingBoard();
    expect(b.update(funding('okx:BTC-USDT-SWAP', 2000, '0.0002'))).toBe(true);
    expect(b.update(funding('binance-usdm:BTCUSDT', 1000))).toBe(true);
    expect(b.update(funding('okx:BTC-USDT-SWAP', 1500, '0.0009'))).toBe(false);
    expect(b.latest('okx:BTC-USDT-SWAP')!.fundingRate).toBe('0.0002');
    expect(b.update(funding('okx:BTC-USDT-SWAP', 2000, '0.0003'))).toBe(true); // same time: replaces
    expect(b.all().map((f) => f.instrument)).toEqual(['binance-usdm:BTCUSDT', 'okx:BTC-USDT-SWAP']);
    expect(b.counters).toEqual({ updates: 3, outOfOrder: 1 });
    // No exchange time (Hyperliquid): always the latest.
    expect(b.update(funding('okx:BTC-USDT-SWAP', NaN, '0.0004'))).toBe(true);
    expect(b.latest('okx:BTC-USDT-SWAP')!.fundingRate).toBe('0.0004');
    b.clear();
    expect(b.size).toBe(0);
  });

  it('annualizes per interval without compounding; NaN when the interval is unknown', () => {
    expect(annualizedFundingRate(funding('x:A', 1, '0.0001', 8))).toBeCloseTo(0.1095, 10);
    expect(annualizedFundingRate(funding('x:A', 1, '0.0000125', 1))).toBeCloseTo(0.1095, 10);
    expect(annualizedFundingRate(funding('x:A', 1, '-0.0002', 4))).toBeCloseTo(-0.438, 10);
    expect(annualizedFundingRate(funding('x:A', 1, '0.0001', NaN))).toBeNaN();
    expect(annualizedFundingRate(funding('x:A', 1, '0.0001', 0))).toBeNaN();
    expect(fundingRateNumber({ fundingRate: '' })).toBeNaN();
  });
});

describe('Engine and funding events', () => {
  const frame =
    '{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}';

  it('goes to the board, the stages and the bus topic `funding`; no book is created', () => {
    const bus = new InProcessBus<OutputTopics>();
    const seen: Funding[] = [];
    const staged: Funding[] = [];
    bus.subscribe('funding', (f) => seen.push(f));
    const stage: PipelineStage = {
      onBook: () => {},
      onTrade: () => {},
      onState: () => {},
      onFunding: (f) => staged.push(f),
    };
    const engine = new Engine({ sync: venueSync(venues), bus, stages: [stage] });
    const parser = venues.get('binance-usdm')!.createParser();
    engine.handleFrame('binance-usdm', parser, frame, 1562305380100);
    // The same push again, then an older one: the older is not passed on.
    engine.handleFrame('binance-usdm', parser, frame.replace('"E":1562305380000', '"E":1562305370000'), 1);
    expect(seen).toHaveLength(1);
    expect(staged).toEqual(seen);
    expect(engine.funding.latest('binance-usdm:BTCUSDT')).toEqual(seen[0]);
    expect(engine.funding.counters.outOfOrder).toBe(1);
    expect(engine.books.size).toBe(0);
  });

  it('a funding event of an unknown venue is dropped and counted unknown_instrument', () => {
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    engine.handleEvent(funding('nowhere:BTC', 1));
    expect(engine.dropped.nowhere).toEqual({ unknown_instrument: 1 });
    expect(engine.funding.size).toBe(0);
  });
});
