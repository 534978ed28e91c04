/**
 * Request validation of the HTTP API: the request schemas live in the contract (src/contract/params.ts,
 * re-exported here); `zodValidatorCompiler` lets fastify validate each request part with them. A failed
 * validation becomes a 400 whose message names the parameter and rule.
 */
import { z } from 'zod';
import type { FastifySchemaCompiler } from 'fastify';

export * from '../contract/params.ts';

const zodOf = new WeakMap<object, z.ZodType>();

/**
 * JSON Schema of a zod schema (input side) that `zodValidatorCompiler` validates with the zod schema
 * itself: for routes outside the contract table (plugins). Table routes pass zod schemas directly.
 */
export function zodRouteSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  zodOf.set(json, schema);
  return json;
}

/** Format a zod error as one line: `depth: Too big: expected number to be <=1000; from: ...`. */
export function formatZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'value'}: ${i.message}`).join('; ');
}

function isZod(s: unknown): s is z.ZodType {
  return (
    typeof s === 'object' && s !== null && typeof (s as { safeParse?: unknown }).safeParse === 'function'
  );
}

/**
 * Fastify validator compiler: zod schemas (table routes) and schemas made by `zodRouteSchema` are
 * validated with zod; any other (plugins' JSON schemas) passes through.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
  const zs = isZod(schema) ? schema : zodOf.get(schema as object);
  if (!zs) return (data: unknown) => ({ value: data });
  return (data: unknown) => {
    const r = zs.safeParse(data);
    if (r.success) return { value: r.data };
    return { error: new Error(formatZodError(r.error)) };
  };
};

/** Default history window when `from` is absent: the hour before `to`. */
export const DEFAULT_HISTORY_WINDOW_MS = 3_600_000;

/**
 * Resolve a range's defaults (`to` = now, `from` = to - 1 h).
 * @returns null when from >= to (the caller answers 400)
 */
export function resolveRange(
  from: number | undefined,
  to: number | undefined,
  now: number,
): { from: number; to: number } | null {
  const t = to ?? now;
  const f = from ?? t - DEFAULT_HISTORY_WINDOW_MS;
  return f < t ? { from: f, to: t } : null;
}
