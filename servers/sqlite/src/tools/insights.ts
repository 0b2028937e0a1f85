import * as z from 'zod';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { WRITE, defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';

/** append_insight: adds a line to the memo, kept in the database itself. */
export function insightTools(engine: EngineRunner) {
  const appendInsight = defineTool({
    name: 'append_insight',
    title: 'Append insight',
    description:
      'Add a business insight found in the data to the memo (memo://insights); insights are stored in the database.',
    inputSchema: z.object({ insight: z.string().min(1).max(10_000) }),
    outputSchema: z.object({
      id: z.number(),
      total: z.number().describe('Insights in the memo now.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
    handler: async ({ insight }, context) => {
      const stored = await engine.run('appendInsight', { insight }, context.signal);
      const reply = context.reply();
      reply.always(`Insight added to the memo (${stored.total} in total); read it at memo://insights.`);
      reply.set(stored);
      return reply.build();
    },
  });
  return [appendInsight];
}
