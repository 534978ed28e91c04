/**
 * The OpenAPI 3.1 document of the REST API and the AsyncAPI 3.0 document of the WebSocket protocol,
 * generated from the route table (routes.ts) and the channel schemas (ws.ts): served at
 * `/docs/openapi.json` and `/docs/asyncapi.json`. Request schemas are documented as their input (what
 * a caller sends: times as ms or ISO strings), responses as their output. Pure.
 */
import { z } from 'zod';
import { ErrorBody } from './common.ts';
import { routeErrors, routes, type RouteDef } from './routes.ts';
import { OPEN_PATHS } from './auth.ts';
import { WS_CHANNELS, WS_CHANNEL_DOCS, WS_PAYLOADS, WsClientMessage, WsControlMessage } from './ws.ts';

type Json = Record<string, unknown>;

/** JSON Schema (2020-12, as OpenAPI 3.1 takes it) of a zod schema. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const j = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete j.$schema;
  return j;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad parameter (the message names it)',
  401: 'Missing, unknown or revoked API key (`WWW-Authenticate: Bearer`), once the server has keys',
  403: 'The key lacks the scope (`admin` for state changes), or the WebSocket Origin is not allowed',
  404: 'Unknown instrument, group, session or route',
  409: 'Conflicting state',
  413: 'Request body over the size limit',
  429: 'Too many requests or connections (`Retry-After`, `x-ratelimit-*` headers)',
  501: 'Not available on this node (store or feature off)',
  503: 'Not ready, or too many history queries at once (`Retry-After`)',
};

function operation(name: string, r: RouteDef): Json {
  const parameters: Json[] = [];
  const add = (obj: z.ZodObject | undefined, where: 'path' | 'query'): void => {
    if (!obj) return;
    const s = jsonSchema(obj, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [pname, ps] of Object.entries(s.properties ?? {})) {
      const { description, ...schema } = ps;
      parameters.push({
        name: pname,
        in: where,
        required: where === 'path' || (s.required ?? []).includes(pname),
        ...(description ? { description } : {}),
        schema,
      });
    }
  };
  add(r.params, 'path');
  add(r.query, 'query');
  const responses: Json = {};
  const status = String(r.status ?? 200);
  if (r.kind === 'text')
    responses[status] = { description: r.summary, content: { 'text/plain': { schema: { type: 'string' } } } };
  else if (r.kind === 'ws') responses['101'] = { description: 'Switching to the WebSocket protocol' };
  else
    responses[status] = {
      description: r.summary,
      content: { 'application/json': { schema: jsonSchema(r.response, 'output') } },
    };
  for (const code of routeErrors(r))
    responses[String(code)] = {
      description: STATUS_TEXT[code] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
  return {
    operationId: name,
    summary: r.summary,
    tags: [...r.tags],
    ...(parameters.length > 0 ? { parameters } : {}),
    // An API key once the server has any (README "Security"); the probes are always open.
    ...(OPEN_PATHS.includes(r.path) ? { security: [] } : { security: [{ bearer: [] }] }),
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(r.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every route in the table. */
export function openApiDocument(info: { version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const [name, r] of Object.entries(routes) as [string, RouteDef][]) {
    const p = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[p] ??= {})[r.method.toLowerCase()] = operation(name, r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'depthwatch API',
      version: info.version,
      description:
        'Verified order books, metrics, analytics, consolidation, history, alerts, news and replay. Times are ms since epoch UTC (`localTs`, `exchangeTs`); lists are `{items, nextCursor}`; unknown numbers are null. WebSocket protocol: /docs/asyncapi.json.',
    },
    paths,
    components: {
      schemas: { ErrorBody: jsonSchema(ErrorBody, 'output') },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'API key `dwk_<id>_<secret>` (`depthwatch keys create`); required once the server has keys. The WebSocket takes the same header, or `?token=` from POST /api/v1/auth/ws-token.',
        },
      },
    },
  };
}

/** The AsyncAPI 3.0 document of the `/ws` protocol. */
export function asyncApiDocument(info: { version: string; host?: string }): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {
    clientMessage: { name: 'clientMessage', payload: jsonSchema(WsClientMessage, 'input') },
    controlMessage: { name: 'controlMessage', payload: jsonSchema(WsControlMessage, 'output') },
  };
  for (const c of WS_CHANNELS) {
    messages[c] = {
      name: c,
      summary: WS_CHANNEL_DOCS[c],
      payload: {
        type: 'object',
        required: ['channel', 'instrument', 'data'],
        properties: {
          channel: { const: c },
          instrument: { type: 'string', description: 'the subscription key the data is for' },
          data: jsonSchema(WS_PAYLOADS[c], 'output'),
        },
      },
    };
  }
  channels.ws = {
    address: '/ws',
    description:
      'One WebSocket carries every channel. Send `{"op":"subscribe","channel":C,"instrument":KEY,"throttleMs"?:N}`; data arrives as `{channel, instrument, data}`.',
    messages: Object.fromEntries(
      Object.keys(messages).map((m) => [m, { $ref: `#/components/messages/${m}` }]),
    ),
  };
  operations.send = {
    action: 'receive',
    channel: { $ref: '#/channels/ws' },
    summary: 'Client → server: subscribe, unsubscribe, ping',
    messages: [{ $ref: '#/channels/ws/messages/clientMessage' }],
  };
  operations.receive = {
    action: 'send',
    channel: { $ref: '#/channels/ws' },
    summary: 'Server → client: channel data and control messages',
    messages: [
      ...WS_CHANNELS.map((c) => ({ $ref: `#/channels/ws/messages/${c}` })),
      { $ref: '#/channels/ws/messages/controlMessage' },
    ],
  };
  return {
    asyncapi: '3.0.0',
    info: { title: 'depthwatch WebSocket API', version: info.version },
    servers: { local: { host: info.host ?? '127.0.0.1:8080', protocol: 'ws' } },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
