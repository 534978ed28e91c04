/**
 * The API contract of depthwatch: zod schemas of every REST route (routes.ts) and WebSocket message
 * (ws.ts), their request parameters (params.ts), the replay resource (replay.ts), and the generated
 * OpenAPI/AsyncAPI documents (openapi.ts). Imported by the server, the client SDK and the dashboard.
 */
export * from './common.ts';
export * from './params.ts';
export * from './schemas.ts';
export * from './replay.ts';
export * from './ws.ts';
export * from './auth.ts';
export * from './funding.ts';
export * from './routes.ts';
export * from './openapi.ts';
