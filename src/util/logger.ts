/**
 * Structured logging (pino). One line per state change (connected, resynced, lagging) is the rule for
 * servers; the data path never logs per frame. Every record goes through the redaction layer
 * (util/redact.ts): passwords in URLs, tokens, API keys, Authorization/cookie headers and webhook headers
 * never reach the output, whatever a caller passes.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactDeep, redactText } from './redact.ts';

export type { Logger };

/**
 * Create the process logger.
 * @param level pino level; `silent` disables output
 * @param pretty human-readable output (default when stdout is a TTY)
 * @param destination where lines go (default stdout; tests capture them here)
 */
export function createLogger(
  level: string,
  pretty = process.stdout.isTTY === true,
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void): void {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactText(a) : redactDeep(a))),
        );
      },
    },
    ...(pretty && !destination
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
