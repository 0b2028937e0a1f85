import { expect, it } from 'vitest';
import { measureToolList } from '@portico-mcp/shared/testing';
import { browserServer } from '../src/server.js';

/** Bytes of the default tool list as the model sees it (name + description + input schema); see docs/architecture.md. */
const BUDGET_BYTES = 6000;

it('keeps the default tool list inside its context budget', async () => {
  const size = await measureToolList(browserServer);
  console.log(
    `browser: ${size.tools} tools, ${size.modelBytes} B as the model sees them, ${size.fullBytes} B of tools/list`,
  );
  console.log(size.perTool.map((tool) => `${tool.name} ${tool.bytes}`).join('\n'));
  expect(size.names).toEqual(
    expect.arrayContaining(['browser_navigate', 'browser_snapshot', 'browser_click', 'browser_save_state']),
  );
  expect(size.names).not.toContain('browser_evaluate');
  expect(size.modelBytes).toBeLessThanOrEqual(BUDGET_BYTES);
});

it('adds each capability’s tools only when --caps grants it, and --toolsets all grants none', async () => {
  const all = await measureToolList(browserServer, ['--toolsets', 'all']);
  expect(all.names).not.toContain('browser_evaluate');
  const caps = await measureToolList(browserServer, ['--caps', 'all']);
  console.log(`browser with --caps all: ${caps.tools} tools, ${caps.modelBytes} B`);
  expect(caps.names).toEqual(
    expect.arrayContaining(['browser_evaluate', 'browser_network_requests', 'browser_upload_file', 'browser_pdf_save']),
  );
});
