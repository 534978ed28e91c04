/**
 * Vitest global setup: remove test streams that earlier, interrupted runs left on the shared NATS
 * server. Test streams are in-memory and JetStream reserves each one's whole `max_bytes`, so a few
 * leaked ones starve every later run ("insufficient memory resources available"). Only streams named
 * by the test helpers (`DWT…`, `DWFLEET…`, `DWPROC…`) and older than 30 minutes are deleted, so a
 * run in progress elsewhere keeps its own. Without a reachable server this does nothing (the adapter
 * tests then fail with their own clear error).
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const TEST_STREAM = /^(DWT|DWFLEET|DWPROC)/;
const STALE_MS = 30 * 60_000;

export default async function setup(): Promise<void> {
  const nc = await connect({ servers: '127.0.0.1:4222', timeout: 1_000, reconnect: false }).catch(() => null);
  if (!nc) return;
  try {
    const jsm = await jetstreamManager(nc);
    for await (const s of jsm.streams.list()) {
      const age = Date.now() - Date.parse(s.created);
      if (TEST_STREAM.test(s.config.name) && age > STALE_MS) await jsm.streams.delete(s.config.name);
    }
  } catch {
    // JetStream disabled or not ready: nothing to clean.
  } finally {
    await nc.close();
  }
}
