import type { CallToolResult } from '@modelcontextprotocol/server';

/** A successful tool result: `text` for the model, optional small `structured` data for programs. */
export function toolResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text }] };
  if (structured !== undefined) result.structuredContent = structured;
  return result;
}

/** An expected failure as a tool result: `isError: true` and one actionable sentence, never a stack trace. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
