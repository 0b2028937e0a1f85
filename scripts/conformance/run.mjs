#!/usr/bin/env node
// Runs the MCP conformance suite (server mode) against the kernel fixture and every Portico server that asks
// for it, each over Streamable HTTP on 127.0.0.1, and fails when any run has a failure its expected-failures
// file does not list (or lists a scenario that now passes).
//
//   node scripts/conformance/run.mjs [--verbose] [target...]
//
// Targets: `kernel-fixture` (shared/dist-fixtures/kernel-server, always) and each servers/<name> whose
// package.json has a `portico.conformance` field:
//
//   "portico": {
//     "conformance": {
//       "args": ["{tmpdir}"],                 // server arguments before --http; required
//       "scenarios": ["server-initialize", …], // the scenarios that apply; omitted = the suite's active set
//       "env": { "NAME": "value" }              // extra environment; the server sees PATH, HOME and these only
//     }
//   }
//
// In args and env values, `{tmpdir}` is a fresh empty directory (removed afterwards) and `{dir}` the server's
// package directory. Expected failures live in scripts/conformance/expected-failures/<target>.yml (a missing
// file means none). The suite needs Node 22: it runs on the `node` package installed beside this script, while
// the servers run on the Node that runs this script.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const NODE22 = join(HERE, 'node_modules/.bin/node');
const SUITE = join(HERE, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const EXPECTED_FAILURES = join(HERE, 'expected-failures');
const READY_TIMEOUT_MS = 20_000;
const SUITE_TIMEOUT_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 10_000;

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const wanted = argv.filter((arg) => !arg.startsWith('--'));
const plain = !process.stdout.isTTY;
// eslint-disable-next-line no-control-regex
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

/** The suite's server scenarios, from `list --server`. */
async function listScenarios() {
  const { code, output } = await collect(NODE22, [SUITE, 'list', '--server'], { cwd: tmpdir(), timeoutMs: 60_000, env: suiteEnv() });
  if (code !== 0) throw new Error(`conformance list --server failed:\n${output}`);
  return new Set([...clean(output).matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]));
}

function suiteEnv() {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...(plain ? { NO_COLOR: '1' } : {}) };
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
  if (spec.scenarios !== undefined && (!isStrings(spec.scenarios) || spec.scenarios.length === 0)) {
    throw new Error(`${where}.scenarios must be a non-empty array of scenario names, or be left out.`);
  }
  if (spec.env !== undefined && (typeof spec.env !== 'object' || spec.env === null || !Object.values(spec.env).every((v) => typeof v === 'string'))) {
    throw new Error(`${where}.env must map names to strings.`);
  }
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  const name = packageDir.split('/').at(-1);
  return { name, dir: packageDir, entry: join(packageDir, bin ?? 'dist/index.js'), args: spec.args, scenarios: spec.scenarios, env: spec.env ?? {} };
}

function discoverTargets() {
  const targets = [{ name: 'kernel-fixture', dir: join(ROOT, 'shared'), entry: join(ROOT, 'shared/dist-fixtures/kernel-server/index.js'), args: ['--conformance'], env: {} }];
  const serversDir = join(ROOT, 'servers');
  const names = existsSync(serversDir) ? readdirSync(serversDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
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
    const timer = setTimeout(() => fail(new Error(`no ready line within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
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
  return { url, stop, stderr: () => stderr, commandLine: `node ${[relative(ROOT, target.entry), ...args.slice(1)].join(' ')}` };
}

/** Runs the suite once in a scratch directory (the suite may write results/ there) and removes it. */
async function runSuite(args) {
  const scratch = mkdtempSync(join(tmpdir(), 'portico-conformance-'));
  try {
    return await collect(NODE22, [SUITE, 'server', ...args], { cwd: scratch, timeoutMs: SUITE_TIMEOUT_MS, env: suiteEnv() });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The whole active suite in one run: prints the suite's own summary. */
async function runActiveSuite(url, baseline) {
  const { code, output } = await runSuite(['--url', url, '--expected-failures', baseline]);
  const start = output.indexOf('=== SUMMARY ===');
  process.stdout.write(show(verbose || code !== 0 || start < 0 ? output : output.slice(start)));
  const total = /Total: (\d+) passed, (\d+) failed/.exec(clean(output));
  return { ok: code === 0, passed: Number(total?.[1] ?? 0), failed: Number(total?.[2] ?? 0) };
}

/** A server's own scenario list: one suite run per scenario (the suite takes one --scenario at a time). */
async function runScenarios(url, baseline, scenarios) {
  let passed = 0;
  let failed = 0;
  let ok = true;
  const lines = [];
  for (const scenario of scenarios) {
    const { code, output } = await runSuite(['--url', url, '--scenario', scenario, '--expected-failures', baseline]);
    const text = clean(output);
    const counts = /Passed: (\d+)\/\d+, (\d+) failed, (\d+) warnings/.exec(text);
    const [p, f, w] = counts ? counts.slice(1).map(Number) : [0, 1, 0];
    passed += p;
    failed += f;
    const expected = new RegExp(`^\\s+~ ${scenario}$`, 'm').test(text);
    const stale = /Stale baseline entries/.test(text);
    const note = code === 0 ? (expected ? ' (expected failure)' : '') : stale ? ' (passes: remove it from the expected failures)' : ' (unexpected failure)';
    lines.push(`${f === 0 && w === 0 ? '✓' : '✗'} ${scenario}: ${p} passed, ${f} failed${w ? `, ${w} warnings` : ''}${note}`);
    if (code !== 0) ok = false;
    if (verbose || code !== 0) process.stdout.write(show(output));
  }
  process.stdout.write(`=== SUMMARY ===\n${lines.join('\n')}\n\nTotal: ${passed} passed, ${failed} failed\n`);
  return { ok, passed, failed };
}

async function runTarget(target, known) {
  console.log(`\n##### ${target.name} #####`);
  if (!existsSync(target.entry)) {
    console.log(`${relative(ROOT, target.entry)} is missing: build first (npm run build in ${relative(ROOT, target.dir)}, or pnpm build).`);
    return { ok: false };
  }
  const unknown = (target.scenarios ?? []).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    console.log(`Unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in portico.conformance.scenarios; run "conformance list --server" for the names.`);
    return { ok: false };
  }
  const scratch = mkdtempSync(join(tmpdir(), `portico-conformance-${target.name}-`));
  const substitute = (value) => value.replaceAll('{tmpdir}', scratch).replaceAll('{dir}', target.dir);
  let baseline = join(EXPECTED_FAILURES, `${target.name}.yml`);
  if (!existsSync(baseline)) {
    baseline = join(scratch, 'no-expected-failures.yml');
    writeFileSync(baseline, 'server: []\n');
  }
  const server = startTarget(target, substitute);
  try {
    let url;
    try {
      url = await server.url;
    } catch (error) {
      console.log(`${server.commandLine} did not start: ${error.message}\n${server.stderr()}`);
      return { ok: false };
    }
    console.log(`${server.commandLine}\n→ ${url}, expected failures: ${relative(ROOT, baseline).startsWith('..') ? 'none' : relative(ROOT, baseline)}\n`);
    return target.scenarios ? await runScenarios(url, baseline, target.scenarios) : await runActiveSuite(url, baseline);
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(NODE22) || !existsSync(SUITE)) {
    console.error(`The conformance suite or its Node 22 is not installed under ${relative(ROOT, HERE)}/node_modules: run node scripts/setup.mjs.`);
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
    console.error(`Unknown target ${unknownTargets.join(', ')}; the targets are ${targets.map((target) => target.name).join(', ')}.`);
    return 2;
  }
  if (wanted.length > 0) targets = targets.filter((target) => wanted.includes(target.name));
  const known = await listScenarios();
  const results = [];
  for (const target of targets) results.push({ name: target.name, ...(await runTarget(target, known)) });
  console.log('\n##### conformance #####');
  for (const result of results) {
    const counts = result.passed === undefined ? 'did not run' : `${result.passed} checks passed, ${result.failed} failed`;
    console.log(`${result.ok ? '✓' : '✗'} ${result.name}: ${counts}${result.ok ? '' : ' (not as expected)'}`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

process.exitCode = await main();
