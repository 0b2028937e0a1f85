/**
 * A local GitHub REST API for tests, answering from GitHub's published OpenAPI description
 * (operations.json, extracted from @octokit/openapi by extract.mjs). Binds 127.0.0.1 only.
 *
 * Usage (plain .mjs scripts such as bench and demo: `const { startFakeGitHub } = await loadFakeGitHub()` from
 * ./load.mjs; the archived reference server, which hard-codes api.github.com: `node --import
 * ./redirect-dotcom.mjs` with FAKE_GITHUB_URL set):
 *
 *   const github = await startFakeGitHub({ flavour: 'dotcom' });     // or 'ghes' → url ends in /api/v3
 *   spawn the server with GITHUB_API_URL=github.url                 // github.origin is the bare host
 *   github.override('issues/list-for-repo', paginate(issues));       // pages with real Link headers
 *   github.override('GET /repos/{owner}/{repo}', notFound());        // by 'METHOD /template' too
 *   github.override('repos/get', rateLimited(), { times: 1 });       // once, then the example again
 *   github.override('search/code', secondaryRateLimit({ retryAfter: 1 }));
 *   github.override('pulls/create', validationFailed([{ resource: 'PullRequest', code: 'custom', message }]));
 *   github.override('pulls/get', (req, { example }) => ({ body: { ...example(), title: req.params.owner } }));
 *   github.override('repos/get-content', (req, { example }) => ({ body: contentFile(example(), req.params.path, text) }));
 *   github.override('POST /graphql', (req) => ({ body: { data: {...} } }));   // /api/graphql on 'ghes'
 *   github.replay('paginate-issues');                                // @octokit/fixtures recorded traffic
 *   github.requests      → every request: method, path, query, headers, body, operationId, params
 *   afterEach(() => { github.assertNoViolations(); github.reset(); });   // takeViolations() for expected ones
 *   afterAll(() => github.close());
 *
 * Every request is routed by the description's path templates and validated (path and query parameters,
 * JSON body) before any handler runs: an unknown operation answers 404 and an invalid request 422 (400 for
 * unparsable JSON), each in GitHub's error shape. A query parameter or body field the description does not
 * document is answered as GitHub would (ignored). All of these are recorded as violations, printed to stderr
 * and thrown by assertNoViolations(), so a tool calling the wrong endpoint or misspelling a field fails its
 * test instead of passing on a lenient fake.
 *
 * Without an override an operation answers its documented success status and first example (example(id,
 * name) gives a copy of any), except: repos/get-content answers a valid file (SAMPLE_README) at the requested
 * path, and its bytes for Accept vnd.github.raw, or the directory example for the root or a path ending in /; pulls/get and commit reads answer SAMPLE_DIFF for
 * vnd.github.diff; log downloads redirect (302) to SAMPLE_JOB_LOG, or a zip of it for a whole run, served by
 * hostText(), which hosts any text a test gives.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOperations, matchRoute } from './operations.js';
import type { OperationSpec } from './operations.js';
import { undocumentedNames, validateBody, validateParameters } from './validate.js';
import type { FieldError } from './validate.js';
import { notFound } from './responses.js';
import type { FakeReply, FakeRequest } from './responses.js';
import { loadScenario } from './fixtures.js';
import type { RecordedExchange } from './fixtures.js';
import { SAMPLE_DIFF, SAMPLE_JOB_LOG, SAMPLE_README, contentFile, decodedFile, runLogsZip } from './samples.js';

export { conflict, notFound, paginate, rateLimited, secondaryRateLimit, validationFailed } from './responses.js';
export type { FakeReply, FakeRequest } from './responses.js';
export { SAMPLE_DIFF, SAMPLE_JOB_LOG, SAMPLE_README, contentFile, runLogsZip } from './samples.js';

export type Flavour = 'dotcom' | 'ghes';

/** What the handler of an override gets besides the request. */
export interface HandlerContext {
  /** A fresh copy of one of the operation's documented examples (the first when unnamed). */
  example: (name?: string) => any;
  operation: OperationSpec | undefined;
  fake: FakeGitHub;
}

export type FakeHandler =
  FakeReply | ((request: FakeRequest, context: HandlerContext) => FakeReply | Promise<FakeReply>);

/** A request the fake refused or could not answer from the description: a bug in the client under test. */
export interface Violation {
  kind:
    | 'unknown-operation'
    | 'not-on-ghes'
    | 'invalid-parameters'
    | 'undocumented-field'
    | 'undocumented-operation'
    | 'invalid-body'
    | 'unparsable-body'
    | 'unhandled-graphql'
    | 'handler-threw';
  method: string;
  path: string;
  message: string;
  errors?: FieldError[];
}

export interface FakeGitHub {
  /** The API base URL for GITHUB_API_URL: http://127.0.0.1:PORT, or …/api/v3 for 'ghes'. */
  url: string;
  /** http://127.0.0.1:PORT — the host part, for GITHUB_HOST-style settings. */
  origin: string;
  flavour: Flavour;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  readonly violations: Violation[];
  /** Answers an operation (operationId, 'METHOD /path/{template}' or 'POST /graphql') with `handler`. */
  override(key: string, handler: FakeHandler, options?: { times?: number }): void;
  example(operationId: string, name?: string): any;
  /** Serves `body` at a fresh URL on the fake and returns that URL. */
  hostText(body: string | Uint8Array, contentType?: string): string;
  /** Answers the requests recorded in an @octokit/fixtures api.github.com scenario, in recorded order. */
  replay(scenario: string): void;
  /** Throws one error listing every violation so far (and clears them). */
  assertNoViolations(): void;
  /** Returns the violations so far and clears them: for tests that provoke one on purpose. */
  takeViolations(): Violation[];
  /** Forgets requests, overrides, violations, hosted texts and replays. */
  reset(): void;
  close(): Promise<void>;
}

interface OverrideEntry {
  handler: FakeHandler;
  remaining: number;
}

const GRAPHQL_KEY = 'POST /graphql';
// Operations GitHub answers with a unified diff when asked for application/vnd.github.diff.
const DIFFABLE = new Set(['pulls/get', 'repos/get-commit', 'repos/compare-commits-with-basehead']);

/** Starts the fake GitHub API on 127.0.0.1 on a free port. */
export async function startFakeGitHub(
  options: {
    flavour?: Flavour;
    /** Called for each violation as it happens, besides recording it. */
    onViolation?: (violation: Violation) => void;
    /** No stderr line per violation (they are still recorded and thrown by assertNoViolations). */
    quiet?: boolean;
    /** The token's classic scopes, sent in x-oauth-scopes on every answer as GitHub does. */
    scopes?: string[];
  } = {},
): Promise<FakeGitHub> {
  const flavour = options.flavour ?? 'dotcom';
  const prefix = flavour === 'ghes' ? '/api/v3' : '';
  const graphqlPath = flavour === 'ghes' ? '/api/graphql' : '/graphql';
  const { operations, routes } = loadOperations();
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  const byTemplate = new Map(operations.map((op) => [`${op.method} ${op.path}`, op]));

  const requests: FakeRequest[] = [];
  const violations: Violation[] = [];
  const overrides = new Map<string, OverrideEntry[]>();
  const hosted = new Map<string, { body: string | Uint8Array; contentType: string }>();
  let recorded: RecordedExchange[] = [];
  let hostedCounter = 0;
  let requestCounter = 0;
  let origin = '';

  const violate = (violation: Violation) => {
    violations.push(violation);
    options.onViolation?.(violation);
    if (!options.quiet)
      console.error(`[fake-github] ${violation.kind}: ${violation.method} ${violation.path}: ${violation.message}`);
  };

  const exampleOf = (operation: OperationSpec | undefined, name?: string) => {
    if (!operation) return undefined;
    const { examples } = operation.response;
    const key = name ?? Object.keys(examples)[0];
    if (key === undefined) return undefined;
    if (!(key in examples)) {
      throw new Error(`${operation.operationId} has no example "${key}"; it has: ${Object.keys(examples).join(', ')}`);
    }
    return structuredClone(examples[key]);
  };

  const resolveKey = (key: string): string => {
    if (key === GRAPHQL_KEY) return key;
    const operation = byId.get(key) ?? byTemplate.get(key);
    if (!operation) {
      throw new Error(
        `The fake GitHub API has no operation "${key}": add it to OPERATIONS in extract.mjs and re-run it.`,
      );
    }
    return operation.operationId;
  };

  const defaultHeaders = (operation: OperationSpec | undefined): Record<string, string> => {
    const search = operation?.operationId.startsWith('search/') ?? false;
    requestCounter += 1;
    return {
      'x-github-request-id': `FAKE:${requestCounter}`,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-oauth-scopes': (options.scopes ?? ['gist', 'notifications', 'repo', 'workflow']).join(', '),
      'x-ratelimit-limit': search ? '30' : '5000',
      'x-ratelimit-remaining': search ? '29' : '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': search ? 'search' : 'core',
      ...(flavour === 'ghes' ? { 'x-github-enterprise-version': '3.19.0' } : {}),
    };
  };

  const send = (res: ServerResponse, reply: FakeReply, operation: OperationSpec | undefined) => {
    const status = reply.status ?? operation?.response.status ?? 200;
    const headers: Record<string, string> = { ...defaultHeaders(operation) };
    for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = String(value);
    let payload: string | Uint8Array | undefined;
    if (reply.body !== undefined && status !== 204 && status !== 205 && status !== 304) {
      if (typeof reply.body === 'string' || reply.body instanceof Uint8Array) {
        payload = reply.body;
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      } else {
        payload = JSON.stringify(reply.body);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
    }
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(status, headers);
    res.end(payload);
  };

  const defaultReply = (operation: OperationSpec, request: FakeRequest): FakeReply => {
    if (operation.response.status === 302) {
      // The description's Location points at Azure blob storage; redirect to a text this fake serves instead.
      const zip = operation.operationId === 'actions/download-workflow-run-logs';
      const location = zip ? fake.hostText(runLogsZip(), 'application/zip') : fake.hostText(SAMPLE_JOB_LOG);
      return { status: 302, headers: { location } };
    }
    const accept = request.headers.accept ?? '';
    if (DIFFABLE.has(operation.operationId) && /vnd\.github(\.v3)?\.(diff|patch)/.test(accept)) {
      return {
        status: 200,
        headers: { 'content-type': 'application/vnd.github.diff; charset=utf-8' },
        body: SAMPLE_DIFF,
      };
    }
    if (operation.operationId === 'repos/get-content') {
      const path = request.params.path ?? '';
      // The root or a path ending in a slash is a directory: the description's directory example.
      if (path === '' || path.endsWith('/'))
        return { status: 200, body: exampleOf(operation, 'response-if-content-is-a-directory') };
      // The description's file example carries corrupt base64 (escaped newlines inside it), so the default
      // is that example made whole: a real text at the requested path.
      return { status: 200, body: contentFile(exampleOf(operation) as Record<string, unknown>, path, SAMPLE_README) };
    }
    return { status: operation.response.status, body: exampleOf(operation) };
  };

  // Contents asked for raw get the file's bytes, whoever produced the file object (default or override).
  const negotiate = (reply: FakeReply, operation: OperationSpec, request: FakeRequest): FakeReply => {
    if (operation.operationId !== 'repos/get-content') return reply;
    if (!/vnd\.github(\.v3)?\.raw(?!\+json)/.test(request.headers.accept ?? '')) return reply;
    const bytes = decodedFile(reply.body);
    if (!bytes) return reply;
    return {
      ...reply,
      headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8', ...reply.headers },
      body: new Uint8Array(bytes),
    };
  };

  const runHandler = async (
    key: string,
    request: FakeRequest,
    operation: OperationSpec | undefined,
  ): Promise<FakeReply | undefined> => {
    const stack = overrides.get(key);
    const entry = stack?.at(-1);
    if (!entry || !stack) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) stack.pop();
    const context: HandlerContext = { example: (name) => exampleOf(operation, name), operation, fake };
    return typeof entry.handler === 'function' ? entry.handler(request, context) : structuredClone(entry.handler);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', origin);
    const rawPath = url.pathname;
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const isJson = (headers['content-type'] ?? '').includes('json');
    let body: unknown = text === '' ? undefined : text;
    let unparsable = false;
    if (text !== '' && isJson) {
      try {
        body = JSON.parse(text);
      } catch {
        unparsable = true;
      }
    }
    const inPrefix = prefix === '' || rawPath === prefix || rawPath.startsWith(`${prefix}/`);
    const path = inPrefix ? rawPath.slice(prefix.length) || '/' : rawPath;
    const request: FakeRequest = {
      method,
      path,
      rawPath,
      query,
      headers,
      body,
      operationId: undefined,
      params: {},
      url,
    };
    requests.push(request);

    const hostedEntry = method === 'GET' ? hosted.get(rawPath) : undefined;
    if (hostedEntry) {
      request.operationId = '_hosted';
      send(
        res,
        { status: 200, headers: { 'content-type': hostedEntry.contentType }, body: hostedEntry.body },
        undefined,
      );
      return;
    }

    if (rawPath === graphqlPath && method === 'POST') {
      request.operationId = 'graphql';
      const reply = await runHandler(GRAPHQL_KEY, request, undefined);
      if (reply) return send(res, { status: 200, ...reply }, undefined);
      violate({ kind: 'unhandled-graphql', method, path: rawPath, message: 'no override for POST /graphql' });
      return send(
        res,
        {
          status: 200,
          body: {
            data: null,
            errors: [{ type: 'FAKE', message: "The fake has no GraphQL answer: override 'POST /graphql'." }],
          },
        },
        undefined,
      );
    }

    // Recorded traffic first: it is GitHub's own answer to exactly this request.
    const recordedIndex = recorded.findIndex((entry) =>
      entry.matches(method, prefix === '' || inPrefix ? path : rawPath, url.searchParams),
    );
    if (recordedIndex >= 0) {
      const [entry] = recorded.splice(recordedIndex, 1);
      request.operationId = '_recorded';
      return send(res, entry!.reply(`${origin}${prefix}`), undefined);
    }

    const match = inPrefix ? matchRoute(routes, method, path) : { route: undefined, methodMismatch: false };
    if (!match.route) {
      const message = !inPrefix
        ? `outside the GHES API prefix ${prefix}`
        : match.methodMismatch
          ? 'the path exists but not with this method'
          : 'no such operation in operations.json';
      violate({ kind: 'unknown-operation', method, path: rawPath, message });
      return send(res, notFound(), undefined);
    }
    const { operation } = match.route;
    request.operationId = operation.operationId;
    request.params = match.params;
    if (flavour === 'ghes' && operation.ghes === false) {
      violate({ kind: 'not-on-ghes', method, path: rawPath, message: `${operation.operationId} is not in GHES 3.19` });
      return send(res, notFound('Not Found', operation.docs), operation);
    }

    if (operation.undocumented) {
      violate({
        kind: 'undocumented-operation',
        method,
        path: rawPath,
        message: `GitHub answers it, but the description does not document it: ${operation.operationId}`,
      });
    }

    const parameterErrors = validateParameters(operation, { ...query, ...match.params });
    if (parameterErrors.length > 0) {
      violate({
        kind: 'invalid-parameters',
        method,
        path: rawPath,
        message: parameterErrors.map((e) => e.message).join('; '),
        errors: parameterErrors,
      });
      return send(res, invalid(parameterErrors, operation), operation);
    }
    if (operation.requestBody) {
      if (unparsable) {
        violate({ kind: 'unparsable-body', method, path: rawPath, message: 'the body is not JSON' });
        return send(
          res,
          { status: 400, body: { message: 'Problems parsing JSON', documentation_url: operation.docs, status: '400' } },
          operation,
        );
      }
      if (body !== undefined || operation.requestBody.required) {
        const bodyErrors = validateBody(operation, body ?? {});
        if (bodyErrors.length > 0) {
          violate({
            kind: 'invalid-body',
            method,
            path: rawPath,
            message: bodyErrors.map((e) => e.message).join('; '),
            errors: bodyErrors,
          });
          return send(res, invalid(bodyErrors, operation), operation);
        }
      }
    }

    const undocumented = undocumentedNames(operation, query, body);
    if (undocumented.length > 0) {
      violate({
        kind: 'undocumented-field',
        method,
        path: rawPath,
        message: `${operation.operationId} does not document ${undocumented.join(', ')}`,
      });
    }

    const reply = (await runHandler(operation.operationId, request, operation)) ?? defaultReply(operation, request);
    send(res, negotiate(reply, operation, request), operation);
  };

  const invalid = (errors: FieldError[], operation: OperationSpec): FakeReply => ({
    status: 422,
    body: { message: 'Validation Failed', errors, documentation_url: operation.docs, status: '422' },
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violate({ kind: 'handler-threw', method: req.method ?? '', path: req.url ?? '', message: String(error) });
      if (!res.headersSent)
        send(res, { status: 500, body: { message: 'Server Error (the fake GitHub API)' } }, undefined);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  const fake: FakeGitHub = {
    url: `${origin}${prefix}`,
    origin,
    flavour,
    requests,
    violations,
    override(key, handler, overrideOptions = {}) {
      const id = resolveKey(key);
      const stack = overrides.get(id) ?? [];
      stack.push({ handler, remaining: overrideOptions.times ?? Number.POSITIVE_INFINITY });
      overrides.set(id, stack);
    },
    example: (operationId, name) => {
      const operation = byId.get(resolveKey(operationId));
      return exampleOf(operation, name);
    },
    hostText(body, contentType = 'text/plain; charset=utf-8') {
      hostedCounter += 1;
      const path = `/_fake/hosted/${hostedCounter}`;
      hosted.set(path, { body, contentType });
      return `${origin}${path}`;
    },
    replay(scenario) {
      recorded.push(...loadScenario(scenario));
    },
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations.map((v) => `- ${v.kind}: ${v.method} ${v.path}: ${v.message}`);
      violations.length = 0;
      throw new Error(`The fake GitHub API refused requests the server made:\n${lines.join('\n')}`);
    },
    takeViolations() {
      return violations.splice(0, violations.length);
    },
    reset() {
      requests.length = 0;
      violations.length = 0;
      overrides.clear();
      hosted.clear();
      recorded = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
