// The filesystem server side by side with the reference server from npm (@modelcontextprotocol/server-filesystem
// 2026.8.31) and the raw floor (what Node itself takes for the same work), all measured in this run:
// startup, small reads, the reply bytes of everyday calls (the model's context cost), head/tail on a 500 MB file,
// search and tree on a generated 50,000-file tree, memory.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bytes,
  connectTimed,
  median,
  medianMs,
  ms,
  peakRssOf,
  rssOf,
  timeSpawnToExit,
} from '../../../scripts/bench-lib/measure.mjs';

const require = createRequire(import.meta.url);
const PORTICO = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REFERENCE = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

const STARTUP_RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 9);
const BIG_FILE_BYTES = 500 * 1024 * 1024;
const TREE_DIRECTORIES = 2_000;
const FILES_PER_DIRECTORY = 25;
/** Longest a reference call may run before it is reported as "> N s". */
const REFERENCE_TIMEOUT_MS = 30_000;
/** Portico runs the tree benchmarks with the largest reply budget, so it returns every match as the reference does. */
const FULL_BUDGET = ['--max-output-bytes', String(8 * 1024 * 1024)];

const textOf = (result) =>
  (result.content ?? [])
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('');
const replyBytes = (result) => Buffer.byteLength(JSON.stringify(result));

/** Times one tool call; a reference call that exceeds the cap is reported as the cap, marked timed out. */
async function timedCall(server, name, args, timeout = REFERENCE_TIMEOUT_MS) {
  const started = performance.now();
  try {
    const result = await server.client.callTool({ name, arguments: args }, { timeout, maxTotalTimeout: timeout });
    return { ms: performance.now() - started, result, timedOut: false };
  } catch (error) {
    const elapsed = performance.now() - started;
    return {
      ms: elapsed >= timeout * 0.95 ? timeout : elapsed,
      result: undefined,
      timedOut: elapsed >= timeout * 0.95,
      error,
    };
  }
}

/** Median of a few calls (the first one warms caches and is not counted). */
async function medianCall(server, name, args, runs = 3) {
  await timedCall(server, name, args);
  const samples = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = await timedCall(server, name, args);
    samples.push(last.ms);
    if (last.timedOut) break;
  }
  return { ms: median(samples), result: last.result, timedOut: last.timedOut };
}

function label(name, call) {
  if (call.timedOut)
    return `${name} (stopped at the ${REFERENCE_TIMEOUT_MS / 1000} s cap: > ${REFERENCE_TIMEOUT_MS / 1000} s)`;
  return call.failed ? `${name} (failed: its session ended)` : name;
}

function makeBigFile(file) {
  // Log-like lines; the last line is unique so that tail results can be checked.
  const line = 'INFO 2026-01-01T00:00:00Z request handled path=/api/items status=200 duration_ms=12\n';
  const block = Buffer.from(line.repeat(Math.floor((1024 * 1024) / line.length)));
  const fd = openSync(file, 'w');
  for (let written = 0; written < BIG_FILE_BYTES; written += block.length) writeSync(fd, block);
  writeSync(fd, 'LAST LINE\n');
  closeSync(fd);
}

function makeTree(root) {
  for (let d = 0; d < TREE_DIRECTORIES; d++) {
    const dir = join(root, `pkg-${d % 40}`, `module-${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIRECTORY; f++) {
      const name = f === 0 ? `index-${d}.ts` : `file-${f}.${['txt', 'md', 'json'][f % 3]}`;
      writeFileSync(
        join(dir, name),
        f === 7 && d % 100 === 0 ? `config value\nneedle-${d}\n` : `config value ${d}-${f}\n`,
      );
    }
  }
}

/** The floor for a tree walk: recursive readdir with file types, nothing else. */
function rawWalk(dir, visit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    visit(path, entry);
    if (entry.isDirectory()) rawWalk(path, visit);
  }
}

function rawHead(file, bytes = 65_536) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(bytes);
  readSync(fd, buffer, 0, bytes, 0);
  closeSync(fd);
  return buffer;
}

function rawTail(file, bytes = 65_536) {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(bytes);
  readSync(fd, buffer, 0, bytes, size - bytes);
  closeSync(fd);
  return buffer;
}

function timeSync(fn, runs = 5) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function grepTime(pattern, dir) {
  const started = performance.now();
  spawnSync('grep', ['-rn', '--binary-files=without-match', pattern, dir], { stdio: 'ignore' });
  return performance.now() - started;
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'portico-fs-bench-'));
  const cleanups = [];
  try {
    const small = join(work, 'small');
    mkdirSync(small);
    writeFileSync(
      join(small, 'one-kb.txt'),
      'abcdefghijklmnopqrstuvwxyz012345678901234567890123456789012\n'.repeat(17).slice(0, 1024),
    );
    writeFileSync(join(small, 'one-line-4mb.json'), `[${'"value",'.repeat(524_288)}"end"]`);
    const fifty = join(small, 'fifty');
    mkdirSync(fifty);
    for (let index = 0; index < 50; index++) {
      if (index % 10 === 0) mkdirSync(join(fifty, `directory-${index}`));
      else writeFileSync(join(fifty, `file-${String(index).padStart(2, '0')}.txt`), 'x');
    }

    // Startup, interleaved so that machine noise hits every contender alike.
    const startup = { node: [], portico: [], porticoModern: [], reference: [] };
    const idle = { portico: [], reference: [] };
    for (let i = 0; i < STARTUP_RUNS; i++) {
      startup.node.push(await timeSpawnToExit(process.execPath, ['-e', '0']));
      for (const [key, entry, era] of [
        ['portico', PORTICO, 'legacy'],
        ['porticoModern', PORTICO, 'modern'],
        ['reference', REFERENCE, 'legacy'],
      ]) {
        const server = await connectTimed({ args: [entry, small], era });
        startup[key].push(server.initializeMs);
        if (key in idle) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          idle[key].push(rssOf(server.pid));
        }
        await server.close();
      }
    }

    const portico = await connectTimed({ args: [PORTICO, work, ...FULL_BUDGET] });
    const porticoDefault = await connectTimed({ args: [PORTICO, work] });
    let reference = await connectTimed({ args: [REFERENCE, work] });
    cleanups.push(
      () => portico.close(),
      () => porticoDefault.close(),
      () => reference.close(),
    );

    // Small reads.
    const oneKb = join(small, 'one-kb.txt');
    const read1kb = {
      portico: await medianMs(
        () => porticoDefault.client.callTool({ name: 'read_text_file', arguments: { path: oneKb } }),
        { runs: 50, warmup: 5 },
      ),
      reference: await medianMs(
        () => reference.client.callTool({ name: 'read_text_file', arguments: { path: oneKb } }),
        { runs: 50, warmup: 5 },
      ),
      raw: await medianMs(() => readFileSync(oneKb, 'utf8'), { runs: 50, warmup: 5 }),
    };

    // Reply bytes of everyday calls, on the same input for both servers: what each costs the model's context.
    const everyday = [];
    for (const [measure, name, args] of [
      ['read_text_file, 1 KB file', 'read_text_file', { path: oneKb }],
      ['list_directory, 50 entries', 'list_directory', { path: fifty }],
    ]) {
      const ours = await porticoDefault.client.callTool({ name, arguments: args });
      const theirs = await reference.client.callTool({ name, arguments: args });
      if (textOf(ours) !== textOf(theirs))
        throw new Error(`${name}: Portico's text differs from the reference's on the same input`);
      everyday.push({
        measure: `reply bytes, ${measure}`,
        portico: replyBytes(ours),
        format: bytes,
        anchors: [{ name: 'reference server-filesystem, same call', value: replyBytes(theirs) }],
      });
    }

    // A single 4 MB line: head: 1 (the reference rescans its growing buffer for every 1 KB read).
    const oneLineFile = join(small, 'one-line-4mb.json');
    const oneLinePortico = await medianCall(porticoDefault, 'read_text_file', { path: oneLineFile, head: 1 });
    const oneLineReference = await timedCall(reference, 'read_text_file', { path: oneLineFile, head: 1 });
    if (oneLineReference.error && !oneLineReference.timedOut) oneLineReference.failed = true;
    if (oneLineReference.timedOut || oneLineReference.error) {
      // Still busy, or its session ended (its reply to a 4 MB line, sent twice, is over a client's message
      // limit): replace it so the next measurements are neither queued behind the runaway call nor failing.
      await reference.close();
      reference = await connectTimed({ args: [REFERENCE, work] });
      cleanups.push(() => reference.close());
    }

    // The 500 MB file.
    const bigFile = join(work, 'big.log');
    makeBigFile(bigFile);
    const head = {
      portico: await medianCall(porticoDefault, 'read_text_file', { path: bigFile, head: 10 }),
      reference: await medianCall(reference, 'read_text_file', { path: bigFile, head: 10 }),
      raw: timeSync(() => rawHead(bigFile)),
    };
    const tail = {
      portico: await medianCall(porticoDefault, 'read_text_file', { path: bigFile, tail: 10 }),
      reference: await medianCall(reference, 'read_text_file', { path: bigFile, tail: 10 }),
      raw: timeSync(() => rawTail(bigFile)),
    };
    if (!textOf(tail.portico.result).endsWith('LAST LINE')) throw new Error('Portico tail returned the wrong lines');
    const whole = await medianCall(porticoDefault, 'read_text_file', { path: bigFile });
    rmSync(bigFile);

    // The 50,000-file tree.
    const tree = join(work, 'tree');
    makeTree(tree);
    const treeFiles = TREE_DIRECTORIES * FILES_PER_DIRECTORY;
    const rawWalkMs = timeSync(() => rawWalk(tree, () => undefined), 3);
    const searchArgs = { path: tree, pattern: '**/*.ts' };
    const searchFiles = {
      portico: await medianCall(portico, 'search_files', { ...searchArgs, maxResults: 100_000 }),
      porticoGitignore: await medianCall(portico, 'search_files', {
        ...searchArgs,
        maxResults: 100_000,
        respectGitignore: true,
      }),
      reference: await medianCall(reference, 'search_files', searchArgs, 1),
    };
    const porticoMatches = textOf(searchFiles.portico.result)
      .split('\n')
      .filter((line) => line.endsWith('.ts')).length;
    if (porticoMatches !== TREE_DIRECTORIES)
      throw new Error(`Portico search_files found ${porticoMatches} of ${TREE_DIRECTORIES}`);
    const searchContent = {
      portico: await medianCall(portico, 'search_content', { path: tree, pattern: 'needle-\\d+', maxResults: 10_000 }),
      grep: median([grepTime('needle-[0-9]', tree), grepTime('needle-[0-9]', tree), grepTime('needle-[0-9]', tree)]),
    };
    const treeCall = {
      portico: await medianCall(porticoDefault, 'directory_tree', { path: tree }),
      reference: await medianCall(reference, 'directory_tree', { path: tree }, 1),
    };
    const treeBytes = {
      portico: treeCall.portico.result ? replyBytes(treeCall.portico.result) : 0,
      reference: treeCall.reference.result ? replyBytes(treeCall.reference.result) : 0,
    };
    const peak = {
      portico: Math.max(peakRssOf(portico.pid), peakRssOf(porticoDefault.pid)),
      reference: peakRssOf(reference.pid),
    };
    const s = (value) => `${(value / 1000).toFixed(value >= 10_000 ? 1 : 2)} s`;
    const time = (value) => (value >= 1000 ? s(value) : ms(value));

    return [
      {
        title: `Filesystem server: startup and small reads (median of ${STARTUP_RUNS} spawns; 50 reads)`,
        rows: [
          {
            measure: 'spawn → initialize (2025 handshake)',
            portico: median(startup.portico),
            format: ms,
            anchors: [
              { name: 'reference server-filesystem', value: median(startup.reference) },
              { name: 'node -e 0 (spawn→exit)', value: median(startup.node) },
            ],
          },
          {
            measure: 'spawn → initialize (2026-07-28)',
            portico: median(startup.porticoModern),
            format: ms,
            anchors: [{ name: 'reference server-filesystem (2025)', value: median(startup.reference) }],
          },
          {
            measure: 'read_text_file, 1 KB file',
            portico: read1kb.portico,
            format: ms,
            anchors: [
              { name: 'reference server-filesystem', value: read1kb.reference },
              { name: 'raw fs.readFile (in process)', value: read1kb.raw },
            ],
          },
          {
            measure: 'idle RSS after initialize',
            portico: median(idle.portico),
            format: bytes,
            anchors: [{ name: 'reference server-filesystem', value: median(idle.reference) }],
          },
        ],
      },
      {
        title: "Filesystem server: reply bytes of everyday calls (the model's context cost; the whole JSON result)",
        rows: everyday,
      },
      {
        title: 'Filesystem server: large files (500 MB log file; 4 MB single-line file)',
        rows: [
          {
            measure: 'head: 10 on 500 MB',
            portico: head.portico.ms,
            format: time,
            anchors: [
              { name: label('reference server-filesystem', head.reference), value: head.reference.ms },
              { name: 'raw read of the first 64 KB', value: head.raw },
            ],
          },
          {
            measure: 'tail: 10 on 500 MB',
            portico: tail.portico.ms,
            format: time,
            anchors: [
              { name: label('reference server-filesystem', tail.reference), value: tail.reference.ms },
              { name: 'raw read of the last 64 KB', value: tail.raw },
            ],
          },
          {
            measure: 'whole-file read of 500 MB (Portico: first 100 KB + offset notice)',
            portico: whole.ms,
            format: time,
            anchors: [{ name: 'raw read of the first 64 KB', value: head.raw }],
          },
          {
            measure: 'head: 1 on a 4 MB single-line file',
            portico: oneLinePortico.ms,
            format: time,
            anchors: [{ name: label('reference server-filesystem', oneLineReference), value: oneLineReference.ms }],
          },
        ],
      },
      {
        title: `Filesystem server: a tree of ${treeFiles.toLocaleString('en')} files in ${TREE_DIRECTORIES.toLocaleString('en')} directories`,
        rows: [
          {
            measure: 'search_files **/*.ts (all 2,000 matches)',
            portico: searchFiles.portico.ms,
            format: time,
            anchors: [
              { name: label('reference server-filesystem', searchFiles.reference), value: searchFiles.reference.ms },
              { name: 'raw recursive readdir (in process)', value: rawWalkMs },
            ],
          },
          {
            measure: 'search_files **/*.ts, respectGitignore',
            portico: searchFiles.porticoGitignore.ms,
            format: time,
            anchors: [{ name: 'raw recursive readdir (in process)', value: rawWalkMs }],
          },
          {
            measure: 'search_content needle-\\d+ (every file read)',
            portico: searchContent.portico.ms,
            format: time,
            anchors: [{ name: 'grep -rn (spawned)', value: searchContent.grep }],
          },
          {
            measure: 'directory_tree, time',
            portico: treeCall.portico.ms,
            format: time,
            anchors: [{ name: label('reference server-filesystem', treeCall.reference), value: treeCall.reference.ms }],
          },
          {
            measure: 'directory_tree, reply size',
            portico: treeBytes.portico,
            format: bytes,
            anchors: [{ name: 'reference server-filesystem', value: treeBytes.reference }],
          },
          {
            measure: 'peak RSS over the whole run',
            portico: peak.portico,
            format: bytes,
            anchors: [{ name: 'reference server-filesystem', value: peak.reference }],
          },
        ],
      },
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
