// GitHub server benchmarks: Portico side by side with the archived reference server
// (@modelcontextprotocol/server-github 2025.4.8), both talking to the same local GitHub API (test/fake-api):
// startup, what the tool list costs the model, list latency with pagination, and reply bytes of everyday calls.
// The reference hard-codes api.github.com, so it runs with the redirect-dotcom.mjs preload.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bytes, connectTimed, median, medianMs, ms, timeSpawnToExit } from '../../../scripts/bench-lib/measure.mjs';
import { measureTools } from '../../../shared/dist/testing/index.js';
import { loadFakeGitHub } from '../test/fake-api/load.mjs';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const require = createRequire(import.meta.url);
const referenceEntry = require
  .resolve('@modelcontextprotocol/server-github/package.json')
  .replace(/package\.json$/, 'dist/index.js');
const preload = fileURLToPath(new URL('../test/fake-api/redirect-dotcom.mjs', import.meta.url));
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 15);
const CALL_RUNS = Number(process.env.PORTICO_BENCH_CALL_RUNS ?? 30);
const TOKEN = 'ghp_bench_not_a_real_token';
const REPO = { owner: 'octocat', repo: 'Hello-World' };

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

/** Lists every tool, following pages. */
async function allTools(client) {
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

/** A successful call or a thrown error: a benchmark of a failing call measures nothing. */
async function callOk(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content).slice(0, 300)}`);
  return result;
}

export async function run() {
  const { startFakeGitHub, paginate } = await loadFakeGitHub();
  const github = await startFakeGitHub({ quiet: true });
  // 90 issues: three full pages of 30, so page 1 and page 2 both have a next page.
  // Plain issues: the example's pull_request link would make every item a PR.
  const { pull_request: _pr, ...issue } = github.example('issues/list-for-repo')[0];
  const issues = Array.from({ length: 90 }, (_, index) => ({
    ...issue,
    id: issue.id + index,
    number: index + 1,
    title: `Issue ${index + 1}: ${issue.title}`,
  }));
  github.override('issues/list-for-repo', paginate(issues));

  const portico = (args = []) =>
    connectTimed({ args: [entry, ...args], env: { GITHUB_API_URL: github.url, GITHUB_PERSONAL_ACCESS_TOKEN: TOKEN } });
  const reference = () =>
    connectTimed({
      args: ['--import', preload, referenceEntry],
      env: { FAKE_GITHUB_URL: github.url, GITHUB_PERSONAL_ACCESS_TOKEN: TOKEN },
    });
  try {
    // Startup: spawn → initialize result, alternating so both see the same machine noise.
    const startPortico = [];
    const startReference = [];
    const bare = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(await timeSpawnToExit(process.execPath, ['-e', '0']));
      const ours = await portico();
      startPortico.push(ours.initializeMs);
      await ours.close();
      const theirs = await reference();
      startReference.push(theirs.initializeMs);
      await theirs.close();
    }

    // Tool lists: Portico's default and every toolset, against the reference's only list.
    const ours = await portico();
    const theirs = await reference();
    const allServer = await portico(['--toolsets', 'all']);
    const sizeDefault = measureTools(await allTools(ours.client));
    const sizeAll = measureTools(await allTools(allServer.client));
    const sizeReference = measureTools(await allTools(theirs.client));
    await allServer.close();

    // list_issues page 1 and page 2 (30 a page) through each server, median of CALL_RUNS after a warm-up.
    const latency = {};
    for (const page of [1, 2]) {
      const args = { ...REPO, state: 'open', page, per_page: 30 };
      latency[page] = {
        portico: await medianMs(() => callOk(ours.client, 'list_issues', args), { runs: CALL_RUNS, warmup: 3 }),
        reference: await medianMs(() => callOk(theirs.client, 'list_issues', args), { runs: CALL_RUNS, warmup: 3 }),
      };
    }
    // The floor: the same request straight to the local API, no MCP server in between.
    const rawList = await medianMs(
      async () => {
        const response = await fetch(
          `${github.url}/repos/${REPO.owner}/${REPO.repo}/issues?state=open&page=2&per_page=30`,
          { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json' } },
        );
        await response.json();
      },
      { runs: CALL_RUNS, warmup: 3 },
    );

    // Reply bytes: what the model reads for the everyday reads.
    const prArgs = { ...REPO, pull_number: 1347 };
    const listArgs = { ...REPO, state: 'open', per_page: 30 };
    const replies = {
      pull: {
        portico: replyBytes(await callOk(ours.client, 'get_pull_request', prArgs)),
        reference: replyBytes(await callOk(theirs.client, 'get_pull_request', prArgs)),
      },
      list: {
        portico: replyBytes(await callOk(ours.client, 'list_issues', listArgs)),
        reference: replyBytes(await callOk(theirs.client, 'list_issues', listArgs)),
      },
    };
    await ours.close();
    await theirs.close();

    const ref = 'reference server-github 2025.4.8';
    return [
      {
        title: `Startup: spawn → initialize result (2025 handshake), median of ${RUNS}`,
        rows: [
          {
            measure: 'spawn → initialize',
            portico: median(startPortico),
            format: ms,
            anchors: [
              { name: ref, value: median(startReference) },
              { name: 'node -e 0 (spawn→exit)', value: median(bare) },
            ],
          },
        ],
      },
      {
        title: `Tool list cost (Portico default: ${sizeDefault.tools} tools, --toolsets all: ${sizeAll.tools}; reference: ${sizeReference.tools})`,
        rows: [
          {
            measure: 'model bytes (name + description + inputSchema), default',
            portico: sizeDefault.modelBytes,
            format: bytes,
            anchors: [{ name: ref, value: sizeReference.modelBytes }],
          },
          {
            measure: 'full tools/list JSON, default',
            portico: sizeDefault.fullBytes,
            format: bytes,
            anchors: [{ name: ref, value: sizeReference.fullBytes }],
          },
          {
            measure: 'model bytes, --toolsets all',
            portico: sizeAll.modelBytes,
            format: bytes,
            anchors: [{ name: ref, value: sizeReference.modelBytes }],
          },
          {
            measure: 'full tools/list JSON, --toolsets all',
            portico: sizeAll.fullBytes,
            format: bytes,
            anchors: [{ name: ref, value: sizeReference.fullBytes }],
          },
        ],
      },
      {
        title: `list_issues latency through the server (30 a page, local API), median of ${CALL_RUNS}`,
        rows: [
          {
            measure: 'list_issues page 1',
            portico: latency[1].portico,
            format: ms,
            anchors: [{ name: ref, value: latency[1].reference }],
          },
          {
            measure: 'list_issues page 2',
            portico: latency[2].portico,
            format: ms,
            anchors: [
              { name: ref, value: latency[2].reference },
              { name: 'raw fetch of the same page (no MCP server)', value: rawList },
            ],
          },
        ],
      },
      {
        title: 'Reply bytes of everyday reads (what the model reads: text + structured content)',
        rows: [
          {
            measure: 'get_pull_request',
            portico: replies.pull.portico,
            format: bytes,
            anchors: [{ name: ref, value: replies.pull.reference }],
          },
          {
            measure: 'list_issues, 30 items',
            portico: replies.list.portico,
            format: bytes,
            anchors: [{ name: ref, value: replies.list.reference }],
          },
        ],
      },
    ];
  } finally {
    await github.close();
  }
}
