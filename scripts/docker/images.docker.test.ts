// The Docker step of CI (`.ci/run`, after conformance; not part of `npm test`): builds every server's image
// from the repository root on a locally made base image, then runs each one the way its README says and
// speaks MCP to it over stdio with the SDK client, through a volume mounted from this machine.
//
//   npm run test:docker     (= vitest run --config scripts/docker/vitest.config.ts)
//
// Needs a running engine (scripts/docker/engine.sh start) and root (debootstrap, in base-image.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, resultText, startTestHttpServer } from '../../shared/src/testing/index.js';
import type { TempDir, TestHttpServer } from '../../shared/src/testing/index.js';
import { startFakeGitHub } from '../../servers/github/test/fake-api/index.js';
import type { FakeGitHub } from '../../servers/github/test/fake-api/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVERS = ['filesystem', 'git', 'sqlite', 'fetch', 'browser', 'github'] as const;
type ServerName = (typeof SERVERS)[number];
const image = (name: ServerName) => `portico/${name}`;

function docker(args: string[], options: { input?: string } = {}): string {
  const result = spawnSync('docker', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0)
    throw new Error(`docker ${args.slice(0, 3).join(' ')} … failed (${result.status}):\n${result.stderr.slice(-4000)}`);
  return result.stdout;
}

/** A host directory the image's uid 1000 can read (mkdtemp makes it 0700 for root). */
async function sharedDir(prefix: string): Promise<TempDir> {
  const dir = await makeTempDir(prefix);
  chmodSync(dir.path, 0o755);
  return dir;
}

interface Running {
  client: Client;
  /** The Uid: line of /proc/1/status inside the container, i.e. of the server process itself. */
  uidLine(): string;
  stderr(): string;
  close(): Promise<void>;
}

let containers = 0;
/** Starts `docker run -i --rm … <image> <args>` as a host's config would, and connects the SDK client. */
async function run(
  name: ServerName,
  dockerArgs: string[],
  serverArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Running> {
  const container = `portico-test-${name}-${process.pid}-${++containers}`;
  const transport = new StdioClientTransport({
    command: 'docker',
    args: ['run', '-i', '--rm', '--name', container, ...dockerArgs, image(name), ...serverArgs],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'portico-docker-test', version: '0.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`could not connect to ${image(name)}: ${(error as Error).message}\nstderr:\n${stderr}`, {
      cause: error,
    });
  }
  return {
    client,
    uidLine: () => /^Uid:.*$/m.exec(docker(['exec', container, 'cat', '/proc/1/status']))?.[0] ?? '',
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** Connects, lists tools, makes the calls (the last one's text must match), checks the server does not run as root, and closes. */
async function exercise(
  name: ServerName,
  start: () => Promise<Running>,
  calls: { tool: string; arguments: Record<string, unknown> }[],
  expectText: RegExp,
): Promise<void> {
  const server = await start();
  try {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(calls.map((call) => call.tool)));
    let text = '';
    for (const call of calls) {
      const result = await server.client.callTool({ name: call.tool, arguments: call.arguments });
      text = resultText(result);
      expect(result.isError ?? false, `${name} ${call.tool}: ${text}\nstderr:\n${server.stderr()}`).toBe(false);
    }
    expect(text).toMatch(expectText);
    // Real, effective and saved uid of PID 1 (the server: the images have no shell or init in front of it).
    expect(server.uidLine()).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/);
  } finally {
    await server.close();
  }
}

const sizes = new Map<ServerName, number>();
const buildSeconds = new Map<ServerName, number>();

beforeAll(() => {
  docker(['info', '--format', '{{.ServerVersion}}']);
  execFileSync(join(root, 'scripts/docker/base-image.sh'), ['node:20-slim'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}, 300_000);

afterAll(() => {
  if (sizes.size === 0) return;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  const lines = ['| image | size | build |', '| --- | ---: | ---: |'];
  for (const name of SERVERS) {
    if (sizes.has(name)) lines.push(`| ${image(name)} | ${mb(sizes.get(name)!)} | ${buildSeconds.get(name)} s |`);
  }
  lines.push(
    `| node:20-slim (base) | ${mb(Number(docker(['image', 'inspect', '--format', '{{.Size}}', 'node:20-slim']).trim()))} | |`,
  );
  console.log(
    `Docker images (sizes as \`docker image ls\` reports them; build times with this run's layer cache):\n${lines.join('\n')}`,
  );
});

// Built in sequence: on 2 cores parallel builds only contend, and the first build's install-and-build layer
// is the cache every other image reuses (the Dockerfiles share that stage word for word).
describe.each(SERVERS)('the %s image', (name) => {
  it('builds from the repository root with `docker build -f servers/<name>/Dockerfile`', () => {
    const started = Date.now();
    docker([
      'build',
      '--network',
      'host',
      '--force-rm',
      '-q',
      '-f',
      `servers/${name}/Dockerfile`,
      '-t',
      image(name),
      '.',
    ]);
    buildSeconds.set(name, Math.round((Date.now() - started) / 1000));
    const [size, user, entrypoint] = docker([
      'image',
      'inspect',
      '--format',
      '{{.Size}} {{.Config.User}} {{json .Config.Entrypoint}}',
      image(name),
    ])
      .trim()
      .split(' ');
    sizes.set(name, Number(size));
    expect(user).toBe('node');
    expect(JSON.parse(entrypoint!)).toEqual(['node', '/app/dist/index.js']);
    // The runtime stage carries no package manager store and no workspace: only the server's own files.
    expect(
      docker([
        'run',
        '--rm',
        '--network',
        'none',
        '--entrypoint',
        'sh',
        image(name),
        '-c',
        'ls -A /app; command -v pnpm || true; ls /root/.local/share/pnpm 2>/dev/null || true',
      ])
        .trim()
        .split('\n')
        .sort(),
    ).toEqual(
      ['dist', 'package.json', ...(['sqlite', 'fetch', 'browser'].includes(name) ? ['node_modules'] : [])].sort(),
    );
  }, 900_000);
});

describe('each image, run as its README says, serves MCP over stdio', () => {
  let files: TempDir;
  let site: TestHttpServer;
  let github: FakeGitHub;
  beforeAll(async () => {
    files = await sharedDir('portico-docker-');
    site = await startTestHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><title>Docker page</title><main><h1>Served from the host</h1><p>Reached from inside the container.</p><button>Press me</button></main>',
      );
    });
    github = await startFakeGitHub({ quiet: true });
  });
  afterAll(async () => {
    await site?.close();
    await github?.close();
    await files?.cleanup();
  });

  it('filesystem: reads a file of the mounted directory, with no network', async () => {
    const dir = join(files.path, 'project');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'notes.txt'), 'written on the host\n');
    await exercise(
      'filesystem',
      () => run('filesystem', ['--network', 'none', '-v', `${dir}:/projects/app:ro`], ['--read-only', '/projects/app']),
      [{ tool: 'read_text_file', arguments: { path: '/projects/app/notes.txt' } }],
      /written on the host/,
    );
  });

  it('git: shows the log of a repository made on the host, with no network', async () => {
    const repo = join(files.path, 'repo');
    mkdirSync(repo, { mode: 0o755 });
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=Host', '-c', 'user.email=host@portico.invalid', ...args]);
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README'), 'hello\n');
    git('add', 'README');
    git('commit', '-q', '-m', 'Commit made on the host');
    await exercise(
      'git',
      () => run('git', ['--network', 'none', '-v', `${repo}:/repo`], ['--repository', '/repo']),
      [{ tool: 'git_log', arguments: { repo_path: '/repo', max_count: 5 } }],
      /Commit made on the host/,
    );
  });

  it('sqlite: queries a database file made on the host, with no network', async () => {
    const data = join(files.path, 'data');
    mkdirSync(data, { mode: 0o755 });
    const Database = createRequire(join(root, 'servers/sqlite/package.json'))(
      'better-sqlite3',
    ) as typeof import('better-sqlite3');
    const db = new Database(join(data, 'shop.db'));
    db.exec("CREATE TABLE items (name TEXT); INSERT INTO items VALUES ('teapot'), ('kettle');");
    db.close();
    await exercise(
      'sqlite',
      () =>
        run('sqlite', ['--network', 'none', '-v', `${data}:/data:ro`], ['--db-path', '/data/shop.db', '--read-only']),
      [{ tool: 'read_query', arguments: { query: "SELECT name FROM items WHERE name = 'kettle'" } }],
      /kettle/,
    );
  });

  it('fetch: converts a page served on this machine, allowed by --allow-hosts', async () => {
    await exercise(
      'fetch',
      () => run('fetch', ['--network', 'host'], ['--allow-hosts', '127.0.0.1']),
      [{ tool: 'fetch', arguments: { url: `${site.url}/page` } }],
      /Served from the host/,
    );
  });

  it('browser: navigates Chromium inside the image to a page on this machine and snapshots it', async () => {
    await exercise(
      'browser',
      () => run('browser', ['--init', '--cap-add', 'SYS_ADMIN', '--network', 'host'], ['--allow-hosts', '127.0.0.1']),
      [
        { tool: 'browser_navigate', arguments: { url: `${site.url}/page` } },
        { tool: 'browser_snapshot', arguments: {} },
      ],
      /Press me/,
    );
  });

  it('github: gets an issue from the fake GitHub API named by GITHUB_API_URL', async () => {
    // The operation's documented example is a $ref the fake does not resolve: answer with a concrete issue.
    github.override('issues/get', {
      status: 200,
      body: {
        number: 1,
        title: 'Reached from the container',
        state: 'open',
        body: 'Filed on the fake API.',
        user: { login: 'octocat' },
        comments: 0,
        created_at: '2026-01-02T03:04:05Z',
        updated_at: '2026-01-02T03:04:05Z',
        html_url: 'https://github.com/octocat/Hello-World/issues/1',
        labels: [],
      },
    });
    await exercise(
      'github',
      () =>
        run('github', ['--network', 'host', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', '-e', 'GITHUB_API_URL'], [], {
          GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_docker_test_token_0123456789',
          GITHUB_API_URL: github.url,
        }),
      [{ tool: 'get_issue', arguments: { owner: 'octocat', repo: 'Hello-World', issue_number: 1 } }],
      /#1 .*Reached from the container/,
    );
    expect(github.requests.map((request) => `${request.method} ${request.rawPath}`)).toContain(
      'GET /repos/octocat/Hello-World/issues/1',
    );
    github.assertNoViolations();
  });
});

describe('deploy/compose.yaml', () => {
  it('is a valid Compose file (docker-compose config)', () => {
    const result = spawnSync('docker-compose', ['-f', 'deploy/compose.yaml', 'config', '--services'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n').sort()).toEqual(['fetch', 'github', 'haproxy']);
  });
});
