// Git server latency on a large repository (20,000 commits, 10,000 files, built with git fast-import), side
// by side with raw git spawned from this process (the floor), plus startup and memory.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  bytes,
  connectTimed,
  median,
  ms,
  peakRssOf,
  rssOf,
  timeSpawnToExit,
} from '../../../scripts/bench-lib/measure.mjs';

const run$ = promisify(execFile);
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 30);
const COMMITS = 20_000;
const FILES = 10_000;
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@portico.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@portico.invalid',
};

/** A fast-import stream: one commit adding every file, then commits that each change one file. */
function* fastImportStream() {
  const when = 1_700_000_000;
  let files = '';
  for (let f = 0; f < FILES; f++)
    files += `M 100644 inline src/dir${f % 100}/file${f}.txt\ndata <<EOF\nfile ${f}\nEOF\n`;
  yield `commit refs/heads/main\nmark :1\ncommitter Bench <bench@portico.invalid> ${when} +0000\ndata <<EOF\ninitial\nEOF\n${files}\n`;
  for (let c = 2; c <= COMMITS; c++) {
    const f = (c * 7919) % FILES;
    yield `commit refs/heads/main\nmark :${c}\ncommitter Bench <bench@portico.invalid> ${when + c * 60} +0000\ndata <<EOF\nchange ${c} to file ${f}\nEOF\nfrom :${c - 1}\nM 100644 inline src/dir${f % 100}/file${f}.txt\ndata <<EOF\nfile ${f} version ${c}\nEOF\n\n`;
  }
}

async function buildRepository(dir) {
  await run$('git', ['init', '--quiet', '--initial-branch=main', dir]);
  await new Promise((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`))));
    (async () => {
      for (const chunk of fastImportStream())
        if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      child.stdin.end();
    })();
  });
  await run$('git', ['checkout', '--quiet', '--force', 'main'], { cwd: dir });
  // A first status writes fresh stat data into the index, as any user's repository has.
  await run$('git', ['status', '--porcelain'], { cwd: dir });
}

/** Bytes a reply sends, as the kernel counts them: its text plus its structured content (JSON). */
function replyBytes(result) {
  const text = (result.content ?? [])
    .map((block) => (block.type === 'text' ? block.text : JSON.stringify(block)))
    .join('');
  return (
    Buffer.byteLength(text) +
    (result.structuredContent === undefined ? 0 : Buffer.byteLength(JSON.stringify(result.structuredContent)))
  );
}

/** Python's repr() of a str, as the reference's f"{value!r}" prints it. */
function pyRepr(value) {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0);
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${quote}${out}${quote}`;
}

/**
 * The reference mcp-server-git's git_log reply (no timestamps given), rebuilt from raw git: "Commit history:\n"
 * joined by "\n" from, per commit, `Commit: {hexsha!r}\nAuthor: {author!r}\nDate: {authored_datetime}\nMessage: {message!r}\n`
 * (GitPython's Actor repr is `<git.Actor "name <email>">`; the datetime prints as `YYYY-MM-DD HH:MM:SS+HH:MM`).
 */
function referenceLogReply(raw) {
  const entries = raw
    .split('\x01')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.length > 0)
    .map((record) => {
      const [hash, name, email, date, message] = record.split('\x00');
      return `Commit: ${pyRepr(hash)}\nAuthor: <git.Actor "${name} <${email}>">\nDate: ${date.replace('T', ' ')}\nMessage: ${pyRepr(message)}\n`;
    });
  return `Commit history:\n${entries.join('\n')}`;
}

export async function run() {
  const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'portico-git-bench-'));
  const repo = join(dir, 'repo');
  try {
    const built = performance.now();
    await buildRepository(repo);
    const buildMs = performance.now() - built;
    process.stderr.write(`bench: generated ${COMMITS} commits / ${FILES} files in ${(buildMs / 1000).toFixed(1)} s\n`);

    const startup = [];
    const bare = [];
    for (let i = 0; i < 10; i++) {
      bare.push(await timeSpawnToExit(process.execPath, ['-e', '0']));
      const server = await connectTimed({ args: [entry, '--repository', repo], env: IDENTITY });
      startup.push(server.initializeMs);
      await server.close();
    }

    const server = await connectTimed({ args: [entry, '--repository', repo], env: IDENTITY });
    try {
      const call = (name, args) => server.client.callTool({ name, arguments: { repo_path: repo, ...args } });
      const gitEnv = { ...process.env, ...IDENTITY };
      const raw = (...args) => run$('git', args, { cwd: repo, env: gitEnv, maxBuffer: 64 * 1024 * 1024 });
      // Interleaved per round so that machine noise hits both sides alike.
      const samples = { log: [], rawLog: [], status: [], rawStatus: [] };
      const time = async (fn) => {
        const t = performance.now();
        await fn();
        return performance.now() - t;
      };
      for (let i = 0; i < 5; i++) {
        await call('git_log', { max_count: 50 });
        await call('git_status', {});
        await raw('log', '-50');
        await raw('status');
      }
      for (let i = 0; i < RUNS; i++) {
        samples.log.push(await time(() => call('git_log', { max_count: 50 })));
        samples.rawLog.push(await time(() => raw('log', '-50')));
        samples.status.push(await time(() => call('git_status', {})));
        samples.rawStatus.push(await time(() => raw('status')));
      }
      const logBytes = JSON.stringify((await call('git_log', { max_count: 50 })).content).length;
      const rawLogBytes = (await raw('log', '-50')).stdout.length;

      // Reply bytes of the everyday calls, beside the reference's reply on the same input. The reference is
      // Python (GitPython) and cannot be installed here, so its documented output is rebuilt from raw git.
      const log10 = replyBytes(await call('git_log', { max_count: 10 }));
      const referenceLog10 = Buffer.byteLength(
        referenceLogReply((await raw('log', '-10', '--format=%H%x00%an%x00%ae%x00%aI%x00%B%x01')).stdout),
      );
      // A working tree in everyday shape: some files modified, some staged, some new.
      for (let f = 0; f < 5; f++) await writeFile(join(repo, `src/dir${f}/file${f}.txt`), `edited ${f}\n`);
      for (let f = 100; f < 103; f++) await writeFile(join(repo, `src/dir${f % 100}/file${f}.txt`), `staged ${f}\n`);
      await raw('add', '--', ...[100, 101, 102].map((f) => `src/dir${f % 100}/file${f}.txt`));
      for (let f = 0; f < 4; f++) await writeFile(join(repo, `new-${f}.txt`), 'new\n');
      const status = replyBytes(await call('git_status', {}));
      // The reference answers "Repository status:\n" + repo.git.status() (GitPython strips the final newline).
      const referenceStatus = Buffer.byteLength(
        `Repository status:\n${(await raw('status')).stdout.replace(/\n$/, '')}`,
      );
      const rss = rssOf(server.pid);
      const peak = peakRssOf(server.pid);
      return [
        {
          title: `Git on ${COMMITS.toLocaleString('en')} commits / ${FILES.toLocaleString('en')} files, median of ${RUNS}`,
          rows: [
            {
              measure: 'git_log, 50 commits',
              portico: median(samples.log),
              format: ms,
              anchors: [{ name: 'raw `git log -50` (spawned)', value: median(samples.rawLog) }],
            },
            {
              measure: 'git_status',
              portico: median(samples.status),
              format: ms,
              anchors: [{ name: 'raw `git status` (spawned)', value: median(samples.rawStatus) }],
            },
            {
              measure: 'git_log reply text, 50 commits',
              portico: logBytes,
              format: bytes,
              anchors: [{ name: 'raw `git log -50` output', value: rawLogBytes }],
            },
            {
              measure: 'reply bytes: git_log max_count 10 (text + structure)',
              portico: log10,
              format: bytes,
              anchors: [
                {
                  name: 'reference mcp-server-git reply (format rebuilt from raw git log; Python reference not installable here)',
                  value: referenceLog10,
                },
              ],
            },
            {
              measure: 'reply bytes: git_status, 5 modified / 3 staged / 4 new (text + structure)',
              portico: status,
              format: bytes,
              anchors: [
                {
                  name: 'reference mcp-server-git reply (format rebuilt from raw git status; Python reference not installable here)',
                  value: referenceStatus,
                },
              ],
            },
            {
              measure: 'spawn → initialize',
              portico: median(startup),
              format: ms,
              anchors: [{ name: 'node -e 0 (spawn→exit)', value: median(bare) }],
            },
            {
              measure: 'RSS after the calls (peak)',
              portico: peak,
              format: bytes,
              anchors: [{ name: '80 MB target', value: 80_000_000 }],
            },
            {
              measure: 'RSS after the calls (current)',
              portico: rss,
              format: bytes,
              anchors: [{ name: '80 MB target', value: 80_000_000 }],
            },
          ],
        },
      ];
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
