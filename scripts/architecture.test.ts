import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The house rules that a reader of one server would otherwise copy wrong (docs/architecture.md): checked on
// the sources, so that a new tool cannot quietly bring back its own reply arithmetic.
const repo = fileURLToPath(new URL('..', import.meta.url));
const serversDir = join(repo, 'servers');

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourcesUnder(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

const servers = readdirSync(serversDir).filter((name) =>
  statSync(join(serversDir, name, 'src'), { throwIfNoEntry: false })?.isDirectory(),
);
const serverSources = servers.flatMap((name) => sourcesUnder(join(serversDir, name, 'src')));
const toolSources = serverSources.filter((path) => path.includes('/src/tools/'));
const offending = (files: string[], pattern: RegExp) =>
  files.filter((file) => pattern.test(readFileSync(file, 'utf8'))).map((file) => relative(repo, file));

describe('house rules on the servers’ sources', () => {
  it('finds the servers it checks', () => {
    expect(servers).toEqual(expect.arrayContaining(['filesystem', 'git', 'sqlite', 'fetch']));
  });

  it('shapes every tool reply through the kernel’s reply builder, not by hand', () => {
    expect(offending(toolSources, /\b(toolResult|truncationNotice|cutText|utf8Length)\b/)).toEqual([]);
    expect(offending(toolSources, /Buffer\.byteLength|budget\.(spend|take|remaining)/)).toEqual([]);
    expect(offending(toolSources, /RESERVE[A-Z_]*\s*=\s*\d/)).toEqual([]);
  });

  it('spells continuation one way', () => {
    expect(
      offending(serverSources, /\b(nextOffset|next_offset|next_skip|has_more|nextCursor|nextStartIndex)\b/),
    ).toEqual([]);
  });

  it('registers resources and prompts through the kernel, never on the raw SDK server', () => {
    expect(offending(serverSources, /registerProtocolFixtures|\.registerResource\(|\.registerPrompt\(/)).toEqual([]);
  });

  it('takes annotation presets from the kernel instead of writing them out', () => {
    expect(offending(serverSources, /readOnlyHint:\s*(true|false),\s*destructiveHint/)).toEqual([]);
  });

  it('gives every destructive tool the one-line effect --confirm-destructive shows the user', () => {
    const bare = toolSources.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      // An annotation line naming a destructive preset must be followed, within the definition, by `effect:`.
      return [
        ...text.matchAll(/annotations:\s*(?:\w*DESTRUCTIVE\b|withHints\(DESTRUCTIVE\b)[^\n]*\n(?:[^\n]*\n){0,2}/g),
      ]
        .filter((match) => !/\beffect:/.test(match[0]))
        .map(() => relative(repo, file));
    });
    expect(bare).toEqual([]);
  });

  it('reads no environment deep inside a server: config is parsed once', () => {
    const deep = serverSources.filter((file) => !/\/src\/(index|config)\.ts$/.test(file));
    expect(offending(deep, /process\.env\b/)).toEqual([]);
  });

  it('links nothing outside the repository from a README', () => {
    const readmes = [
      join(repo, 'README.md'),
      join(repo, 'shared/README.md'),
      ...servers.map((name) => join(serversDir, name, 'README.md')),
    ];
    expect(offending(readmes, /\.\.\/\.\.\/shared\/|DESIGN\.md|ANCHORS\.md|ENVIRONMENT\.md/)).toEqual([]);
  });
});
