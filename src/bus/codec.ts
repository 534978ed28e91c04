/**
 * JSON codec for bus messages and spool files that keeps non-finite numbers.
 *
 * Plain JSON turns `NaN` and `±Infinity` into `null`, but the model uses `NaN` for "unknown" (e.g. a
 * venue without event time or sequence, see core/model.ts). Non-finite numbers are written as the tagged
 * object `{"$n":"NaN"|"Infinity"|"-Infinity"}` and restored on decode. No model type has an object with
 * a single `$n` key, so the tag cannot collide with real data.
 */
import { MalformedFrameError } from '../core/errors.ts';

const NAN_TAG = '$n';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { [NAN_TAG]: String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const tag = o[NAN_TAG];
    if (typeof tag === 'string' && Object.keys(o).length === 1) {
      if (tag === 'NaN') return NaN;
      if (tag === 'Infinity') return Infinity;
      if (tag === '-Infinity') return -Infinity;
    }
  }
  return value;
}

/** Encode a value as JSON text, keeping NaN/±Infinity (tagged). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/**
 * Decode JSON text written by {@link encodeJson}.
 * @throws {MalformedFrameError} code `malformed_json` when the text is not JSON.
 */
export function decodeJson<T = unknown>(text: string): T {
  try {
    return JSON.parse(text, reviver) as T;
  } catch (e) {
    throw new MalformedFrameError('malformed_json', `not JSON: ${(e as Error).message}`);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encode to UTF-8 bytes (NATS payloads). */
export function encodeBytes(value: unknown): Uint8Array {
  return encoder.encode(encodeJson(value));
}

/**
 * Decode UTF-8 bytes written by {@link encodeBytes}.
 * @throws {MalformedFrameError} code `malformed_json` when the bytes are not JSON.
 */
export function decodeBytes<T = unknown>(bytes: Uint8Array): T {
  return decodeJson<T>(decoder.decode(bytes));
}
