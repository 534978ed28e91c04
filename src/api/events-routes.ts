/**
 * History of the consolidation stage's events over HTTP (registered from api/server.ts; errors as
 * everywhere: `{statusCode, error, message}`, 400 naming the bad parameter, 501 when the store keeps no
 * analytics events):
 * - `GET /api/v1/history/events?group=&instrument=&kind=&from=&to=&limit=&cursor=` → EventsResponse
 *   `{events, nextCursor}`: stored crossed-market events (`kind=crossed`: one row per open, new maximum
 *   edge and close, `valueBps` the net edge) and basis samples (`kind=basis`: one row per derivative
 *   member per sampling interval, `valueBps` the basis), newest first (`ts`, then id). Filters: the
 *   consolidation group, an instrument (either side of a crossing, or the basis member), the kind, and
 *   the event time (ms since epoch UTC or ISO 8601; `from` inclusive, `to` exclusive). `limit` 1-1000
 *   (default 100); pass `nextCursor` as `cursor` for the next page. Row layout: store/event-rows.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ANALYTICS_EVENT_KINDS,
  type AnalyticsEventKind,
  type AnalyticsEventPage,
  type HistoryStore,
} from '../store/types.ts';
import { timeParam, zodRouteSchema } from './params.ts';

/** `GET /api/v1/history/events`: newest first; `nextCursor` is null on the last page. */
export type EventsResponse = AnalyticsEventPage;

/** Query of `GET /api/v1/history/events` (every filter optional). */
export const eventsQuery = z.object({
  group: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a consolidation group name (letters, digits, . _ -)')
    .optional()
    .describe('consolidation group, e.g. BTC-USD'),
  instrument: z
    .string()
    .regex(/^[^:\s]+:[^\s]+$/, 'must be <venue>:<symbol>, e.g. binance:BTCUSDT')
    .max(128)
    .optional()
    .describe('member instrument: either side of a crossing, or the basis member'),
  kind: z
    .enum(ANALYTICS_EVENT_KINDS as [AnalyticsEventKind, ...AnalyticsEventKind[]])
    .optional()
    .describe('crossed (crossed markets) or basis'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (1-1000, default 100)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'not a cursor returned by this API')
    .optional()
    .describe('`nextCursor` of the previous page'),
});

/** Register the events history route on `api` (inside the API plugin, after swagger). */
export function registerEventRoutes(api: FastifyInstance, deps: { store: HistoryStore }): void {
  const { store } = deps;
  api.get<{ Querystring: z.output<typeof eventsQuery> }>(
    '/api/v1/history/events',
    {
      schema: {
        tags: ['history'],
        summary:
          'Stored crossed-market and basis events of the consolidated groups, newest first, with cursor pagination',
        querystring: zodRouteSchema(eventsQuery),
      },
    },
    async (req, reply) => {
      if (!store.queryAnalyticsEvents)
        return reply.code(501).send({
          statusCode: 501,
          error: 'Not Implemented',
          message: 'this history store keeps no analytics events',
        });
      const { from, to } = req.query;
      if (from !== undefined && to !== undefined && from >= to)
        return reply
          .code(400)
          .send({ statusCode: 400, error: 'Bad Request', message: 'from must be before to' });
      const body: EventsResponse = await store.queryAnalyticsEvents(req.query);
      return body;
    },
  );
}
