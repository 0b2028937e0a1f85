import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Sandbox } from '@portico-mcp/shared/sandbox';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import ignore from 'ignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_GITIGNORE_BYTES, walkTree } from '../src/lib/walk.js';
import type { WalkEntry } from '../src/lib/walk.js';

// Layout: base/root is the only allowed directory; base/outside holds what must never show up in a walk.
let temp: TempDir;
let root: string;
let outside: string;
let sandbox: Sandbox;
let counter = 0;

const SECRET_NAME = 'SECRET-outside-name';
/** Lines of an outside file: if they became ignore patterns, which inside files vanish would reveal them. */
const SECRET_LINES = 'SECRET-line-one\nSECRET-line-two\n';

beforeAll(async () => {
  temp = await makeTempDir('portico-fs-walk-');
  root = join(temp.path, 'root');
  outside = join(temp.path, 'outside');
  await mkdir(root);
  await mkdir(join(outside, 'nested'), { recursive: true });
  await writeFile(join(outside, SECRET_NAME), 'SECRET');
  await writeFile(join(outside, 'nested', `${SECRET_NAME}-deep`), 'SECRET');
  await writeFile(join(outside, 'ignore-lines'), SECRET_LINES);
  sandbox = await Sandbox.create([root]);
});

afterAll(async () => {
  await temp?.cleanup();
});

/** A fresh tree inside the root: `top/a/inside.txt` and `top/b.txt`. */
async function freshTree(): Promise<string> {
  counter += 1;
  const top = join(root, `tree${counter}`);
  await mkdir(join(top, 'a'), { recursive: true });
  await writeFile(join(top, 'a', 'inside.txt'), 'inside');
  await writeFile(join(top, 'b.txt'), 'inside');
  return top;
}

async function walkNames(
  top: string,
  options: { gitignoreTop?: string; onVisit?: (entry: WalkEntry) => void } = {},
): Promise<string[]> {
  const seen: string[] = [];
  await walkTree(
    top,
    (entry) => {
      seen.push(entry.relative);
      options.onVisit?.(entry);
    },
    { sandbox, respectGitignore: true, gitignoreTop: options.gitignoreTop ?? root },
  );
  return seen;
}

describe('walkTree against a directory swapped for a link mid-walk', () => {
  it('does not list an outside directory put at the name of a directory it already classified', async () => {
    const top = await freshTree();
    let bitten: string[] = [];
    const seen = await walkNames(top, {
      onVisit: (entry) => {
        if (entry.relative !== 'a') return;
        // Between the listing that called `a` a directory and the walk entering it, a link takes its name.
        execFileSync('mv', [join(top, 'a'), join(top, 'a-parked')]);
        execFileSync('ln', ['-s', outside, join(top, 'a')]);
        bitten = readdirSync(join(top, 'a'));
      },
    });
    // Without the guard, reading `a` by name now lists the outside directory.
    expect(bitten).toContain(SECRET_NAME);
    expect(seen.join('\n')).not.toContain('SECRET');
    expect(seen).toContain('a');
  });

  it('does not list an outside directory when a directory above the next one is swapped', async () => {
    const top = await freshTree();
    await mkdir(join(top, 'a', 'deeper'));
    await mkdir(join(outside, `swap${counter}`, 'deeper'), { recursive: true });
    await writeFile(join(outside, `swap${counter}`, 'deeper', SECRET_NAME), 'SECRET');
    let bitten: string[] = [];
    const seen = await walkNames(top, {
      onVisit: (entry) => {
        if (entry.relative !== 'a/deeper') return;
        execFileSync('mv', [join(top, 'a'), join(top, 'a-parked')]);
        execFileSync('ln', ['-s', join(outside, `swap${counter}`), join(top, 'a')]);
        bitten = readdirSync(join(top, 'a', 'deeper'));
      },
    });
    expect(bitten).toContain(SECRET_NAME);
    expect(seen.join('\n')).not.toContain('SECRET');
  });
});

describe('walkTree reads .gitignore files only through the sandbox', () => {
  it('leaves out an ancestor .gitignore that links to an outside file, so its lines cannot be probed as patterns', async () => {
    const top = await freshTree();
    await writeFile(join(top, 'SECRET-line-one'), 'inside');
    await symlink(join(outside, 'ignore-lines'), join(root, '.gitignore'));
    try {
      // Unguarded, the outside lines become patterns: whether an inside file vanishes reveals each line.
      expect(
        ignore()
          .add(readFileSync(join(root, '.gitignore'), 'utf8'))
          .ignores(`tree${counter}/SECRET-line-one`),
      ).toBe(true);
      expect(await walkNames(top)).toContain('SECRET-line-one');
    } finally {
      await rename(join(root, '.gitignore'), join(temp.path, `gitignore-link-${counter}`));
    }
  });

  it('leaves out an ancestor .gitignore linked to /dev/zero instead of reading without end', async () => {
    const top = await freshTree();
    await mkdir(join(top, 'sub'));
    await writeFile(join(top, 'sub', 'found.txt'), 'inside');
    await symlink('/dev/zero', join(top, '.gitignore'));
    const handle = await open(join(top, '.gitignore'), 'r');
    try {
      // Unguarded, every read of it returns a full buffer: a whole-file read grows memory until the server dies.
      expect((await handle.read(Buffer.alloc(65536), 0, 65536, null)).bytesRead).toBe(65536);
    } finally {
      await handle.close();
    }
    expect(await walkNames(join(top, 'sub'), { gitignoreTop: top })).toEqual(['found.txt']);
  });

  it('leaves out an ancestor .gitignore that is a FIFO instead of waiting for a writer forever', async () => {
    const top = await freshTree();
    await mkdir(join(top, 'sub'));
    await writeFile(join(top, 'sub', 'found.txt'), 'inside');
    execFileSync('mkfifo', [join(top, '.gitignore')]);
    // Unguarded, a plain open of it blocks until a writer comes: it is still pending once the walk has finished.
    let plainOpened = false;
    const plain = open(join(top, '.gitignore'), 'r').then((handle) => {
      plainOpened = true;
      return handle;
    });
    expect(await walkNames(join(top, 'sub'), { gitignoreTop: top })).toEqual(['found.txt']);
    expect(plainOpened).toBe(false);
    const writer = await open(join(top, '.gitignore'), 'w');
    await (await plain).close();
    await writer.close();
  });

  it('leaves out a .gitignore over the size cap', async () => {
    const top = await freshTree();
    await writeFile(join(top, '.gitignore'), `b.txt\n${'#'.repeat(MAX_GITIGNORE_BYTES)}\n`);
    expect(await walkNames(top)).toContain('b.txt');
  });

  it('still applies a regular .gitignore in the walk and above it', async () => {
    const top = await freshTree();
    await writeFile(join(top, '.gitignore'), 'b.txt\n');
    await mkdir(join(top, 'sub'));
    await writeFile(join(top, 'sub', 'b.txt'), 'inside');
    await writeFile(join(top, 'sub', 'kept.txt'), 'inside');
    expect(await walkNames(top)).not.toContain('b.txt');
    expect(await walkNames(join(top, 'sub'), { gitignoreTop: top })).toEqual(['kept.txt']);
  });
});
