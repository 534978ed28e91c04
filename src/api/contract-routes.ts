/**
 * Registration of the route table (src/contract/routes.ts) on fastify: each table entry gets its
 * handler, its request schemas validate params/query/body (api/params.ts zodValidatorCompiler: a 400
 * naming the parameter), and the handler's return type is the response schema's input. A JSON route of
 * the table without a handler, or a handler for no route, is a programming error found at start.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { routes, type RouteDef, type RouteName, type RouteRequest, type Routes } from '../contract/routes.ts';

/** A failure with an HTTP status, answered as the contract's ErrorBody by the server's error handler. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A JSON route's handler: parsed request in, the response body (schema input) out; throws ApiError. */
export type JsonHandler<K extends RouteName> = (
  req: RouteRequest<K> & { raw: FastifyRequest },
  reply: FastifyReply,
) => Promise<z.input<Routes[K]['response']>>;

/** Handlers of the JSON routes, by route name. */
export type JsonHandlers = {
  [K in RouteName as Routes[K]['kind'] extends 'json' ? K : never]: JsonHandler<K>;
};

/** Fastify schema of a table route (zod schemas, compiled by the server's validator compiler). */
export function fastifySchema(r: RouteDef): NonNullable<RouteShorthandOptions['schema']> {
  return {
    tags: [...r.tags],
    summary: r.summary,
    ...(r.params ? { params: r.params } : {}),
    ...(r.query ? { querystring: r.query } : {}),
    ...(r.body ? { body: r.body } : {}),
  };
}

/**
 * Register every JSON route of the table with its handler.
 * @throws {Error} when a JSON route has no handler or a handler names no JSON route
 */
export function registerJsonRoutes(api: FastifyInstance, handlers: JsonHandlers): void {
  const table = routes as Record<string, RouteDef>;
  for (const name of Object.keys(handlers))
    if (table[name]?.kind !== 'json') throw new Error(`handler ${name} has no JSON route in the table`);
  for (const [name, r] of Object.entries(table)) {
    if (r.kind !== 'json') continue;
    const h = (handlers as Record<string, JsonHandler<RouteName>>)[name];
    if (!h) throw new Error(`route ${name} (${r.method} ${r.path}) has no handler`);
    api.route({
      method: r.method,
      url: r.path,
      schema: fastifySchema(r),
      handler: async (req, reply) => {
        const body = await h(
          { params: req.params, query: req.query, body: req.body, raw: req } as RouteRequest<RouteName> & {
            raw: FastifyRequest;
          },
          reply,
        );
        if (r.status) reply.code(r.status);
        return body;
      },
    });
  }
}
