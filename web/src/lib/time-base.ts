/**
 * The dashboard's time base (`/healthz` `timeBase`): `exchange` on live feeds, `recorded` when the feeds
 * replay recordings (demo, serve): then the panels' clock is the receive time (now) and the venues' own
 * times are the recording's. App.vue provides it under {@link TIME_BASE_KEY}; panels inject it.
 */
export type TimeBase = 'exchange' | 'recorded';

/** provide/inject key of the time base (a `Ref<TimeBase | null>`; null until `/healthz` answered). */
export const TIME_BASE_KEY = 'depthwatch.timeBase';
