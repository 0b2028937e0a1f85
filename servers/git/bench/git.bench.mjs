// Git server latency on a large repository (20,000 commits, 10,000 files, built with git fast-import), side
// by side with raw git spawned from this process (the floor), plus startup and memory.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bytes, connectTimed, median, medianMs, ms, peakRssOf, rssOf, timeSpawnToExit } from '../../../scripts/bench-lib/measure.mjs';

const run$ = promisify(execFile);
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 30);
const COMMITS = 20_000;
const FILES = 10_000;
const IDENTITY = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@portico.invalid', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@portico.invalid' };

/** A fast-import stream: one commit adding every file, then commits that each change one file. */
function* fastImportStream() {
  const when = 1_700_000_000;
  let files = '';
  for (let f = 0; f < FILES; f++) files += `M 100644 inline src/dir${f % 100}/file${f}.txt\ndata <<EOF\nfile ${f}\nEOF\n`;
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
      for (const chunk of fastImportStream()) if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      child.stdin.end();
    })();
  });
  await run$('git', ['checkout', '--quiet', '--force', 'main'], { cwd: dir });
  // A first status writes fresh stat data into the index, as any user's repository has.
  await run$('git', ['status', '--porcelain'], { cwd: dir });
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
      const rss = rssOf(server.pid);
      const peak = peakRssOf(server.pid);
      return [
        {
          title: `Git on ${COMMITS.toLocaleString('en')} commits / ${FILES.toLocaleString('en')} files, median of ${RUNS}`,
          rows: [
            { measure: 'git_log, 50 commits', portico: median(samples.log), format: ms, anchors: [{ name: 'raw `git log -50` (spawned)', value: median(samples.rawLog) }] },
            { measure: 'git_status', portico: median(samples.status), format: ms, anchors: [{ name: 'raw `git status` (spawned)', value: median(samples.rawStatus) }] },
            { measure: 'git_log reply text, 50 commits', portico: logBytes, format: bytes, anchors: [{ name: 'raw `git log -50` output', value: rawLogBytes }] },
            { measure: 'spawn → initialize', portico: median(startup), format: ms, anchors: [{ name: 'node -e 0 (spawn→exit)', value: median(bare) }] },
            { measure: 'RSS after the calls (peak)', portico: peak, format: bytes, anchors: [{ name: '80 MB target', value: 80_000_000 }] },
            { measure: 'RSS after the calls (current)', portico: rss, format: bytes, anchors: [{ name: '80 MB target', value: 80_000_000 }] },
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
