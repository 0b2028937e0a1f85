import { CLIENT_CAPABILITIES_META_KEY, inputRequired } from '@modelcontextprotocol/server';
import type {
  ClientCapabilities,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestFormParams,
  InputRequiredResult,
  McpServer,
  ServerContext,
} from '@modelcontextprotocol/server';
import { InputUnavailableError, RequestStateError } from '../errors/index.js';
import { STATE_TTL_MS } from './state.js';
import type { StatePayload, StateSigner } from './state.js';

/** A flat form schema, as elicitation allows (strings, numbers, booleans, enums). */
export type FormSchema = ElicitRequestFormParams['requestedSchema'];

/** One thing to ask the client for. Build them with `input.form/confirm/roots/sample`. */
export type InputRequest = FormRequest | ConfirmRequest | RootsRequest | SampleRequest;
/** A form for the user (elicitation). */
export interface FormRequest {
  kind: 'form';
  message: string;
  schema: FormSchema;
}
/** A yes/no question for the user (elicitation). */
export interface ConfirmRequest {
  kind: 'confirm';
  message: string;
}
/** The client's roots. */
export interface RootsRequest {
  kind: 'roots';
}
/** A completion from the client's model. */
export interface SampleRequest {
  kind: 'sample';
  params: CreateMessageRequestParams;
}

/** The user's answer to a form: what they did, and the values when they accepted. */
export interface FormAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

/** The user's answer to a confirmation: `confirmed` only when they accepted and ticked yes. */
export interface ConfirmAnswer {
  confirmed: boolean;
  action: 'accept' | 'decline' | 'cancel';
}

/** What each kind of request is answered with. */
export type AnswerOf<R extends InputRequest> = R extends { kind: 'form' }
  ? FormAnswer
  : R extends { kind: 'confirm' }
    ? ConfirmAnswer
    : R extends { kind: 'roots' }
      ? string[]
      : CreateMessageResult;

/** The answers to a set of requests, under the same keys. */
export type Answers<Requests extends Record<string, InputRequest>> = { [K in keyof Requests]: AnswerOf<Requests[K]> };

/** The client capability a kind of request needs. */
export type InputCapability = 'elicitation' | 'roots' | 'sampling';

/** Builders of input requests for `ctx.ask`. */
export const input = {
  /** A form the user fills in (elicitation). */
  form: (message: string, schema: FormSchema): FormRequest => ({ kind: 'form', message, schema }),
  /** A yes/no question to the user (elicitation with one boolean field). */
  confirm: (message: string): ConfirmRequest => ({ kind: 'confirm', message }),
  /** The client's MCP roots, as URIs. */
  roots: (): RootsRequest => ({ kind: 'roots' }),
  /** A completion from the client's model (sampling). */
  sample: (params: CreateMessageRequestParams): SampleRequest => ({ kind: 'sample', params }),
} as const;

const CONFIRM_SCHEMA: FormSchema = {
  type: 'object',
  properties: {
    confirm: { type: 'boolean', title: 'Go ahead', description: 'Yes to go ahead, no to stop.', default: false },
  },
  required: ['confirm'],
};

/** The capability a request needs from the client. */
export function capabilityOf(request: InputRequest): InputCapability {
  return request.kind === 'roots' ? 'roots' : request.kind === 'sample' ? 'sampling' : 'elicitation';
}

/** The embedded request the 2026-07-28 `input_required` result carries for one input request. */
function wireRequest(
  request: InputRequest,
): InputRequiredResult['inputRequests'] extends infer M ? (M extends Record<string, infer V> ? V : never) : never {
  switch (request.kind) {
    case 'form':
      return inputRequired.elicit({ message: request.message, requestedSchema: request.schema });
    case 'confirm':
      return inputRequired.elicit({ message: request.message, requestedSchema: CONFIRM_SCHEMA });
    case 'roots':
      return inputRequired.listRoots();
    case 'sample':
      return inputRequired.createMessage(request.params);
  }
}

/**
 * Thrown by `ctx.ask` in a 2026-07-28 request whose answers are not all in yet: the kernel turns it into the
 * `input_required` result, and the client's retry runs the handler again from the start.
 */
export class InputRequiredSignal extends Error {
  readonly result: InputRequiredResult;
  constructor(result: InputRequiredResult) {
    super('input required');
    this.result = result;
  }
}

/** Reads a client's answer for one request, or undefined when it is missing or not an answer of that kind. */
function readAnswer(request: InputRequest, raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const value = raw as Record<string, unknown>;
  switch (request.kind) {
    case 'form':
    case 'confirm': {
      const action = value.action;
      if (action !== 'accept' && action !== 'decline' && action !== 'cancel') return undefined;
      const content = value.content;
      if (content !== undefined && (content === null || typeof content !== 'object' || Array.isArray(content)))
        return undefined;
      if (request.kind === 'form')
        return {
          action,
          ...(content !== undefined && action === 'accept' ? { content: content as Record<string, unknown> } : {}),
        } satisfies FormAnswer;
      const confirmed = action === 'accept' && (content as Record<string, unknown> | undefined)?.confirm === true;
      return { confirmed, action } satisfies ConfirmAnswer;
    }
    case 'roots': {
      if (!Array.isArray(value.roots)) return undefined;
      const uris: string[] = [];
      for (const root of value.roots as unknown[]) {
        const uri = (root as { uri?: unknown } | null)?.uri;
        if (typeof uri !== 'string') return undefined;
        uris.push(uri);
      }
      return uris;
    }
    case 'sample':
      return value.role === 'assistant' && value.content !== null && typeof value.content === 'object'
        ? value
        : undefined;
  }
}

/** Asks the client for input; see `ToolContext.ask`. */
export type Ask = <Requests extends Record<string, InputRequest>>(requests: Requests) => Promise<Answers<Requests>>;

/** What an asker needs to know about the request it serves. */
export interface AskScope {
  era: 'legacy' | 'modern';
  sdk: ServerContext;
  server: McpServer;
  signer: StateSigner;
  /** `callBinding(name, args)` of this call. */
  binding: string;
  /** What the request is, for messages: `tool write_file`. */
  subject: string;
}

/** The client capabilities this request can rely on: the request's own envelope in 2026-07-28, the handshake's before. */
export function clientCapabilities(scope: Pick<AskScope, 'era' | 'sdk' | 'server'>): ClientCapabilities | undefined {
  if (scope.era === 'modern')
    return scope.sdk.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as keyof typeof scope.sdk.mcpReq.envelope];
  return scope.server.server.getClientCapabilities();
}

/**
 * Builds `ctx.ask` for one request. 2025-era sessions send each request to the client and wait for the
 * answers. 2026-07-28 requests have no channel to the client: a missing answer ends the call with an
 * `input_required` result (via `InputRequiredSignal`) whose signed requestState keeps the answers gathered
 * so far, and the retry re-runs the handler, whose earlier asks are then answered from that state.
 */
export function createAsk(scope: AskScope): Ask {
  if (scope.era === 'legacy') return legacyAsk(scope);
  const responses = scope.sdk.mcpReq.inputResponses ?? {};
  let gathered: Record<string, unknown> | undefined;
  return (async (requests: Record<string, InputRequest>) => {
    gathered ??= { ...earlierAnswers(scope) };
    const answers: Record<string, unknown> = {};
    const missing: Record<string, InputRequest> = {};
    for (const [key, request] of Object.entries(requests)) {
      const answer = key in gathered ? gathered[key] : readAnswer(request, responses[key]);
      if (answer === undefined) missing[key] = request;
      else answers[key] = gathered[key] = answer;
    }
    if (Object.keys(missing).length === 0) return answers;
    const payload: StatePayload = { binding: scope.binding, expires: Date.now() + STATE_TTL_MS, answers: gathered };
    throw new InputRequiredSignal(
      inputRequired({
        inputRequests: Object.fromEntries(Object.entries(missing).map(([key, request]) => [key, wireRequest(request)])),
        requestState: scope.signer.seal(payload),
      }),
    );
  }) as Ask;
}

/** The answers an echoed requestState carries; the SDK's verify hook has already checked its signature and expiry. */
function earlierAnswers(scope: AskScope): Record<string, unknown> {
  const state = scope.sdk.mcpReq.requestState<StatePayload>();
  if (state === undefined) return {};
  if (typeof state !== 'object' || state.binding !== scope.binding) {
    throw new RequestStateError(
      `The requestState sent with this ${scope.subject} call was issued for a different call (another tool or other arguments); call again without requestState and inputResponses.`,
    );
  }
  return state.answers;
}

const MISSING_CAPABILITY_HINT: Record<InputCapability, string> = {
  elicitation: 'to show the user a form or a confirmation',
  roots: 'to share its roots',
  sampling: "to ask the client's model",
};

function legacyAsk(scope: AskScope): Ask {
  return (async (requests: Record<string, InputRequest>) => {
    const declared = clientCapabilities(scope);
    for (const request of Object.values(requests)) {
      const capability = capabilityOf(request);
      if (declared === undefined) {
        throw new InputUnavailableError(
          `This ${scope.subject} call needs ${capability} from the client, but this 2025-era HTTP request has no session to ask on; open a session with initialize (send its Mcp-Session-Id) or use the 2026-07-28 protocol.`,
        );
      }
      if (!declared[capability]) {
        throw new InputUnavailableError(
          `This ${scope.subject} call needs the client to declare the ${capability} capability ${MISSING_CAPABILITY_HINT[capability]}; use a client that supports ${capability}.`,
        );
      }
    }
    const entries = await Promise.all(
      Object.entries(requests).map(async ([key, request]) => [key, await askLegacy(scope, request)] as const),
    );
    return Object.fromEntries(entries);
  }) as Ask;
}

async function askLegacy(scope: AskScope, request: InputRequest): Promise<unknown> {
  const options = { signal: scope.sdk.mcpReq.signal, timeout: STATE_TTL_MS };
  let raw: unknown;
  try {
    switch (request.kind) {
      case 'form':
        raw = await scope.sdk.mcpReq.elicitInput(
          { mode: 'form', message: request.message, requestedSchema: request.schema },
          options,
        );
        break;
      case 'confirm':
        raw = await scope.sdk.mcpReq.elicitInput(
          { mode: 'form', message: request.message, requestedSchema: CONFIRM_SCHEMA },
          options,
        );
        break;
      case 'roots':
        raw = await scope.server.server.listRoots(undefined, options);
        break;
      case 'sample':
        raw = await scope.sdk.mcpReq.requestSampling(request.params, options);
        break;
    }
  } catch (error) {
    if (scope.sdk.mcpReq.signal.aborted) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputUnavailableError(
      `The client did not answer the ${capabilityOf(request)} request of this ${scope.subject} call (${reason.replace(/\.$/, '')}); try again.`,
      { cause: error },
    );
  }
  const answer = readAnswer(request, raw);
  if (answer === undefined)
    throw new InputUnavailableError(
      `The client answered the ${capabilityOf(request)} request of this ${scope.subject} call with something that is not an answer; try again.`,
    );
  return answer;
}
