import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OperationSpec } from './operations.js';

/** One field error in GitHub's "Validation Failed" shape. */
export interface FieldError {
  resource: string;
  field: string;
  // GitHub's codes; the fake's own validation uses the first three.
  code: 'missing_field' | 'invalid' | 'unprocessable' | 'missing' | 'already_exists' | 'custom';
  message: string;
}

// ajv-formats is CommonJS with a default export: under NodeNext the callable sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

// Bodies are JSON, so no coercion: a number sent as a string is the client's bug. Query strings and path
// segments are text on the wire, so their validator coerces to the documented type first.
// GitHub's own formats, beside the standard ones ajv-formats knows.
const GITHUB_FORMATS = {
  int64: { type: 'number', validate: (value: number) => Number.isSafeInteger(value) },
  'repo.nwo': /^[^/\s]+\/[^/\s]+$/,
} as const;
const withFormats = (ajv: Ajv) => {
  addFormats(ajv);
  for (const [name, format] of Object.entries(GITHUB_FORMATS)) ajv.addFormat(name, format);
  return ajv;
};
const bodies = withFormats(new Ajv({ strict: false, allErrors: true }));
const texts = withFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: 'array' }));

const compiled = new Map<string, { params: ValidateFunction; body?: ValidateFunction }>();

function validatorsFor(operation: OperationSpec) {
  let entry = compiled.get(operation.operationId);
  if (!entry) {
    const params = operation.parameters.filter((p) => p.in === 'path' || p.in === 'query');
    const schema = {
      type: 'object',
      properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
      required: params.filter((p) => p.required).map((p) => p.name),
    };
    entry = { params: texts.compile(schema) };
    if (operation.requestBody) entry.body = bodies.compile(operation.requestBody.schema);
    compiled.set(operation.operationId, entry);
  }
  return entry;
}

/** Compiles every validator now (a schema ajv cannot compile fails here, not in some later request). */
export function compileAll(operations: OperationSpec[]): void {
  for (const operation of operations) validatorsFor(operation);
}

/**
 * Names a request sends that the description does not document: query parameters, and top-level fields of
 * an object body. GitHub ignores them silently, which is how a misspelt `perPage` or a camelCase `autoInit`
 * goes unnoticed; the fake answers as GitHub would but reports them.
 */
export function undocumentedNames(operation: OperationSpec, query: Record<string, unknown>, body: unknown): string[] {
  const documented = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  const names = Object.keys(query)
    .filter((name) => !documented.has(name))
    .map((name) => `query parameter ${name}`);
  const schema = operation.requestBody?.schema as { properties?: Record<string, unknown> } | undefined;
  if (schema?.properties && body && typeof body === 'object' && !Array.isArray(body)) {
    for (const name of Object.keys(body)) if (!(name in schema.properties)) names.push(`body field ${name}`);
  }
  return names;
}

/** Checks path and query parameters; returns field errors (empty when valid). */
export function validateParameters(operation: OperationSpec, values: Record<string, string | string[]>): FieldError[] {
  const { params } = validatorsFor(operation);
  const copy: Record<string, unknown> = { ...values };
  return params(copy) ? [] : toFieldErrors(params.errors ?? [], resourceOf(operation));
}

/** Checks a parsed JSON body against the documented request-body schema. */
export function validateBody(operation: OperationSpec, body: unknown): FieldError[] {
  const { body: check } = validatorsFor(operation);
  if (!check) return [];
  return check(body) ? [] : toFieldErrors(check.errors ?? [], resourceOf(operation));
}

// GitHub names the resource in field errors ("Issue", "PullRequest"); the operation's group is close enough.
const RESOURCES: Record<string, string> = {
  issues: 'Issue',
  pulls: 'PullRequest',
  repos: 'Repository',
  git: 'Git',
  gists: 'Gist',
  actions: 'Workflow',
  activity: 'Notification',
  checks: 'CheckRun',
  search: 'Search',
  users: 'User',
};
const resourceOf = (operation: OperationSpec) => RESOURCES[operation.operationId.split('/')[0] ?? ''] ?? 'Resource';

function toFieldErrors(errors: ErrorObject[], resource: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    // oneOf/anyOf report every branch; the branch errors underneath already say what is wrong.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    let field = base;
    let code: FieldError['code'] = 'invalid';
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = base ? `${base}.${missing}` : missing;
      code = 'missing_field';
    } else if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      field = base ? `${base}.${extra}` : extra;
      code = 'unprocessable';
    }
    const message =
      code === 'missing_field'
        ? `"${field}" wasn't supplied.`
        : `"${field || 'body'}" ${error.message ?? 'is invalid'}.`;
    const key = `${field}|${code}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ resource, field, code, message });
  }
  return out;
}
