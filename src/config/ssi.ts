/**
 * The `ssi:` config section (zod): the Vietnamese market feed from SSI FastConnect Data.
 *
 * ```yaml
 * ssi:
 *   enabled: true
 *   channels: [X:ALL, R:ALL, MI:ALL, B:ALL]   # SwitchChannels arguments
 *   streamUrl: https://fc-datahub.ssi.com.vn/
 *   restUrl: https://fc-data.ssi.com.vn/
 *   consumerIdEnv: SSI_CONSUMER_ID            # credentials are read from these environment variables,
 *   consumerSecretEnv: SSI_CONSUMER_SECRET    # never from the file, never logged
 *   foreignWindowMs: 300000
 *   restPerMinute: 60
 * ```
 * With `--record DIR`, the messages are also written to `DIR/ssi-<start>.jsonl` in the form
 * `replay --venue ssi` reads.
 */
import { z } from 'zod';

/** The `ssi` config section. */
export const ssiConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Channels to subscribe (`TYPE:SYM1-SYM2` or `TYPE:ALL`; TYPE one of F, X, X-QUOTE, X-TRADE, B, R, MI, OL). */
  channels: z
    .array(z.string().regex(/^(F|X|X-QUOTE|X-TRADE|B|R|MI|OL):[A-Za-z0-9_-]+$/, 'TYPE:SYMBOLS or TYPE:ALL'))
    .default(['X:ALL', 'R:ALL', 'MI:ALL', 'B:ALL']),
  streamUrl: z.url().default('https://fc-datahub.ssi.com.vn/'),
  restUrl: z.url().default('https://fc-data.ssi.com.vn/'),
  /** Environment variables holding the consumer id and secret. */
  consumerIdEnv: z.string().default('SSI_CONSUMER_ID'),
  consumerSecretEnv: z.string().default('SSI_CONSUMER_SECRET'),
  /** Rolling window of foreign-flow speed, ms. */
  foreignWindowMs: z.number().int().positive().default(300_000),
  /** REST budget (token and reference requests), requests per minute. */
  restPerMinute: z.number().int().positive().default(60),
});

/** The validated `ssi` section. */
export type SsiConfig = z.infer<typeof ssiConfigSchema>;
