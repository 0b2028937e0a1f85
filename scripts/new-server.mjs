#!/usr/bin/env node
// `pnpm new-server <name>`: creates servers/<name> as a Portico server package that already follows the
// house rules (docs/architecture.md, "Adding a server"): CLI entry, spec and surface, typed config, one tool
// shaped through the kernel's reply builder, a context-size test, a protocol smoke test in both eras, and
// README, bench and Dockerfile skeletons. Then run `pnpm install` and `pnpm --filter @portico-mcp/server-<name> run build`.
//
//   node scripts/new-server.mjs <name> [--root <repo>] [--budget <bytes>]
//
// --root writes into another checkout (the scaffold's own test uses a scratch one).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The names a server needs, from its short name: `weather-alerts` → WeatherAlerts, weatherAlerts, weather_alerts. */
export function namesOf(name) {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(
      `"${name}" is not a server name: use lower-case letters, digits and single dashes, starting with a letter (e.g. "weather").`,
    );
  }
  const words = name.split('-');
  const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  return { name, pascal, camel: pascal[0].toLowerCase() + pascal.slice(1), snake: words.join('_') };
}

/** Every file of a new server, path relative to the repository root → content. */
export function scaffoldFiles(name, { budget = 2000, sdkVersion = '^2.4.0', zodVersion = '^4.3.6' } = {}) {
  const n = namesOf(name);
  const dir = `servers/${name}`;
  const tool = `${n.snake}_hello`;
  const files = {};
  files[`${dir}/package.json`] = `${JSON.stringify(
    {
      name: `@portico-mcp/server-${name}`,
      version: '0.0.0',
      description: `Portico ${name} MCP server.`,
      keywords: ['mcp', 'model-context-protocol', 'mcp-server', name],
      homepage: `https://github.com/portico-mcp/portico/tree/main/${dir}#readme`,
      bugs: { url: 'https://github.com/portico-mcp/portico/issues' },
      repository: { type: 'git', url: 'git+https://github.com/portico-mcp/portico.git', directory: dir },
      type: 'module',
      license: 'MIT',
      mcpName: `io.github.portico-mcp/server-${name}`,
      bin: { [`mcp-server-${name}`]: 'dist/index.js' },
      // The bundle only: source maps would triple the download (docs/architecture.md, Releasing).
      files: ['dist', '!dist/**/*.map'],
      engines: { node: '>=20' },
      publishConfig: { access: 'public' },
      scripts: {
        build: 'tsc -p tsconfig.json && node ../../scripts/bundle.mjs src/index.ts dist',
        typecheck: 'tsc -p tsconfig.json',
      },
      devDependencies: {
        '@modelcontextprotocol/client': sdkVersion,
        '@modelcontextprotocol/server': sdkVersion,
        '@portico-mcp/shared': 'workspace:*',
        zod: zodVersion,
      },
      // The conformance scenarios that apply to a server with tools only (scripts/conformance/run.mjs).
      portico: {
        conformance: {
          args: [],
          scenarios: ['server-initialize', 'ping', 'logging-set-level', 'tools-list', 'dns-rebinding-protection'],
        },
      },
    },
    null,
    2,
  )}\n`;
  files[`${dir}/tsconfig.json`] =
    `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: '.', noEmit: true }, include: ['src', 'test'] }, null, 2)}\n`;
  files[`${dir}/src/index.ts`] = `#!/usr/bin/env node
import { runServer } from '@portico-mcp/shared/serve';
import { ${n.camel}Server } from './server.js';

// Not awaited: the bundle is a CommonJS script (scripts/bundle.mjs), where top-level await does not exist.
void runServer(${n.camel}Server);
`;
  files[`${dir}/src/config.ts`] = `import { ConfigError } from '@portico-mcp/shared/errors';
import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';

/** The ${name} server's own flags (the common ones come from the kernel). Typed kinds are parsed by the kernel. */
export const ${n.snake.toUpperCase()}_FLAGS = {
  greeting: { type: 'string', placeholder: 'word', description: 'The word ${tool} greets with (default "Hello").', env: 'PORTICO_${n.snake.toUpperCase()}_GREETING' },
  'max-names': { type: 'integer', min: 1, max: 10_000, default: 100, placeholder: 'n', description: 'Most names one call greets (default 100).', env: 'PORTICO_${n.snake.toUpperCase()}_MAX_NAMES' },
} as const satisfies Record<string, FlagSpec>;

/** The ${name} server's typed configuration, parsed once at startup. */
export interface ${n.pascal}Config {
  greeting: string;
  maxNames: number;
}

/** Builds the configuration; throws ConfigError with one sentence on bad input. */
export function parse${n.pascal}Config({ values, positionals }: ConfigInput<typeof ${n.snake.toUpperCase()}_FLAGS>): ${n.pascal}Config {
  if (positionals.length > 0) throw new ConfigError(\`Unexpected argument "\${positionals[0]}"; this server takes only flags (run with --help).\`);
  const greeting = values.greeting ?? 'Hello';
  if (greeting.trim() === '' || /[\\r\\n]/.test(greeting)) throw new ConfigError('--greeting must be one non-empty line of text.');
  return { greeting, maxNames: values['max-names'] };
}
`;
  files[`${dir}/src/tools/hello.ts`] = `import * as z from 'zod';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import type { ${n.pascal}Config } from '../config.js';

/** ${tool}: an example tool. A tool hands lines and structure to the reply; the kernel keeps it in budget. */
export function helloTools(config: ${n.pascal}Config): AnyToolDefinition[] {
  const hello = defineTool({
    name: '${tool}',
    title: 'Say hello',
    description: 'Greets each name, one line each.',
    inputSchema: z.object({
      names: z.array(z.string().min(1).max(200)).min(1).max(config.maxNames),
      offset: z.number().int().min(0).default(0),
    }),
    outputSchema: z.object({ greeted: z.number(), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: ({ names, offset }, context) => {
      const reply = context.reply();
      const page = reply.page(names.slice(offset), { line: (name) => \`\${config.greeting}, \${name}!\`, noun: 'greetings', offset, total: names.length });
      reply.set({ greeted: page.items.length });
      return reply.build();
    },
  });
  return [hello];
}
`;
  files[`${dir}/src/server.ts`] = `import type { Kernel, ServerSpec, ServerSurface } from '@portico-mcp/shared/serve';
import { ${n.snake.toUpperCase()}_FLAGS, parse${n.pascal}Config } from './config.js';
import type { ${n.pascal}Config } from './config.js';
import { helloTools } from './tools/hello.js';
import packageJson from '../package.json' with { type: 'json' };

/** Builds the tool surface once at startup; state that outlives a request lives here. */
export function create${n.pascal}Surface(config: ${n.pascal}Config, kernel: Kernel): ServerSurface {
  kernel.log.debug('surface created', { maxNames: config.maxNames });
  return {
    instructions: 'Greets names. Replies are bounded; a cut reply says which offset continues it.',
    tools: [...helloTools(config)],
  };
}

/** The runServer spec of mcp-server-${name}. */
export const ${n.camel}Server: ServerSpec<${n.pascal}Config, typeof ${n.snake.toUpperCase()}_FLAGS> = {
  name: '${name}',
  title: 'Portico ${name}',
  version: packageJson.version,
  description: 'Portico ${name} MCP server.',
  usage: 'mcp-server-${name} [options]',
  flags: ${n.snake.toUpperCase()}_FLAGS,
  parseConfig: parse${n.pascal}Config,
  create: create${n.pascal}Surface,
};
`;
  files[`${dir}/test/size.test.ts`] = `import { expect, it } from 'vitest';
import { measureToolList } from '@portico-mcp/shared/testing';
import { ${n.camel}Server } from '../src/server.js';

/** Bytes of the default tool list as the model sees it (name + description + input schema); see docs/architecture.md. */
const BUDGET_BYTES = ${budget};

it('keeps the default tool list inside its context budget', async () => {
  const size = await measureToolList(${n.camel}Server);
  console.log(\`${name}: \${size.tools} tools, \${size.modelBytes} B as the model sees them, \${size.fullBytes} B of tools/list\`);
  expect(size.names).toContain('${tool}');
  expect(size.modelBytes).toBeLessThanOrEqual(BUDGET_BYTES);
});
`;
  files[`${dir}/test/${name}.protocol.test.ts`] = `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERAS, resultText, spawnServer } from '@portico-mcp/shared/testing';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe.each(ERAS)('the built server over stdio (%s era)', (era) => {
  it('lists its tool and answers a call', async () => {
    const server = await spawnServer({ entry, era });
    try {
      const { tools } = await server.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['${tool}']);
      const result = await server.client.callTool({ name: '${tool}', arguments: { names: ['Ada', 'Grace'] } });
      expect(resultText(result)).toBe('Hello, Ada!\\nHello, Grace!');
      expect(result.structuredContent).toEqual({ greeted: 2, truncated: false });
    } finally {
      await server.close();
    }
  });
});
`;
  files[`${dir}/bench/${name}.bench.mjs`] =
    `// ${name} server benchmarks: spawn → initialize against bare Node. Add the server's everyday calls beside
// its anchor (the reference server or the raw library) as it grows; see docs/architecture.md, "Benchmarks".
import { fileURLToPath } from 'node:url';
import { connectTimed, median, ms, timeSpawnToExit } from '../../../scripts/bench-lib/measure.mjs';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 15);

export async function run() {
  const startups = [];
  const bare = [];
  for (let i = 0; i < RUNS; i++) {
    const connection = await connectTimed({ args: [entry] });
    startups.push(connection.ms);
    await connection.client.close();
    bare.push(timeSpawnToExit(process.execPath, ['-e', '0']));
  }
  return {
    title: '${name} server',
    rows: [{ measure: 'spawn → initialize', portico: median(startups), anchors: [{ name: '\`node -e 0\`', value: median(bare) }], format: ms }],
  };
}
`;
  files[`${dir}/Dockerfile`] = `# Portico ${name} server. Build from the repository root:
#   docker build -f servers/${name}/Dockerfile -t portico/${name} .
# Run (stdio): docker run -i --rm portico/${name} [flags]

FROM node:20-slim AS build
WORKDIR /repo
RUN npm install -g pnpm@10.34.8
COPY . .
RUN pnpm install --frozen-lockfile --filter "@portico-mcp/server-${name}..." \\
 && pnpm --filter @portico-mcp/shared run build \\
 && pnpm --filter @portico-mcp/server-${name} run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
# The bundle holds the whole server; dist/ includes V8's code cache made by the same image at build time.
COPY --from=build /repo/servers/${name}/dist ./dist
USER node
ENTRYPOINT ["node", "dist/index.js"]
`;
  files[`${dir}/README.md`] = `# @portico-mcp/server-${name}

What the server does, in two sentences: the data source, and why a user picks it.

## Tools

| name | what it does | key arguments | read-only |
|---|---|---|---|
| \`${tool}\` | Greets each name, one line each; a cut reply names the \`offset\` that continues it. | \`names\`, \`offset\` | yes |

Default tool list: ${budget} B budget as the model sees it (name + description + input schema), checked by
\`test/size.test.ts\`.

## Flags

| flag | env | default | meaning |
|---|---|---|---|
| \`--greeting <word>\` | \`PORTICO_${n.snake.toUpperCase()}_GREETING\` | Hello | the greeting word |
| \`--max-names <n>\` | \`PORTICO_${n.snake.toUpperCase()}_MAX_NAMES\` | 100 | most names one call greets |

The common flags (\`--http\`, \`--read-only\`, \`--toolsets\`, \`--tools\`, \`--exclude-tools\`,
\`--max-output-bytes\`, \`--log-level\`, …) are in the repository README.

## Security model

What the server can reach, what it refuses, and which kernel guard enforces each.

## Host configuration

\`\`\`json
{ "mcpServers": { "${name}": { "command": "npx", "args": ["-y", "@portico-mcp/server-${name}"] } } }
\`\`\`

## Docker

\`docker build -f servers/${name}/Dockerfile -t portico/${name} .\`, then \`docker run -i --rm portico/${name}\`.

## Benchmarks

\`node scripts/bench.mjs --only servers/${name}\`; put the table here.
`;
  // The MCP registry's record; `pnpm run version` keeps its versions at the package's.
  files[`${dir}/server.json`] = `${JSON.stringify(
    {
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: `io.github.portico-mcp/server-${name}`,
      description: `Portico ${name} MCP server.`,
      repository: { url: 'https://github.com/portico-mcp/portico', source: 'github', subfolder: dir },
      version: '0.0.0',
      packages: [
        {
          registryType: 'npm',
          registryBaseUrl: 'https://registry.npmjs.org',
          identifier: `@portico-mcp/server-${name}`,
          version: '0.0.0',
          runtimeHint: 'npx',
          transport: { type: 'stdio' },
        },
      ],
    },
    null,
    2,
  )}\n`;
  files[`${dir}/LICENSE`] = readFileSync(join(HERE, '..', 'LICENSE'), 'utf8');
  files[`.changeset/server-${name}.md`] = `---
"@portico-mcp/server-${name}": minor
---

A new Portico server, \`mcp-server-${name}\`: say what it gives users and why they would pick it.
`;
  return files;
}

function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { root: { type: 'string' }, budget: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error('usage: pnpm new-server <name> [--root <repo>] [--budget <bytes>]');
    process.exit(2);
  }
  const root = values.root ?? join(HERE, '..');
  const [name] = positionals;
  let files;
  try {
    files = scaffoldFiles(name, values.budget ? { budget: Number(values.budget) } : {});
  } catch (error) {
    console.error(`new-server: ${error.message}`);
    process.exit(2);
  }
  if (existsSync(join(root, 'servers', name))) {
    console.error(`new-server: servers/${name} already exists; pick another name or remove it first.`);
    process.exit(2);
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const sharedPackage = JSON.parse(readFileSync(join(HERE, '../shared/package.json'), 'utf8'));
  console.log(
    [
      `Created servers/${name} (${Object.keys(files).length} files). Next:`,
      '  pnpm install',
      `  pnpm --filter @portico-mcp/server-${name} run build`,
      `  node node_modules/vitest/vitest.mjs run servers/${name}`,
      `It builds on ${sharedPackage.name}; read docs/architecture.md ("Adding a tool", "Adding a server") before the first change.`,
    ].join('\n'),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
