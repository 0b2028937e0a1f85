#!/usr/bin/env node
// `pnpm bench`: runs every package's bench/*.bench.mjs and prints one table per benchmark with the ratio of
// Portico to each anchor, all measured side by side in this run. `--only <word>` runs the files whose path
// contains the word; `--markdown` prints the tables in Markdown for a README.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { only: { type: 'string' }, markdown: { type: 'boolean' } } });

function benchFiles() {
  const dirs = [join(root, 'shared/bench')];
  const servers = join(root, 'servers');
  if (existsSync(servers)) for (const name of readdirSync(servers).sort()) dirs.push(join(servers, name, 'bench'));
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((file) => file.endsWith('.bench.mjs'))
        .map((file) => join(dir, file)),
    )
    .filter((file) => !values.only || file.includes(values.only));
}

/** Prints rows of { measure, portico, anchors: [{ name, value }], unit, format, lowerIsBetter }. */
function printTable(title, rows) {
  const header = ['measure', 'Portico', 'anchor', 'anchor value', 'Portico / anchor'];
  const lines = [];
  for (const row of rows) {
    for (const [index, anchor] of row.anchors.entries()) {
      const ratio = anchor.value > 0 ? (row.portico / anchor.value).toFixed(2) : '—';
      lines.push([
        index === 0 ? row.measure : '',
        index === 0 ? row.format(row.portico) : '',
        anchor.name,
        row.format(anchor.value),
        `${ratio}x`,
      ]);
    }
  }
  if (values.markdown) {
    console.log(`\n#### ${title}\n`);
    console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const line of lines) console.log(`| ${line.join(' | ')} |`);
    return;
  }
  const widths = header.map((cell, i) => Math.max(cell.length, ...lines.map((line) => String(line[i]).length)));
  const format = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  console.log(`\n${title}\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}

let failed = 0;
for (const file of benchFiles()) {
  const label = file.replace(root, '');
  process.stderr.write(`bench: running ${label}\n`);
  try {
    const { run } = await import(pathToFileURL(file).href);
    const results = await run();
    for (const result of results) printTable(`${result.title} (${label})`, result.rows);
  } catch (error) {
    failed++;
    console.error(`bench: ${label} failed: ${error.stack ?? error}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
