#!/usr/bin/env node
// Writes operations.json, the compact slice of GitHub's OpenAPI description that the fake API answers from.
// @octokit/openapi is 385 MB unpacked, too big to load in every test run, so this script reads it once and
// keeps, for each operation the server's tools need: method, path template, parameter and request-body
// schemas (refs inlined, prose dropped) and the documented success status with its examples.
//
//   node servers/github/test/fake-api/extract.mjs      (re-run after bumping @octokit/openapi)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const packageDir = require.resolve('@octokit/openapi/package.json').replace(/package\.json$/, '');
const load = (name) => JSON.parse(readFileSync(`${packageDir}generated/${name}.json`, 'utf8'));

// The 26 reference tools (server-github 2025.4.8 dist) and the opt-in toolsets of issue 12, plus the reads
// that octokit itself and a careful implementation make (default branch, check runs, rate limit).
const OPERATIONS = [
  // repositories, forks, branches, commits
  'repos/get',
  'repos/create-for-authenticated-user',
  'repos/create-in-org',
  'repos/list-for-authenticated-user',
  'repos/list-for-user',
  'repos/list-for-org',
  'repos/create-fork',
  'repos/list-forks',
  'repos/list-branches',
  'repos/get-branch',
  'repos/list-commits',
  'repos/get-commit',
  'repos/compare-commits-with-basehead',
  // contents
  'repos/get-content',
  'repos/create-or-update-file-contents',
  'repos/delete-file',
  'repos/get-readme',
  // git database
  'git/get-ref',
  'git/list-matching-refs',
  'git/create-ref',
  'git/update-ref',
  'git/delete-ref',
  'git/get-tree',
  'git/create-tree',
  'git/get-commit',
  'git/create-commit',
  'git/get-blob',
  'git/create-blob',
  'git/get-tag',
  // issues, comments, labels
  'issues/list-for-repo',
  'issues/create',
  'issues/get',
  'issues/update',
  'issues/list-comments',
  'issues/create-comment',
  'issues/get-comment',
  'issues/update-comment',
  'issues/list-for-authenticated-user',
  'issues/list-labels-for-repo',
  'issues/create-label',
  'issues/get-label',
  'issues/update-label',
  'issues/delete-label',
  'issues/list-labels-on-issue',
  'issues/add-labels',
  'issues/set-labels',
  'issues/remove-label',
  // pull requests, reviews, review comments, files, merge, update-branch
  'pulls/list',
  'pulls/create',
  'pulls/get',
  'pulls/update',
  'pulls/list-files',
  'pulls/list-commits',
  'pulls/merge',
  'pulls/check-if-merged',
  'pulls/update-branch',
  'pulls/list-reviews',
  'pulls/create-review',
  'pulls/get-review',
  'pulls/submit-review',
  'pulls/list-review-comments',
  'pulls/create-review-comment',
  'pulls/create-reply-for-review-comment',
  'pulls/list-comments-for-review',
  'pulls/list-requested-reviewers',
  'pulls/request-reviewers',
  // commit statuses and check runs
  'repos/get-combined-status-for-ref',
  'repos/list-commit-statuses-for-ref',
  'repos/create-commit-status',
  'checks/list-for-ref',
  'checks/get',
  'checks/list-suites-for-ref',
  // search
  'search/repos',
  'search/code',
  'search/issues-and-pull-requests',
  'search/users',
  'search/commits',
  // users, rate limit
  'users/get-authenticated',
  'users/get-by-username',
  'rate-limit/get',
  // actions
  'actions/list-repo-workflows',
  'actions/get-workflow',
  'actions/list-workflow-runs',
  'actions/list-workflow-runs-for-repo',
  'actions/get-workflow-run',
  'actions/list-jobs-for-workflow-run',
  'actions/get-job-for-workflow-run',
  'actions/download-job-logs-for-workflow-run',
  'actions/download-workflow-run-logs',
  'actions/re-run-workflow',
  'actions/re-run-workflow-failed-jobs',
  'actions/re-run-job-for-workflow-run',
  'actions/cancel-workflow-run',
  'actions/create-workflow-dispatch',
  // releases, tags
  'repos/list-releases',
  'repos/get-release',
  'repos/get-latest-release',
  'repos/get-release-by-tag',
  'repos/create-release',
  'repos/update-release',
  'repos/delete-release',
  'repos/list-tags',
  // gists
  'gists/list',
  'gists/list-for-user',
  'gists/get',
  'gists/create',
  'gists/update',
  'gists/delete',
  // notifications
  'activity/list-notifications-for-authenticated-user',
  'activity/mark-notifications-as-read',
  'activity/list-repo-notifications-for-authenticated-user',
  'activity/mark-repo-notifications-as-read',
  'activity/get-thread',
  'activity/mark-thread-as-read',
  'activity/mark-thread-as-done',
  'activity/set-thread-subscription',
  'activity/delete-thread-subscription',
];

const dotcom = load('api.github.com');
// GHES lags github.com: an operation it lacks answers 404 in the 'ghes' flavour, as a real GHES would.
const ghes = load('ghes-3.19');
const ghesIds = new Set();
for (const item of Object.values(ghes.paths))
  for (const op of Object.values(item)) if (op?.operationId) ghesIds.add(op.operationId);

const byId = new Map();
for (const [path, item] of Object.entries(dotcom.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (op?.operationId) byId.set(op.operationId, { path, method, op, shared: item.parameters ?? [] });
  }
}

const deref = (value) => {
  let current = value;
  for (let hops = 0; current && typeof current === 'object' && '$ref' in current; hops += 1) {
    if (hops > 20) throw new Error(`ref loop at ${value.$ref}`);
    current = current.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], dotcom);
  }
  return current;
};

// An example's value may itself be a $ref to a shared Example Object (issues/get's is): its `value` is the
// payload, and refs can sit anywhere inside, so they are resolved all the way down.
const exampleValue = (value, depth = 0) => {
  if (depth > 50) throw new Error('example nested too deep');
  if (Array.isArray(value)) return value.map((entry) => exampleValue(entry, depth + 1));
  if (!value || typeof value !== 'object') return value;
  if ('$ref' in value) {
    const target = deref(value);
    return exampleValue(value.$ref.startsWith('#/components/examples/') ? target.value : target, depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, exampleValue(entry, depth + 1)]));
};

// Keywords that only document: dropped so the file stays small and ajv sees validation keywords alone.
const PROSE = new Set([
  'description',
  'title',
  'example',
  'examples',
  'externalDocs',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

const compactSchema = (schema, seen = []) => {
  const node = deref(schema);
  if (Array.isArray(node)) return node.map((entry) => compactSchema(entry, seen));
  if (!node || typeof node !== 'object') return node;
  if (seen.includes(node)) return {}; // a recursive schema: accept anything below the second visit
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (PROSE.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, compactSchema(sub, [...seen, node])]),
      );
    } else if (key === 'discriminator') {
      continue; // OpenAPI-only; ajv's discriminator wants options the description does not meet
    } else if (value && typeof value === 'object') {
      out[key] = compactSchema(value, [...seen, node]);
    } else if (key === 'nullable') {
      continue; // OpenAPI 3.0's nullable becomes JSON Schema's null type below
    } else {
      out[key] = value;
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
};

const operations = [];
const missing = [];
for (const id of OPERATIONS) {
  const entry = byId.get(id);
  if (!entry) {
    missing.push(id);
    continue;
  }
  const { path, method, op, shared } = entry;
  const parameters = [...shared, ...(op.parameters ?? [])].map(deref).map((p) => ({
    name: p.name,
    in: p.in,
    ...(p.required ? { required: true } : {}),
    schema: compactSchema(p.schema ?? {}),
  }));
  let requestBody = null;
  if (op.requestBody) {
    const body = deref(op.requestBody);
    const [contentType, media] = Object.entries(body.content)[0];
    requestBody = { required: Boolean(body.required), contentType, schema: compactSchema(media.schema ?? {}) };
  }
  const statuses = Object.keys(op.responses).map(Number);
  const success = statuses.filter((s) => s >= 200 && s < 400).sort((a, b) => a - b)[0];
  const response = deref(op.responses[String(success)]);
  const content = response.content ?? {};
  const contentType = content['application/json'] ? 'application/json' : Object.keys(content)[0];
  const examples = {};
  for (const [name, example] of Object.entries(content[contentType]?.examples ?? {})) {
    examples[name] = exampleValue(deref(example).value);
  }
  const headers = {};
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const resolved = deref(header);
    if (resolved.example !== undefined) headers[name.toLowerCase()] = String(resolved.example);
  }
  operations.push({
    operationId: id,
    method: method.toUpperCase(),
    path,
    docs: op.externalDocs?.url ?? 'https://docs.github.com/rest',
    ...(ghesIds.has(id) ? {} : { ghes: false }),
    parameters,
    requestBody,
    response: { status: success, ...(contentType ? { contentType } : {}), headers, examples },
    statuses,
  });
}
// Routes GitHub still answers that the description no longer documents. The archived reference server reads
// refs through the old plural path; the fake answers it like its documented twin and reports it.
const UNDOCUMENTED = [
  {
    operationId: 'git/get-ref (undocumented plural path)',
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    like: 'git/get-ref',
  },
];
for (const alias of UNDOCUMENTED) {
  const twin = operations.find((op) => op.operationId === alias.like);
  operations.push({
    ...twin,
    operationId: alias.operationId,
    method: alias.method,
    path: alias.path,
    undocumented: true,
  });
}
if (missing.length > 0) throw new Error(`not in the description: ${missing.join(', ')}`);

const { version } = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8'));
const out = {
  source: `@octokit/openapi ${version}: generated/api.github.com.json (GHES availability from ghes-3.19.json)`,
  operations,
};
const target = new URL('./operations.json', import.meta.url);
// One operation per line: a re-extraction after a bump shows as a readable diff.
const text = `{"source":${JSON.stringify(out.source)},"operations":[\n${operations.map((op) => JSON.stringify(op)).join(',\n')}\n]}\n`;
writeFileSync(target, text);
console.log(`${operations.length} operations, ${(text.length / 1024).toFixed(0)} KiB → ${target.pathname}`);
