import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVERS = ['filesystem', 'git', 'sqlite', 'fetch', 'browser', 'github'];
const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const json = (path: string) => JSON.parse(read(path));
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

describe('the vendored server.json schema', () => {
  it('is the file its SOURCE.md names, byte for byte (sha256 recorded beside it)', () => {
    const source = read('scripts/release/schema/SOURCE.md');
    const recorded = /sha256: `([0-9a-f]{64})`/.exec(source)?.[1];
    expect(recorded).toMatch(/^[0-9a-f]{64}$/);
    const actual = createHash('sha256')
      .update(readFileSync(join(root, 'scripts/release/schema/server.schema.json')))
      .digest('hex');
    expect(actual).toBe(recorded);
    expect(source).toContain(SCHEMA_URL);
    expect(json('scripts/release/schema/server.schema.json').$id).toBe(SCHEMA_URL);
  });
});

describe('server.json', () => {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const validate = ajv.compile(json('scripts/release/schema/server.schema.json'));

  it('rejects a description over 100 characters, so the validation below has teeth', () => {
    const server = json('servers/git/server.json');
    expect(validate({ ...server, description: 'x'.repeat(101) })).toBe(false);
  });

  for (const name of SERVERS) {
    describe(name, () => {
      const server = json(`servers/${name}/server.json`);
      const pkg = json(`servers/${name}/package.json`);

      it('validates against the 2025-12-11 registry schema', () => {
        const ok = validate(server);
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
        expect(server.$schema).toBe(SCHEMA_URL);
      });

      it('names the package by its mcpName and carries its exact version', () => {
        expect(server.name).toBe(pkg.mcpName);
        expect(server.version).toBe(pkg.version);
        expect(server.description.length).toBeLessThanOrEqual(100);
        expect(server.packages).toHaveLength(1);
        expect(server.packages[0]).toMatchObject({
          registryType: 'npm',
          identifier: pkg.name,
          version: pkg.version,
          transport: { type: 'stdio' },
        });
      });

      it('declares only environment variables the server really reads', () => {
        const sources = [`servers/${name}/src`, 'shared/src/serve']
          .map((dir) => execFileSync('grep', ['-rhoE', '[A-Z][A-Z0-9_]{3,}', join(root, dir)], { encoding: 'utf8' }))
          .join('\n');
        const known = new Set(sources.split('\n'));
        for (const variable of server.packages[0].environmentVariables)
          expect(known, variable.name).toContain(variable.name);
      });
    });
  }
});

describe('published package.json files', () => {
  for (const name of SERVERS) {
    it(`${name}: carries everything npm and the MCP registry need, and nothing a user's install cannot resolve`, () => {
      const pkg = json(`servers/${name}/package.json`);
      expect(pkg).toMatchObject({
        name: `@portico-mcp/server-${name}`,
        license: 'MIT',
        homepage: `https://github.com/portico-mcp/portico/tree/main/servers/${name}#readme`,
        bugs: { url: 'https://github.com/portico-mcp/portico/issues' },
        repository: {
          type: 'git',
          url: 'git+https://github.com/portico-mcp/portico.git',
          directory: `servers/${name}`,
        },
        mcpName: `io.github.portico-mcp/server-${name}`,
        engines: { node: '>=20' },
        bin: { [`mcp-server-${name}`]: 'dist/index.js' },
        publishConfig: { access: 'public' },
      });
      expect(pkg.private).toBeUndefined();
      expect(pkg.version).not.toBe('0.0.0');
      expect(pkg.description.length).toBeGreaterThan(20);
      expect(pkg.keywords).toEqual(expect.arrayContaining(['mcp', 'model-context-protocol']));
      expect(pkg.files).toEqual(['dist', '!dist/**/*.map']);
      // The kernel and the SDK are bundled into dist; what stays a dependency is loaded at run time.
      for (const [dependency, range] of Object.entries(pkg.dependencies ?? {})) {
        expect(String(range), dependency).not.toMatch(/^(workspace|file|link):/);
        expect(dependency).not.toBe('@portico-mcp/shared');
      }
      expect(read(`servers/${name}/LICENSE`)).toBe(read('LICENSE'));
    });
  }

  it('keeps the kernel unpublished: every server bundles it', () => {
    expect(json('shared/package.json').private).toBe(true);
  });

  it('keeps the native and heavy packages the bundles leave out as real dependencies', () => {
    expect(Object.keys(json('servers/sqlite/package.json').dependencies)).toEqual(['better-sqlite3']);
    expect(Object.keys(json('servers/browser/package.json').dependencies)).toEqual(['puppeteer-core']);
    expect(Object.keys(json('servers/fetch/package.json').dependencies)).toEqual(['pdfjs-dist']);
  });
});

describe('sync-server-json', () => {
  it('writes the package version into server.json and its npm entry, and leaves other entries alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-sync-'));
    try {
      mkdirSync(join(dir, 'servers', 'demo'), { recursive: true });
      writeFileSync(
        join(dir, 'servers', 'demo', 'package.json'),
        JSON.stringify({ name: '@portico-mcp/server-demo', version: '1.4.0' }),
      );
      const other = {
        registryType: 'oci',
        identifier: 'docker.io/portico/demo',
        version: '0.9.0',
        transport: { type: 'stdio' },
      };
      writeFileSync(
        join(dir, 'servers', 'demo', 'server.json'),
        JSON.stringify({
          name: 'io.github.portico-mcp/server-demo',
          version: '1.3.2',
          packages: [
            {
              registryType: 'npm',
              identifier: '@portico-mcp/server-demo',
              version: '1.3.2',
              transport: { type: 'stdio' },
            },
            other,
          ],
        }),
      );
      execFileSync(process.execPath, [join(root, 'scripts/release/sync-server-json.mjs'), dir]);
      const synced = JSON.parse(readFileSync(join(dir, 'servers', 'demo', 'server.json'), 'utf8'));
      expect(synced.version).toBe('1.4.0');
      expect(synced.packages[0].version).toBe('1.4.0');
      expect(synced.packages[1]).toEqual(other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what the version script runs after changeset version', () => {
    expect(json('package.json').scripts.version).toBe('changeset version && node scripts/release/sync-server-json.mjs');
  });
});

describe('changesets', () => {
  it('writes CHANGELOGs offline, with the generator that ships in @changesets/cli', () => {
    expect(json('.changeset/config.json').changelog).toBe('@changesets/cli/changelog');
  });

  it('names only packages of this workspace in every pending changeset', () => {
    const names = new Set(
      ['shared', ...SERVERS.map((s) => `servers/${s}`)].map((dir) => json(`${dir}/package.json`).name),
    );
    for (const file of readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      const front = /^---\n([\s\S]*?)\n---\n/.exec(read(`.changeset/${file}`))?.[1] ?? '';
      const entries = [...front.matchAll(/^["']([^"']+)["']: (patch|minor|major)$/gm)];
      expect(entries.length, file).toBeGreaterThan(0);
      expect(entries.length, file).toBe(front.split('\n').length);
      for (const [, name] of entries) expect(names, `${file} names ${name}`).toContain(name);
    }
  });
});
