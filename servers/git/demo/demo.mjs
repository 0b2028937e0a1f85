// `npm run demo`: a small repository with history, a feature branch, a Latin-1 file and an uncommitted change.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Demo',
  GIT_AUTHOR_EMAIL: 'demo@portico.invalid',
  GIT_COMMITTER_NAME: 'Demo',
  GIT_COMMITTER_EMAIL: 'demo@portico.invalid',
};

export const demo = {
  async setup(tmpDir) {
    const repo = join(tmpDir, 'shop');
    const env = { ...process.env, ...IDENTITY };
    const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: 'ignore' });
    mkdirSync(join(repo, 'src'), { recursive: true });
    git('init', '--quiet', '--initial-branch=main');
    writeFileSync(
      join(repo, 'src/cart.js'),
      'export function total(items) {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n',
    );
    git('add', '--all');
    git('commit', '--quiet', '--message', 'Add cart total');
    git('switch', '--quiet', '--create', 'feature/discounts');
    writeFileSync(
      join(repo, 'src/cart.js'),
      'export function total(items, discount = 0) {\n  const sum = items.reduce((acc, item) => acc + item.price * item.quantity, 0);\n  return sum * (1 - discount);\n}\n',
    );
    git('commit', '--quiet', '--all', '--message', 'Support quantities and a discount');
    writeFileSync(join(repo, 'NOTES.latin1.txt'), Buffer.from('Caf\xe9 cr\xe8me\n', 'latin1'));
    git('add', 'NOTES.latin1.txt');
    git('commit', '--quiet', '--message', 'Add notes (Latin-1)');
    writeFileSync(
      join(repo, 'src/cart.js'),
      'export function total(items, discount = 0) {\n  const sum = items.reduce((acc, item) => acc + item.price * item.quantity, 0);\n  return Math.round(sum * (1 - discount) * 100) / 100;\n}\n',
    );
    return {
      args: ['--repository', repo, '--toolsets', 'compare'],
      env: IDENTITY,
      calls: [
        { name: 'git_status', arguments: { repo_path: repo } },
        { name: 'git_log', arguments: { repo_path: repo, max_count: 5 } },
        { name: 'git_compare', arguments: { repo_path: repo, base: 'main', head: 'feature/discounts', mode: 'stat' } },
        { name: 'git_show', arguments: { repo_path: repo, revision: 'HEAD' } },
        { name: 'git_blame', arguments: { repo_path: repo, path: 'src/cart.js', start_line: 1, end_line: 3 } },
        { name: 'git_diff', arguments: { repo_path: repo, target: '--output=/tmp/pwned' } },
      ],
      views: [
        {
          tool: 'git_compare',
          arguments: { repo_path: repo, base: 'main', head: 'feature/discounts', mode: 'patch' },
          ready: 'td.code',
          clicks: ['button[data-layout="split"]'],
          after: 'table.diff.split',
          screenshot: 'servers/git/docs/diff-view.png',
        },
      ],
    };
  },
};
