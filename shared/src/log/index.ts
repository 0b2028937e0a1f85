export { LOG_LEVELS, isLogLevel, passes } from './levels.js';
export type { LogLevel } from './levels.js';
export { Logger } from './logger.js';
export type { LogFields, LoggerOptions, McpLogSender } from './logger.js';
