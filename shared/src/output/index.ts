export {
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_MAX_OUTPUT_BYTES,
  MIN_MAX_OUTPUT_BYTES,
  OutputBudget,
  cutText,
  utf8Length,
} from './budget.js';
export type { CutText } from './budget.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export { capList } from './list.js';
export type { CappedList } from './list.js';
export { formatBytes, truncationNotice } from './notice.js';
export type { TruncationInfo } from './notice.js';
export { toolError, toolResult } from './result.js';
export { toToolError } from './errors.js';
export type { UnexpectedErrorReporter } from './errors.js';
