/**
 * Structured logging (pino). One line per state change (connected, resynced, lagging) is the rule for
 * servers; the data path never logs per frame.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Create the process logger.
 * @param level pino level; `silent` disables output
 * @param pretty human-readable output (default when stdout is a TTY)
 */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  });
}
