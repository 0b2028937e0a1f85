import type * as z from 'zod';

type JsonSchema = Record<string, unknown>;
type StandardJsonOptions = { target: string; libraryOptions?: Record<string, unknown> };

/** zod 4 writes these for an unbounded `.int()`: they say nothing a model needs and cost bytes in every list. */
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** Removes what the model never needs from a JSON Schema: `$schema`, and integer bounds that only restate the safe range. */
export function slimJsonSchema(schema: JsonSchema): JsonSchema {
  const slim = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(slim);
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema') continue;
      if ((key === 'maximum' || key === 'minimum') && typeof value === 'number' && SAFE_INTEGER_BOUNDS.has(value))
        continue;
      out[key] = slim(value);
    }
    return out;
  };
  return slim(schema) as JsonSchema;
}

/**
 * Wraps a zod object so that the SDK lists its slimmed JSON Schema (converted once, not per instance or
 * request) while validation, defaults and types stay zod's own.
 */
export function slimSchema<S extends z.ZodObject>(schema: S): S {
  const standard = schema['~standard'] as unknown as {
    jsonSchema: { input(options: StandardJsonOptions): JsonSchema; output(options: StandardJsonOptions): JsonSchema };
  };
  const cache = new Map<string, JsonSchema>();
  const converted = (io: 'input' | 'output', options: StandardJsonOptions): JsonSchema => {
    const key = `${io}:${options.target}`;
    let json = cache.get(key);
    if (json === undefined) {
      json = slimJsonSchema(standard.jsonSchema[io](options));
      cache.set(key, json);
    }
    return json;
  };
  const wrapped = Object.create(schema) as S;
  Object.defineProperty(wrapped, '~standard', {
    value: {
      ...schema['~standard'],
      jsonSchema: {
        input: (options: StandardJsonOptions) => converted('input', options),
        output: (options: StandardJsonOptions) => converted('output', options),
      },
    },
  });
  return wrapped;
}
