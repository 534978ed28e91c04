/**
 * The dashboard's WebSocket: the SDK's auto-reconnecting, re-subscribing socket (src/client/socket.ts,
 * shared back-off, equal jitter) on `/ws` next to the page. Protocol: src/contract/ws.ts.
 */
import { DepthwatchSocket as SdkSocket, socketUrl, type SocketOptions } from '../../../src/client/socket.ts';
import type { WsChannel, WsPayload } from '../../../src/contract/ws.ts';
import { wsConnectToken } from './client.ts';

export type { SocketInfo, SocketOptions, SocketStatus } from '../../../src/client/socket.ts';

/** Every channel the socket can subscribe to. */
export type SocketChannel = WsChannel;

/** Payload type per socket channel. */
export type SocketPayload = WsPayload;

/**
 * The default WebSocket URL: `ws` relative to the page (so `/ws` when the dashboard is served at `/`),
 * with ws: or wss: following the page's protocol.
 */
export function defaultSocketUrl(href: string = window.location.href): string {
  return socketUrl(new URL('.', href).toString());
}

/**
 * Auto-reconnecting, re-subscribing WebSocket client (the SDK's); on a server with API keys each
 * (re)connect takes a single-use token for the browser's saved key (api/client.ts).
 */
export class DepthwatchSocket extends SdkSocket {
  constructor(url: string, opts: SocketOptions = {}) {
    super(url, { connectToken: wsConnectToken, ...opts });
  }
}
