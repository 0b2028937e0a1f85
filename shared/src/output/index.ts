export {
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_MAX_OUTPUT_BYTES,
  MAX_MEDIA_REPLY_BYTES,
  MIN_MAX_OUTPUT_BYTES,
  cutText,
  utf8Length,
} from './budget.js';
export type { CutText } from './budget.js';
export { SNIFF_BYTES, describeBinary, looksBinary } from './binary.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export { formatBytes, truncationNotice } from './notice.js';
export type { TruncationInfo } from './notice.js';
export { Reply, TRUNCATION_SHAPE, mediaPayloadBytes, withoutPayload } from './reply.js';
export type { Continuation, Cut, Page, PageOptions, ReplyOptions, TruncationFields } from './reply.js';
export { toolError, toolResult } from './result.js';
export { errorSentence, systemErrorMessage, toProtocolError, toToolError } from './errors.js';
export type { UnexpectedErrorReporter } from './errors.js';
