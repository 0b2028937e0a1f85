// `npm run demo`: a small project with a large log file, a sibling directory named like the root plus a quote
// (the reference server's gap), and code to grep and edit.
import { mkdirSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const demo = {
  async setup(tmpDir) {
    const project = join(tmpDir, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(
      join(project, 'src', 'cart.ts'),
      'export function total(items: Item[]) {\n  // TODO: discounts\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n\nexport function count(items: Item[]) {\n  // TODO: quantities\n  return items.length;\n}\n',
    );
    writeFileSync(join(project, 'src', 'item.ts'), 'export interface Item {\n  name: string;\n  price: number;\n}\n');
    // About 8 MB of log: too big for one reply, instant with head/tail/offset.
    const log = openSync(join(project, 'server.log'), 'w');
    for (let block = 0; block < 100; block++) {
      const lines = [];
      for (let line = 1; line <= 1000; line++)
        lines.push(`2026-01-01T00:00:00Z INFO request ${block * 1000 + line} handled in ${line % 97} ms status=200`);
      writeSync(log, `${lines.join('\n')}\n`);
    }
    closeSync(log);
    // A sibling whose name is the root plus a double quote: the reference server reads it; Portico refuses.
    writeFileSync(`${project}"`, 'a secret next to the allowed directory\n');
    return {
      args: [project],
      calls: [
        { name: 'search_content', arguments: { path: project, pattern: 'TODO', contextLines: 1 } },
        { name: 'read_text_file', arguments: { path: join(project, 'server.log'), tail: 3 } },
        { name: 'read_text_file', arguments: { path: join(project, 'server.log') } },
        {
          name: 'edit_file',
          arguments: { path: join(project, 'src', 'cart.ts'), edits: [{ oldText: '// TODO', newText: '// DONE' }] },
        },
        {
          name: 'edit_file',
          arguments: {
            path: join(project, 'src', 'cart.ts'),
            edits: [{ oldText: '// TODO', newText: '// DONE', replaceAll: true }],
            dryRun: true,
          },
        },
        { name: 'read_text_file', arguments: { path: `${project}"` } },
      ],
    };
  },
};
