// depthwatch full path: the book path plus computeBookMetrics after every applied diff.
import { DepthwatchBook } from '../depthwatch-adapter.mjs';

export default {
  name: 'depthwatch-metrics',
  version: '0.1.0',
  description: 'depthwatch: book path + computeBookMetrics per applied diff',
  create: (market) => new DepthwatchBook(market, true),
};
