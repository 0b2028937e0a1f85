#!/usr/bin/env node
// Runs the MCP conformance suite (server mode) against the kernel fixture and every Portico server, each over
// Streamable HTTP on 127.0.0.1, once per spec revision's frozen requirement set (`--requirements`): 2025-11-25
// on the stateful initialize handshake, 2026-07-28 stateless. Fails when a run has a failure its
// expected-failures file does not list, or lists one that now passes (a stale entry).
//
//   node scripts/conformance/run.mjs [--verbose] [target...]
//
// Targets: `kernel-fixture` (shared/dist-fixtures/kernel-server --conformance, which carries every diagnostic
// tool, resource and prompt the scenarios call) and each servers/<name> whose package.json has a
// `portico.conformance` field:
//
//   "portico": {
//     "conformance": {
//       "args": ["{tmpdir}"],     // server arguments before --http; required
//       "env": { "NAME": "value" } // extra environment; the server sees PATH, HOME and these only
//     }
//   }
//
// In args and env values, `{tmpdir}` is a fresh empty directory (removed afterwards) and `{dir}` the server's
// package directory. Every target runs every scenario of both requirement sets; what truly does not apply to it
// is listed in scripts/conformance/expected-failures/<target>.yml, by revision, each entry with its reason:
//
//   2026-07-28:
//     tasks-lifecycle: the tasks extension; the SDK has no runtime for it yet
//     server-stateless:sep-2575-server-rejects-undeclared-capability: needs the fixture's test_missing_capability
//
// An entry names a whole scenario or one check of it (`scenario:check-id`, as the suite prints it). The suite
// judges the scenarios a revision scores (a SHOULD warning counts as a failure there); the ones it runs without
// scoring (extensions, pending) it reports but never fails on, so this runner judges those itself from the
// summary's verdict, whole scenarios only (baseline.mjs reads the file and judges those). A missing file means no
// expected failures. The suite needs Node 22: it runs on the `node` package installed beside this script, while
// the servers run on the Node that runs this script.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExpectedFailures, suiteBaseline, unscoredProblems } from './baseline.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const NODE22 = join(HERE, 'node_modules/.bin/node');
const SUITE = join(HERE, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const EXPECTED_FAILURES = join(HERE, 'expected-failures');
/** The spec revisions whose frozen requirement sets every target runs, oldest first. */
const REVISIONS = ['2025-11-25', '2026-07-28'];
const READY_TIMEOUT_MS = 20_000;
const SUITE_TIMEOUT_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 10_000;

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const wanted = argv.filter((arg) => !arg.startsWith('--'));
const plain = !process.stdout.isTTY;

const ANSI = /\u001b\[[0-9;]*m/g;
const clean = (text) => text.replace(ANSI, '');
const show = (text) => (plain ? clean(text) : text);

/** Runs a command to completion, collecting its output; kills it after `timeoutMs`. */
function collect(command, args, { cwd, timeoutMs, env }) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[run.mjs] killed after ${timeoutMs / 1000} s\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ code: -1, output: `${output}\n[run.mjs] ${error.message}\n` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : -1), output });
    });
  });
}

function suiteEnv() {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    ...(plain ? { NO_COLOR: '1' } : {}),
  };
}

/** Each revision's scenarios, from `list --requirements`: what it scores and what it only runs. */
async function listRequirements() {
  const sets = new Map();
  for (const revision of REVISIONS) {
    const { code, output } = await collect(NODE22, [SUITE, 'list', '--requirements', revision], {
      cwd: tmpdir(),
      timeoutMs: 60_000,
      env: suiteEnv(),
    });
    if (code !== 0) throw new Error(`conformance list --requirements ${revision} failed:\n${output}`);
    const text = clean(output);
    const clientsAt = text.search(/^Client scenarios/m);
    const scored = text.slice(0, clientsAt < 0 ? text.length : clientsAt);
    const names = new Set([...scored.matchAll(/^\s+- (\S+)$/gm)].map((match) => match[1]));
    const unscored = new Set([...text.matchAll(/^\s+- (\S+) \[server\]$/gm)].map((match) => match[1]));
    if (names.size === 0)
      throw new Error(`conformance list --requirements ${revision} named no server scenarios:\n${text}`);
    for (const name of unscored) names.add(name);
    sets.set(revision, { all: names, unscored });
  }
  return sets;
}

/** Reads one target's expected failures (none without a file); throws with a sentence naming the mistake. */
function readExpectedFailures(name, requirements) {
  const file = join(EXPECTED_FAILURES, `${name}.yml`);
  if (!existsSync(file))
    return { file: undefined, byRevision: new Map(REVISIONS.map((revision) => [revision, new Map()])) };
  return { file, byRevision: parseExpectedFailures(readFileSync(file, 'utf8'), requirements, relative(ROOT, file)) };
}

/** Reads the conformance field of one server package; throws with a sentence naming the mistake. */
function readTarget(packageDir) {
  const file = join(packageDir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const spec = pkg.portico?.conformance;
  if (spec === undefined) return undefined;
  const where = `${relative(ROOT, file)}: portico.conformance`;
  const isStrings = (value) => Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (typeof spec !== 'object' || spec === null) throw new Error(`${where} must be an object.`);
  if (!isStrings(spec.args)) throw new Error(`${where}.args must be an array of strings (use [] for none).`);
  if (spec.scenarios !== undefined) {
    throw new Error(
      `${where}.scenarios is gone: every scenario runs, and what does not apply goes in scripts/conformance/expected-failures/<name>.yml with its reason.`,
    );
  }
  if (
    spec.env !== undefined &&
    (typeof spec.env !== 'object' || spec.env === null || !Object.values(spec.env).every((v) => typeof v === 'string'))
  ) {
    throw new Error(`${where}.env must map names to strings.`);
  }
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  const name = packageDir.split('/').at(-1);
  return {
    name,
    dir: packageDir,
    entry: join(packageDir, bin ?? 'dist/index.js'),
    args: spec.args,
    env: spec.env ?? {},
  };
}

function discoverTargets() {
  const targets = [
    {
      name: 'kernel-fixture',
      dir: join(ROOT, 'shared'),
      entry: join(ROOT, 'shared/dist-fixtures/kernel-server/index.js'),
      args: ['--conformance'],
      env: {},
    },
  ];
  const serversDir = join(ROOT, 'servers');
  const names = existsSync(serversDir)
    ? readdirSync(serversDir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  for (const name of names) {
    if (!existsSync(join(serversDir, name, 'package.json'))) continue;
    const target = readTarget(join(serversDir, name));
    if (target) targets.push(target);
  }
  return targets;
}

/** Starts a target with --http on a free loopback port and resolves once its ready line names the URL. */
function startTarget(target, substitute) {
  const args = [target.entry, ...target.args.map(substitute), '--http', '--host', '127.0.0.1', '--port', '0'];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir() };
  for (const [key, value] of Object.entries(target.env)) env[key] = substitute(value);
  const child = spawn(process.execPath, args, { cwd: target.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  const exit = new Promise((done) => child.on('exit', (code, signal) => ((exited = true), done(code ?? signal))));
  const url = new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`no ready line within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    let pending = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        let record;
        try {
          record = JSON.parse(line);
        } catch {
          continue;
        }
        if (record?.msg === 'ready' && typeof record.url === 'string') {
          clearTimeout(timer);
          done(record.url);
        }
      }
    });
    child.on('error', (error) => (clearTimeout(timer), fail(error)));
    exit.then((code) => (clearTimeout(timer), fail(new Error(`exited (${code}) before it was ready`))));
  });
  const stop = async () => {
    if (exited) return exit;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exit;
    clearTimeout(timer);
    return code;
  };
  return {
    url,
    stop,
    stderr: () => stderr,
    commandLine: `node ${[relative(ROOT, target.entry), ...args.slice(1)].join(' ')}`,
  };
}

/**
 * One revision's requirement set against a running target. The suite judges the scored scenarios against the
 * baseline written from `expected`; the unscored ones are judged here, since the suite never fails on them.
 */
async function runRevision(url, revision, expected, unscored, scratch) {
  const baseline = join(scratch, `expected-failures-${revision}.yml`);
  writeFileSync(baseline, suiteBaseline(expected.keys()));
  const suiteDir = mkdtempSync(join(scratch, 'suite-'));
  const { code, output } = await collect(
    NODE22,
    [SUITE, 'server', '--url', url, '--requirements', revision, '--expected-failures', baseline],
    {
      cwd: suiteDir,
      timeoutMs: SUITE_TIMEOUT_MS,
      env: suiteEnv(),
    },
  );
  const text = clean(output);
  const problems = [];
  if (code !== 0) problems.push(`the suite exited ${code} (see its report above)`);
  problems.push(...unscoredProblems(text, unscored, expected));
  const start = text.indexOf('=== SUMMARY ===');
  process.stdout.write(show(verbose || problems.length > 0 || start < 0 ? output : output.slice(start)));
  const total = /Total: (\d+) passed, (\d+) failed/.exec(text);
  for (const problem of problems) console.log(`✗ ${revision}: ${problem}`);
  return { ok: problems.length === 0, passed: Number(total?.[1] ?? 0), failed: Number(total?.[2] ?? 0) };
}

async function runTarget(target, requirements) {
  console.log(`\n##### ${target.name} #####`);
  if (!existsSync(target.entry)) {
    console.log(
      `${relative(ROOT, target.entry)} is missing: build first (npm run build in ${relative(ROOT, target.dir)}, or pnpm build).`,
    );
    return { ok: false };
  }
  let expected;
  try {
    expected = readExpectedFailures(target.name, requirements);
  } catch (error) {
    console.log(error.message);
    return { ok: false };
  }
  const scratch = mkdtempSync(join(tmpdir(), `portico-conformance-${target.name}-`));
  const substitute = (value) => value.replaceAll('{tmpdir}', scratch).replaceAll('{dir}', target.dir);
  const server = startTarget(target, substitute);
  try {
    let url;
    try {
      url = await server.url;
    } catch (error) {
      console.log(`${server.commandLine} did not start: ${error.message}\n${server.stderr()}`);
      return { ok: false };
    }
    console.log(
      `${server.commandLine}\n→ ${url}, expected failures: ${expected.file ? relative(ROOT, expected.file) : 'none'}`,
    );
    const result = { ok: true, passed: 0, failed: 0 };
    for (const revision of REVISIONS) {
      console.log(`\n=== requirements ${revision} ===`);
      const run = await runRevision(
        url,
        revision,
        expected.byRevision.get(revision),
        requirements.get(revision).unscored,
        scratch,
      );
      result.ok &&= run.ok;
      result.passed += run.passed;
      result.failed += run.failed;
    }
    return result;
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(NODE22) || !existsSync(SUITE)) {
    console.error(
      `The conformance suite or its Node 22 is not installed under ${relative(ROOT, HERE)}/node_modules: run node scripts/setup.mjs.`,
    );
    return 2;
  }
  let targets;
  try {
    targets = discoverTargets();
  } catch (error) {
    console.error(error.message);
    return 2;
  }
  const unknownTargets = wanted.filter((name) => !targets.some((target) => target.name === name));
  if (unknownTargets.length > 0) {
    console.error(
      `Unknown target ${unknownTargets.join(', ')}; the targets are ${targets.map((target) => target.name).join(', ')}.`,
    );
    return 2;
  }
  if (wanted.length > 0) targets = targets.filter((target) => wanted.includes(target.name));
  const requirements = await listRequirements();
  const started = Date.now();
  const results = [];
  for (const target of targets) results.push({ name: target.name, ...(await runTarget(target, requirements)) });
  console.log(
    `\n##### conformance (requirements ${REVISIONS.join(' and ')}, ${((Date.now() - started) / 1000).toFixed(0)} s) #####`,
  );
  for (const result of results) {
    const counts =
      result.passed === undefined ? 'did not run' : `${result.passed} checks passed, ${result.failed} failed`;
    console.log(`${result.ok ? '✓' : '✗'} ${result.name}: ${counts}${result.ok ? '' : ' (not as expected)'}`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

process.exitCode = await main();
