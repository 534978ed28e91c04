// depthwatch book path: BinanceParser → InstrumentBook (sync rule, integrity) → L2Book reads.
import { DepthwatchBook } from '../depthwatch-adapter.mjs';

export default {
  name: 'depthwatch',
  version: '0.1.0',
  description: 'depthwatch: BinanceParser → InstrumentBook → L2Book',
  create: (market) => new DepthwatchBook(market, false),
};
