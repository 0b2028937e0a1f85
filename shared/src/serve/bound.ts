import type { CallToolResult } from '@modelcontextprotocol/server';
import {
  MAX_MEDIA_REPLY_BYTES,
  cutText,
  formatBytes,
  mediaPayloadBytes,
  toolError,
  truncationNotice,
  utf8Length,
  withoutPayload,
} from '../output/index.js';

/**
 * Bytes a result costs on the wire against the reply budget: its text, its other blocks and its structured
 * content. Media payloads (base64 of images, audio, blobs) are not in it: they have their own allowance.
 */
export function resultBytes(result: CallToolResult): number {
  let total = 0;
  for (const block of result.content ?? [])
    total += block.type === 'text' ? utf8Length(block.text) : utf8Length(JSON.stringify(withoutPayload(block)));
  if (result.structuredContent !== undefined) total += utf8Length(JSON.stringify(result.structuredContent));
  return total;
}

/** Base64 payload bytes of a result's media blocks. */
export function mediaBytes(result: CallToolResult): number {
  return (result.content ?? []).reduce((sum, block) => sum + mediaPayloadBytes(block), 0);
}

/**
 * The last line of defence for the reply budget: tools shape replies through `Reply`, which keeps them
 * within it, but if one ever returns more (text or structure), the reply is cut here rather than sent whole.
 * Text is cut with the notice; oversized structure makes the reply an error, since cut JSON would be wrong.
 */
export function boundResult(result: CallToolResult, limit: number): CallToolResult {
  const media = mediaBytes(result);
  if (media > MAX_MEDIA_REPLY_BYTES) {
    return toolError(
      `The reply carries ${formatBytes(media)} of images or files, over the ${formatBytes(MAX_MEDIA_REPLY_BYTES)} one reply may carry; ask for fewer or smaller files.`,
    );
  }
  const total = resultBytes(result);
  // Replies built by Reply may run a little over (a header set late, a required summary line).
  const slack = 1024;
  if (total <= limit + slack) return result;
  let remaining = limit;
  const content: CallToolResult['content'] = [];
  const structuredContent = result.structuredContent;
  if (structuredContent !== undefined) {
    const structureBytes = utf8Length(JSON.stringify(structuredContent));
    // Half a JSON object would be wrong, and a tool's output schema needs the whole: refuse instead.
    if (structureBytes > limit / 2) {
      return toolError(
        `The reply (${formatBytes(total)}) is larger than the reply budget of ${formatBytes(limit)}; narrow the request, or ask the operator to raise --max-output-bytes.`,
      );
    }
    remaining -= structureBytes;
  }
  for (const block of result.content ?? []) {
    if (block.type !== 'text') {
      const bytes = utf8Length(JSON.stringify(withoutPayload(block)));
      if (bytes > remaining) break;
      remaining -= bytes;
      content.push(block);
      continue;
    }
    const cut = cutText(block.text, Math.max(0, remaining));
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
  const bounded: CallToolResult = { ...result, content };
  if (structuredContent !== undefined) bounded.structuredContent = structuredContent;
  return bounded;
}
