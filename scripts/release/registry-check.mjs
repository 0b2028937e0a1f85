#!/usr/bin/env node
// The npm release, proven end to end on this machine: every server is published to a real registry
// (Verdaccio on 127.0.0.1, empty storage, never proxying @portico-mcp/* to npmjs) and then started the way a
// user starts it — the `npx -y @portico-mcp/server-<name> …` line of its README, in an empty directory with
// an empty npm cache — first with --help, then as a host does: an SDK client over the spawned npx process,
// initialize, tools/list and one real call.
//
//   node scripts/release/registry-check.mjs [name...]     (the servers must be built: `pnpm -r run build`)
//
// It takes minutes, mostly better-sqlite3 compiling from source in the user's install, so CI runs it as its
// own step rather than inside `npm test`.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { runServer } from 'verdaccio';

const root = resolve(import.meta.dirname, '..', '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ALL = ['filesystem', 'git', 'sqlite', 'fetch', 'browser', 'github'];
const names = process.argv.length > 2 ? process.argv.slice(2) : ALL;
const work = mkdtempSync(join(tmpdir(), 'portico-registry-'));
const started = Date.now();
const log = (line) => console.log(`registry: [${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);
const cleanups = [];

try {
  for (const name of ALL) {
    assert.ok(
      existsSync(join(root, 'servers', name, 'dist', 'index.js')),
      `servers/${name} is not built: run \`node scripts/pnpm.mjs -r run build\` first`,
    );
  }
  const registry = await startRegistry();
  log(`Verdaccio ${registry.version} on ${registry.url}`);
  const npmrc = join(work, 'publisher.npmrc');
  writeFileSync(npmrc, `${registry.url.replace(/^http:/, '')}:_authToken=${registry.token}\n`);
  for (const name of ALL) {
    // Verdaccio runs in this process: everything here must stay asynchronous, or it could not answer.
    const result = await run(
      'npm',
      [
        'exec',
        '--yes',
        `--package=${packageManager}`,
        '--',
        'pnpm',
        'publish',
        '--registry',
        registry.url,
        '--no-git-checks',
      ],
      {
        cwd: join(root, 'servers', name),
        env: { ...process.env, NPM_CONFIG_USERCONFIG: npmrc, npm_config_update_notifier: 'false' },
      },
    );
    assert.equal(result.status, 0, `pnpm publish of servers/${name} failed:\n${result.stderr}`);
  }
  const published = await (await fetch(`${registry.url}-/verdaccio/data/packages`)).json().catch(() => null);
  log(
    `published ${ALL.length} packages${Array.isArray(published) ? ` (${published.map((p) => `${p.name}@${p.version}`).join(', ')})` : ''}`,
  );

  // The user's side: nothing but Node, npm and the registry. npm reads no config of this machine's user.
  const home = join(work, 'home');
  const project = join(work, 'empty-project');
  mkdirSync(home);
  mkdirSync(project);
  writeFileSync(join(home, '.npmrc'), '');
  const userEnv = {
    PATH: process.env.PATH,
    HOME: home,
    npm_config_registry: registry.url,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_userconfig: join(home, '.npmrc'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // No prebuilt binaries can be downloaded here: better-sqlite3 compiles against the local headers.
    npm_config_nodedir: '/usr',
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
  };
  const fixtures = await makeFixtures(join(work, 'fixtures'));
  cleanups.push(fixtures.close);
  for (const name of names) {
    const line = readmeNpxLine(name);
    const { args, env } = substitute(line, fixtures.paths[name]);
    log(`${name}: ${line}`);
    const t0 = Date.now();
    const help = await run('npx', ['-y', `@portico-mcp/server-${name}`, '--help'], {
      cwd: project,
      env: { ...userEnv, ...env },
    });
    assert.equal(help.status, 0, `npx … server-${name} --help failed:\n${help.stderr}`);
    assert.match(help.stdout, new RegExp(`Usage: mcp-server-${name}`), `server-${name} --help printed no usage line`);
    log(`${name}: --help after a cold install in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    await speakMcp(name, args, { ...userEnv, ...env, ...fixtures.env[name] }, project, fixtures);
  }
  assertNothingDownloaded(join(work, 'npm-cache'), home);
  log(`ok: ${names.length} servers installed from the registry with npx and answered MCP`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(work, { recursive: true, force: true });
}

async function startRegistry() {
  const dir = join(work, 'verdaccio');
  mkdirSync(dir);
  // @portico-mcp/* has no uplink: the packages under test can only come from what was just published.
  // Everything else is proxied to the registry this machine reaches (through its TLS proxy, whose CA
  // NODE_EXTRA_CA_CERTS names).
  writeFileSync(
    join(dir, 'config.yaml'),
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      '    max_users: 10',
      'uplinks:',
      '  npmjs:',
      '    url: https://registry.npmjs.org/',
      '    timeout: 120s',
      'packages:',
      "  '@portico-mcp/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    proxy: npmjs',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const server = await runServer(join(dir, 'config.yaml'));
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise((done) => server.close(() => done())));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const response = await fetch(`${url}-/user/org.couchdb.user:portico`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'portico', password: 'portico-release-check' }),
  });
  assert.equal(response.status, 201, `could not create the publisher on Verdaccio: ${response.status}`);
  const { token } = await response.json();
  const version = JSON.parse(readFileSync(join(root, 'node_modules', 'verdaccio', 'package.json'), 'utf8')).version;
  return { url, token, version };
}

/** The server README's Claude Code line for npx, the one a user copies. */
function readmeNpxLine(name) {
  const readme = readFileSync(join(root, 'servers', name, 'README.md'), 'utf8');
  const section = readme.split(/^### npx$/m)[1];
  assert.ok(section, `servers/${name}/README.md has no "### npx" section`);
  const line = section
    .split('\n')
    .find((l) => l.startsWith('claude mcp add ') && l.includes(`npx -y @portico-mcp/server-${name}`));
  assert.ok(
    line,
    `servers/${name}/README.md has no \`claude mcp add … npx -y @portico-mcp/server-${name}\` line under "### npx"`,
  );
  return line.trim();
}

/** The README line's arguments and environment, with the README's example paths swapped for real ones. */
function substitute(line, paths) {
  const swap = (word) => paths[word] ?? word;
  const [before, after] = line.split(' -- ');
  const env = {};
  for (const match of before.matchAll(/(?:-e|--env) ([A-Z_]+)=(\S+)/g)) env[match[1]] = swap(match[2]);
  const words = after.split(/\s+/);
  assert.deepEqual(words.slice(0, 3).join(' ').startsWith('npx -y @portico-mcp/server-'), true, line);
  return { args: words.slice(3).map(swap), env };
}

async function speakMcp(name, args, env, cwd, fixtures) {
  const transport = new StdioClientTransport({
    command: 'npx',
    args: ['-y', `@portico-mcp/server-${name}`, ...args],
    env,
    cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => (stderr += chunk));
  const client = new Client(
    { name: 'portico-registry-check', version: '0.0.0' },
    { versionNegotiation: { mode: 'legacy' } },
  );
  try {
    await client.connect(transport);
    const info = client.getServerVersion();
    const expected = JSON.parse(readFileSync(join(root, 'servers', name, 'package.json'), 'utf8')).version;
    assert.equal(
      info?.version,
      expected,
      `server-${name} reports version ${info?.version}, its package.json says ${expected}`,
    );
    const { tools } = await client.listTools();
    assert.ok(tools.length > 0, `server-${name} lists no tools`);
    const call = fixtures.calls[name];
    const result = await client.callTool({ name: call.tool, arguments: call.arguments });
    const text = (result.content ?? [])
      .filter((b) => b.type === 'text')
      .map((b) => b.text)
      .join('');
    assert.notEqual(result.isError, true, `server-${name} ${call.tool} failed: ${text}`);
    assert.match(text, call.expect, `server-${name} ${call.tool} did not answer as expected: ${text.slice(0, 500)}`);
    log(`${name}: initialize (${info.name} ${info.version}), tools/list (${tools.length} tools), ${call.tool} ok`);
  } catch (error) {
    throw new Error(`${error.message}\nstderr of server-${name}:\n${stderr.slice(-4000)}`, { cause: error });
  } finally {
    await client.close();
  }
}

/** Real things for each server's one call: a directory, a git repository, a page and an API on 127.0.0.1. */
async function makeFixtures(dir) {
  const files = join(dir, 'files');
  const repo = join(dir, 'repo');
  mkdirSync(files, { recursive: true });
  mkdirSync(repo);
  writeFileSync(join(files, 'hello-from-the-registry.txt'), 'hello\n');
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: repo,
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Portico',
        GIT_AUTHOR_EMAIL: 'dev@portico.invalid',
        GIT_COMMITTER_NAME: 'Portico',
        GIT_COMMITTER_EMAIL: 'dev@portico.invalid',
      },
    });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# app\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'First commit published through the registry check');
  const http = createServer((request, response) => {
    if (request.url === '/page') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        '<html><head><title>Registry check</title></head><body><main><h1>Installed with npx</h1><p>This page is served on 127.0.0.1 for the release check.</p><button>Press me</button></main></body></html>',
      );
    } else if (request.url === '/api/repos/octo/app/issues/7') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          number: 7,
          title: 'Installed with npx',
          state: 'open',
          user: { login: 'octo' },
          body: 'From a local API.',
          labels: [],
          assignees: [],
          comments: 0,
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-02T00:00:00Z',
          html_url: 'https://github.com/octo/app/issues/7',
        }),
      );
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"message":"Not Found"}');
    }
  });
  await new Promise((done) => http.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${http.address().port}`;
  return {
    close: () => new Promise((done) => http.close(() => done())),
    // The README's example paths and secrets, and what stands for them here.
    paths: {
      filesystem: { '"$PWD"': files },
      git: { '"$PWD"': repo },
      sqlite: { './shop.db': join(dir, 'shop.db') },
      fetch: {},
      browser: {},
      github: { 'ghp_…': 'ghp_registry_check_token' },
    },
    // Only what the one call needs on top of the README's line: the fetch and browser servers refuse
    // loopback by default, and the GitHub server is pointed at the local API.
    env: {
      fetch: { PORTICO_FETCH_ALLOW_HOSTS: '127.0.0.1' },
      browser: { PORTICO_BROWSER_ALLOW_HOSTS: '127.0.0.1', PUPPETEER_EXECUTABLE_PATH: '/usr/bin/chromium' },
      github: { GITHUB_API_URL: `${base}/api` },
    },
    calls: {
      filesystem: { tool: 'list_directory', arguments: { path: files }, expect: /hello-from-the-registry\.txt/ },
      git: {
        tool: 'git_log',
        arguments: { repo_path: repo },
        expect: /First commit published through the registry check/,
      },
      sqlite: { tool: 'read_query', arguments: { query: 'SELECT sqlite_version() AS version' }, expect: /3\.\d+\.\d+/ },
      fetch: { tool: 'fetch', arguments: { url: `${base}/page` }, expect: /Installed with npx/ },
      browser: { tool: 'browser_navigate', arguments: { url: `${base}/page` }, expect: /Press me/ },
      github: {
        tool: 'get_issue',
        arguments: { owner: 'octo', repo: 'app', issue_number: 7 },
        expect: /Installed with npx/,
      },
    },
  };
}

/** Puppeteer-core and the rest must fetch nothing but packages: no browser, no prebuilt addon. */
function assertNothingDownloaded(cache, home) {
  for (const dir of [join(home, '.cache', 'puppeteer'), join(cache, '_prebuilds'), join(home, '.cache', 'node-gyp')]) {
    assert.ok(!existsSync(dir), `something was downloaded outside the registry: ${dir} exists`);
  }
}

/** Runs a command to its end without blocking the event loop (the registry answers from this process). */
function run(command, args, options) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}
