import type * as z from 'zod';

type JsonSchema = Record<string, unknown>;
type StandardJsonOptions = { target: string; libraryOptions?: Record<string, unknown> };

/**
 * A list tool's arguments, accepting keys the schema does not name — the paging arguments `page`, `per_page`
 * and `perPage`, read by `pagingOf` and named in every reply that has more — without listing them or
 * `additionalProperties: {}` in every tool list, where the bytes are paid in every conversation.
 */
export function lenient<S extends z.ZodObject>(schema: S): S {
  const loose = (schema as unknown as { loose(): S }).loose();
  const standard = loose['~standard'] as unknown as {
    jsonSchema: { input(options: StandardJsonOptions): JsonSchema; output(options: StandardJsonOptions): JsonSchema };
  };
  const strip = (json: JsonSchema): JsonSchema => {
    const { additionalProperties: _ignored, ...rest } = json;
    return rest;
  };
  const wrapped = Object.create(loose) as S;
  Object.defineProperty(wrapped, '~standard', {
    value: {
      ...loose['~standard'],
      jsonSchema: {
        input: (options: StandardJsonOptions) => strip(standard.jsonSchema.input(options)),
        output: (options: StandardJsonOptions) => strip(standard.jsonSchema.output(options)),
      },
    },
  });
  return wrapped;
}
