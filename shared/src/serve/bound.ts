import type { CallToolResult } from '@modelcontextprotocol/server';
import { cutText, formatBytes, truncationNotice, utf8Length } from '../output/index.js';

/**
 * The last line of defence for the reply budget: tools cut their own output with a notice that says how to
 * continue, but if one ever returns more text than the budget, the reply is cut here rather than sent whole.
 */
export function boundResult(result: CallToolResult, limit: number): CallToolResult {
  let total = 0;
  for (const block of result.content ?? []) if (block.type === 'text') total += utf8Length(block.text);
  // Tools may add a short notice on top of a full budget; only clearly oversized replies are cut here.
  const slack = 1024;
  if (total <= limit + slack) return result;
  let remaining = limit;
  const content: CallToolResult['content'] = [];
  for (const block of result.content ?? []) {
    if (block.type !== 'text') {
      content.push(block);
      continue;
    }
    const cut = cutText(block.text, remaining);
    remaining -= cut.bytes;
    if (cut.text.length > 0) content.push({ ...block, text: cut.text });
    if (cut.truncated) break;
  }
  content.push({
    type: 'text',
    text: truncationNotice({
      shown: `the first ${formatBytes(limit)} of ${formatBytes(total)}`,
      reason: 'the reply budget',
      next: 'narrow the request, or ask the operator to raise --max-output-bytes',
    }),
  });
  return { ...result, content };
}
