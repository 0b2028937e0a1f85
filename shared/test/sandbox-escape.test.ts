import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../src/errors/index.js';
import { Sandbox } from '../src/sandbox/index.js';

// The escape corpus: every case is refused by the sandbox, and every case first proves that, without the
// guard, the naive handling of the same string would reach outside the root. Grow it when a new one is found.

const SECRET = 'SECRET: this file lives outside the sandbox';
const SIBLING_NAMES = ['root-evil', 'root2', "root'", 'root"', 'root ', 'root\t', 'root\n'] as const;

interface Fixture {
  readonly base: string;
  readonly root: string;
  readonly outside: string;
  readonly secret: string;
  readonly siblings: readonly string[];
  readonly sandbox: Sandbox;
}

let fixture: Fixture | undefined;

function f(): Fixture {
  if (fixture === undefined) throw new Error('fixture not built');
  return fixture;
}

beforeAll(async () => {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sandbox-escape-')));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  const secret = path.join(outside, 'secret.txt');
  await fs.mkdir(path.join(root, 'sub'), { recursive: true });
  await fs.mkdir(path.join(outside, 'deep', 'er'), { recursive: true });
  await fs.writeFile(path.join(root, 'file.txt'), 'inside');
  await fs.writeFile(secret, SECRET);
  const siblings: string[] = [];
  for (const name of SIBLING_NAMES) {
    const sibling = path.join(base, name);
    await fs.mkdir(sibling);
    await fs.writeFile(path.join(sibling, 'secret.txt'), SECRET);
    siblings.push(sibling);
  }
  const link = (target: string, name: string) => fs.symlink(target, path.join(root, name));
  await link(secret, 'link-out-file');
  await link(outside, 'link-out-dir');
  await link(path.join(outside, 'deep', 'er'), 'link-out-deep');
  await link(path.join(base, 'root-evil', 'secret.txt'), 'link-evil');
  await link('chain-2', 'chain-1');
  await link('sub/chain-3', 'chain-2');
  await fs.symlink('../../outside/secret.txt', path.join(root, 'sub', 'chain-3'));
  await link(path.join(outside, 'planted-by-dangling.txt'), 'dangling-out');
  await link('../outside/planted-by-relative-dangling.txt', 'dangling-out-relative');
  await link('/', 'link-to-slash');
  await link('loop-b', 'loop-a');
  await link('loop-a', 'loop-b');
  const sandbox = await Sandbox.create([root], { home: outside });
  fixture = { base, root, outside, secret, siblings, sandbox };
});

afterAll(async () => {
  if (fixture !== undefined) await fs.rm(fixture.base, { recursive: true, force: true });
});

async function exists(target: string): Promise<boolean> {
  return fs.lstat(target).then(
    () => true,
    () => false,
  );
}

/** Without the guard, reading this path returns the secret. */
async function readsSecret(naivePath: string): Promise<void> {
  expect(await fs.readFile(naivePath, 'utf8')).toBe(SECRET);
}

/** Without the guard, writing this path creates `planted` outside the root (removed again afterwards). */
async function plantsOutside(naivePath: string, planted: string): Promise<void> {
  expect(await exists(planted)).toBe(false);
  await fs.writeFile(naivePath, 'planted');
  expect(await exists(planted)).toBe(true);
  await fs.rm(planted);
}

function relativeToSlash(target: string): string {
  return path.relative('/', target);
}

interface AttackCase {
  readonly name: string;
  readonly input: (fx: Fixture) => string;
  readonly bitesWithoutGuard: (fx: Fixture, input: string) => Promise<void>;
}

const ATTACKS: readonly AttackCase[] = [
  {
    name: '`..` climbing out of the root',
    input: () => '../outside/secret.txt',
    bitesWithoutGuard: (fx, input) => readsSecret(path.resolve(fx.root, input)),
  },
  {
    name: 'an absolute path outside the root',
    input: (fx) => fx.secret,
    bitesWithoutGuard: (_fx, input) => readsSecret(input),
  },
  {
    name: '`~/…` when the home directory is outside the root',
    input: () => '~/secret.txt',
    bitesWithoutGuard: (fx, input) => readsSecret(path.join(fx.outside, input.slice(2))),
  },
  {
    name: '`~` alone when the home directory is outside the root',
    input: () => '~',
    bitesWithoutGuard: async (fx) => readsSecret(path.join(fx.outside, 'secret.txt')),
  },
  ...SIBLING_NAMES.map((name): AttackCase => ({
    name: `a sibling directory whose name extends the root (${JSON.stringify(name)})`,
    input: (fx) => path.join(fx.base, name, 'secret.txt'),
    bitesWithoutGuard: async (fx, input) => {
      // A plain prefix check on the string would let it through.
      expect(input.startsWith(fx.root)).toBe(true);
      await readsSecret(input);
    },
  })),
  {
    name: 'the sibling directory itself, named without a trailing separator',
    input: (fx) => `${fx.root}-evil`,
    bitesWithoutGuard: async (fx, input) => {
      expect(input.startsWith(fx.root)).toBe(true);
      await readsSecret(path.join(input, 'secret.txt'));
    },
  },
  {
    name: 'a symlink to a file outside',
    input: () => 'link-out-file',
    bitesWithoutGuard: (fx, input) => readsSecret(path.join(fx.root, input)),
  },
  {
    name: 'a symlink to a directory outside',
    input: () => 'link-out-dir',
    bitesWithoutGuard: async (fx, input) => {
      expect(await fs.readdir(path.join(fx.root, input))).toContain('secret.txt');
    },
  },
  {
    name: 'a file reached through an intermediate symlinked directory',
    input: () => 'link-out-dir/secret.txt',
    bitesWithoutGuard: (fx, input) => readsSecret(path.join(fx.root, input)),
  },
  {
    name: 'a symlink into a sibling directory whose name extends the root',
    input: () => 'link-evil',
    bitesWithoutGuard: (fx, input) => readsSecret(path.join(fx.root, input)),
  },
  {
    name: 'a chain of symlinks whose last link points outside',
    input: () => 'chain-1',
    bitesWithoutGuard: (fx, input) => readsSecret(path.join(fx.root, input)),
  },
  {
    name: 'a dangling symlink whose target is outside (a create would land there)',
    input: () => 'dangling-out',
    bitesWithoutGuard: (fx, input) =>
      plantsOutside(path.join(fx.root, input), path.join(fx.outside, 'planted-by-dangling.txt')),
  },
  {
    name: 'a dangling symlink with a relative target outside',
    input: () => 'dangling-out-relative',
    bitesWithoutGuard: (fx, input) =>
      plantsOutside(path.join(fx.root, input), path.join(fx.outside, 'planted-by-relative-dangling.txt')),
  },
  {
    name: 'a new file under a symlinked parent directory that points outside',
    input: () => 'link-out-dir/planted.txt',
    bitesWithoutGuard: (fx, input) => plantsOutside(path.join(fx.root, input), path.join(fx.outside, 'planted.txt')),
  },
  {
    name: 'a nested new file under a symlinked directory that points outside',
    input: () => 'link-out-dir/new-dir/planted.txt',
    bitesWithoutGuard: async (fx, input) => {
      expect(await fs.realpath(path.join(fx.root, 'link-out-dir'))).toBe(fx.outside);
      expect(path.resolve(fx.root, input).startsWith(fx.root + path.sep)).toBe(true);
    },
  },
  {
    name: '`root/link/../..` through a symlinked directory',
    input: () => 'link-out-deep/../../secret.txt',
    // The kernel applies `..` after following the link: deep/er/../../secret.txt is the outside secret.
    bitesWithoutGuard: (fx, input) => readsSecret(`${fx.root}/${input}`),
  },
  {
    name: 'a NUL byte that a C-level API would cut the path at',
    input: (fx) => `${fx.root}/file.txt\0/../../outside/secret.txt`,
    bitesWithoutGuard: async (fx, input) => {
      expect(input.startsWith(fx.root + path.sep)).toBe(true);
      await readsSecret(path.resolve(input));
    },
  },
  {
    name: 'a file URI pointing outside',
    input: (fx) => pathToFileURL(fx.secret).href,
    bitesWithoutGuard: (_fx, input) => readsSecret(fileURLToPath(input)),
  },
  {
    name: 'a file URI that climbs out of the root with `..`',
    input: (fx) => `${pathToFileURL(fx.root).href}/../outside/secret.txt`,
    bitesWithoutGuard: async (fx, input) => {
      expect(input.startsWith(pathToFileURL(fx.root).href)).toBe(true);
      await readsSecret(fileURLToPath(input));
    },
  },
  {
    name: 'a file URI that climbs out with percent-encoded `%2e%2e`',
    input: (fx) => `${pathToFileURL(fx.root).href}/%2e%2e/outside/secret.txt`,
    bitesWithoutGuard: (_fx, input) => readsSecret(fileURLToPath(input)),
  },
  {
    name: 'a relative path with many `../`',
    input: (fx) => `${'../'.repeat(40)}${relativeToSlash(fx.secret)}`,
    bitesWithoutGuard: (fx, input) => readsSecret(path.resolve(fx.root, input)),
  },
  {
    name: 'an absolute path with `//` and `/./`',
    input: (fx) => `${fx.root}//..//./outside//./secret.txt`,
    bitesWithoutGuard: async (fx, input) => {
      expect(input.startsWith(fx.root + path.sep)).toBe(true);
      await readsSecret(input);
    },
  },
  {
    name: 'a relative path with `//` and `/./`',
    input: () => './/..//./outside/./secret.txt',
    bitesWithoutGuard: (fx, input) => readsSecret(`${fx.root}/${input}`),
  },
  {
    name: 'a symlink to `/`',
    input: () => 'link-to-slash',
    bitesWithoutGuard: async (fx, input) => {
      expect(await fs.realpath(path.join(fx.root, input))).toBe('/');
    },
  },
  {
    name: 'a file reached through a symlink to `/`',
    input: (fx) => `link-to-slash/${relativeToSlash(fx.secret)}`,
    bitesWithoutGuard: (fx, input) => readsSecret(path.join(fx.root, input)),
  },
  {
    name: 'a symlink loop (refused cleanly, not a crash)',
    input: () => 'loop-a',
    bitesWithoutGuard: async (fx, input) => {
      // Unguarded, the raw error escapes with the server's own path in it.
      await expect(fs.realpath(path.join(fx.root, input))).rejects.toMatchObject({ code: 'ELOOP' });
    },
  },
  {
    name: 'a path beneath a symlink loop',
    input: () => 'loop-a/file.txt',
    bitesWithoutGuard: async (fx, input) => {
      await expect(fs.readFile(path.join(fx.root, input))).rejects.toMatchObject({ code: 'ELOOP' });
    },
  },
];

describe('Sandbox escape corpus', () => {
  it.each(ATTACKS.map((attack) => [attack.name, attack] as const))('refuses %s', async (_name, attack) => {
    const { input, bitesWithoutGuard } = attack;
    const fx = f();
    const given = input(fx);
    await bitesWithoutGuard(fx, given);

    const error: unknown = await fx.sandbox.resolveInside(given).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SandboxError);
    const message = (error as SandboxError).message;
    expect(message).toMatch(/^Access denied: /);
    expect(message).not.toMatch(/[\n\t\0]/);
    for (const secretPlace of [fx.outside, ...fx.siblings]) {
      if (!given.includes(secretPlace)) expect(message).not.toContain(secretPlace);
    }

    await expect(fx.sandbox.resolveInside(given, { mustExist: true })).rejects.toBeInstanceOf(SandboxError);
    await expect(fx.sandbox.openInside(given, 'r')).rejects.toBeInstanceOf(SandboxError);
  });

  it.each([
    '%2e%2e/outside/secret.txt',
    '%2E%2E/outside/secret.txt',
    '%2e%2e%2foutside%2fsecret.txt',
    '..%2foutside%2fsecret.txt',
  ])('treats percent-encoding in a plain path (%s) literally, so it never resolves outside', async (given) => {
    const fx = f();
    // Decoded by a careless layer, the same string reaches the secret.
    await readsSecret(path.resolve(fx.root, decodeURIComponent(given)));
    const resolved = await fx.sandbox.resolveInside(given);
    expect(resolved).toBe(path.join(fx.root, given));
    expect(fx.sandbox.isInside(resolved)).toBe(true);
  });

  it('refuses to create through a dangling symlink that points outside, and nothing appears there', async () => {
    const fx = f();
    const planted = path.join(fx.outside, 'planted-by-dangling.txt');
    await expect(fx.sandbox.openInside('dangling-out', 'w')).rejects.toBeInstanceOf(SandboxError);
    await expect(fx.sandbox.openInside('dangling-out', 'wx')).rejects.toBeInstanceOf(SandboxError);
    await expect(fx.sandbox.openInside('link-out-dir/planted.txt', 'a')).rejects.toBeInstanceOf(SandboxError);
    expect(await exists(planted)).toBe(false);
    expect(await exists(path.join(fx.outside, 'planted.txt'))).toBe(false);
  });

  it('says a symlink "resolves outside" without naming where it points', async () => {
    const fx = f();
    const error: unknown = await fx.sandbox.resolveInside('link-out-file').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toBe(
      `Access denied: "link-out-file" resolves outside the allowed directories; use a path inside one of them (allowed directories: ${fx.root}).`,
    );
  });

  it('gives the same refusal for an outside path whether or not it exists', async () => {
    const fx = f();
    const refusal = async (given: string) =>
      ((await fx.sandbox.resolveInside(given, { mustExist: true }).catch((reason: unknown) => reason)) as Error)
        .message;
    expect(await refusal('../outside/secret.txt')).toBe(
      (await refusal('../outside/nothing.txt')).replace('nothing.txt', 'secret.txt'),
    );
    expect(await refusal('link-out-dir/secret.txt')).toBe(
      (await refusal('link-out-dir/nothing.txt')).replace('nothing.txt', 'secret.txt'),
    );
  });
});
