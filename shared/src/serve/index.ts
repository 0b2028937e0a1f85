export { COMMON_FLAGS, formatHelp, isLoopbackHost, parseCommandLine, splitList, toCommonConfig } from './flags.js';
export type {
  CommonConfig,
  FlagSpec,
  FlagValue,
  FlagValues,
  ParsedCommandLine,
  TransportConfig,
  TypedFlagValues,
} from './flags.js';
export { defineTool } from './tool.js';
export { input } from './ask.js';
export type {
  Answers,
  AnswerOf,
  Ask,
  ConfirmAnswer,
  ConfirmRequest,
  FormAnswer,
  FormRequest,
  FormSchema,
  InputCapability,
  InputRequest,
  RootsRequest,
  SampleRequest,
} from './ask.js';
export { STATE_TTL_MS, StateSigner, callBinding, canonicalJson } from './state.js';
export type { OpenedState, StatePayload, StateRefusal } from './state.js';
export type { AnyToolDefinition, PorticoToolAnnotations, ToolContext, ToolDefinition } from './tool.js';
export { DESTRUCTIVE, READ_ONLY, WRITE, withHints } from './annotations.js';
export { defineResource } from './resource.js';
export type { ExtraContext, ListedResource, ResourceContents, ResourceDefinition } from './resource.js';
export { definePrompt } from './prompt.js';
export type { AnyPromptDefinition, ContinueHint, PromptDefinition, PromptReply } from './prompt.js';
export { slimJsonSchema, slimSchema } from './schema.js';
export { ALL_TOOLSETS, selectTools, toolsetNames } from './select.js';
export { boundResult, mediaBytes, resultBytes } from './bound.js';
export { STATELESS_CONNECTION, createInstanceFactory } from './instance.js';
export type { FactoryOptions, ServerInfo, ServerSurface } from './instance.js';
export { prepareServer, runServer } from './run.js';
export type { ConfigInput, Kernel, PreparedOrPrinted, PreparedServer, RunningServer, ServerSpec } from './run.js';
export { importExternal } from './external.js';
export { MessageSizeFramer, STDIO_MAX_MESSAGE_BYTES, oversizeErrorLine, oversizeRequestGuard } from './stdin-guard.js';
export type { OversizedMessage } from './stdin-guard.js';
