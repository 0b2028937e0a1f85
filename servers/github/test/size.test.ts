import { measureToolList } from '@portico-mcp/shared/testing';
import type { ToolListSize } from '@portico-mcp/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { githubServer } from '../src/server.js';
import { REFERENCE_TOOLS } from './reference-tools.js';

/** What the default tool list may cost the model in every conversation (docs/architecture.md, "Context cost"). */
const MODEL_BUDGET_BYTES = 8_000;
/** The whole tools/list JSON of the default list (schemas, titles and annotations included). */
const FULL_BUDGET_BYTES = 10_240;

const sizes = new Map<string, ToolListSize & { names: string[] }>();

beforeAll(async () => {
  const lists: Array<[string, string[]]> = [
    ['default', []],
    ['--read-only', ['--read-only']],
  ];
  for (const [label, argv] of lists) sizes.set(label, await measureToolList(githubServer, argv));
  console.log(
    ['tool list                      tools  model bytes  full bytes', ...[...sizes].map(([label, size]) => `${label.padEnd(30)} ${String(size.tools).padStart(5)}  ${String(size.modelBytes).padStart(11)}  ${String(size.fullBytes).padStart(10)}`)].join('\n'),
  );
});

describe('the tool list as the model pays for it', () => {
  it(`keeps the default list within ${MODEL_BUDGET_BYTES} bytes as the model sees it`, () => {
    const size = sizes.get('default')!;
    expect(size.modelBytes, size.perTool.map((tool) => `${tool.name} ${tool.bytes}`).join('\n')).toBeLessThanOrEqual(MODEL_BUDGET_BYTES);
  });

  it(`keeps the whole tools/list JSON of the default list within ${FULL_BUDGET_BYTES} bytes`, () => {
    expect(sizes.get('default')!.fullBytes).toBeLessThanOrEqual(FULL_BUDGET_BYTES);
  });

  it('lists exactly the 26 reference tools by default', () => {
    expect([...sizes.get('default')!.names].sort()).toEqual([...REFERENCE_TOOLS].sort());
  });
});
