import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { describeBinary, looksBinary, SNIFF_BYTES } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { addBody, clean, UNTRUSTED_NOTE } from '../github/text.js';
import { GH_READ, GH_WRITE, OWNER, REPO, refPath, repository } from './context.js';
import type { GitHubTools } from './context.js';

interface ContentEntry {
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  name: string;
  path: string;
  size: number;
  sha: string;
  content?: string;
  encoding?: string;
  target?: string;
}

/**
 * A repository path as URL path segments. Dot segments are refused because URL parsing would resolve them
 * and turn the contents route into another one (`../../issues`).
 */
function contentsRoute(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..'))
    throw new InvalidArgumentError(
      `path "${path.slice(0, 200)}" has "." or ".." segments; give the path from the repository root.`,
    );
  return `/repos/{owner}/{repo}/contents/${segments.map(encodeURIComponent).join('/')}`;
}

function checkedPath(path: string): string {
  contentsRoute(path);
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw new InvalidArgumentError('path must name a file, such as src/index.ts.');
  return trimmed;
}

export function fileTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api } = tools;
  return [
    defineTool({
      name: 'get_file_contents',
      title: 'Read file',
      description: 'A file, or a directory listing.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, path: z.string(), branch: z.string().optional() }),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<ContentEntry | ContentEntry[]>(
          `GET ${contentsRoute(args.path)}`,
          { owner, repo, ref: args.branch },
          {
            signal: context.signal,
            hints: { subject: `path ${args.path} in ${owner}/${repo}${args.branch ? ` at ${args.branch}` : ''}` },
          },
        );
        const reply = context.reply();
        const at = args.branch ? `@${args.branch}` : '';
        if (Array.isArray(data)) {
          reply.header(`Directory ${clean(args.path) || '/'}${at} in ${owner}/${repo}:`);
          const entries = [...data].sort(
            (a, b) => (a.type === 'dir' ? 0 : 1) - (b.type === 'dir' ? 0 : 1) || a.name.localeCompare(b.name),
          );
          reply.page(entries, {
            line: (entry) =>
              `${entry.type === 'dir' ? 'dir ' : entry.type === 'file' ? 'file' : entry.type} ${clean(entry.name)}${entry.type === 'file' ? ` (${entry.size} B)` : ''}`,
            noun: 'entries',
            total: entries.length,
            alternative: 'list a subdirectory',
          });
          reply.set({ type: 'dir', count: entries.length });
          return reply.build({ structured: true });
        }
        reply.set({ type: data.type, path: data.path, sha: data.sha, size: data.size });
        if (data.type !== 'file' || data.content === undefined) {
          reply.always(
            `${clean(data.path)}${at} is a ${data.type}${data.target ? ` pointing to ${clean(data.target)}` : ''} (sha ${data.sha}).`,
          );
          return reply.build({ structured: true });
        }
        if (data.encoding === 'none' || (data.content === '' && data.size > 0)) {
          reply.always(
            `${clean(data.path)}${at} is ${data.size} bytes, too large for the contents API (sha ${data.sha}); search inside it with search_code.`,
          );
          return reply.build({ structured: true });
        }
        const bytes = Buffer.from(data.content, 'base64');
        if (looksBinary(bytes.subarray(0, SNIFF_BYTES))) {
          reply.always(
            `${clean(data.path)}${at} is a binary file (${describeBinary(bytes.subarray(0, SNIFF_BYTES))}, ${bytes.length} bytes, sha ${data.sha}); not shown as text.`,
          );
          return reply.build({ structured: true });
        }
        reply.header(
          `${UNTRUSTED_NOTE}\n${clean(data.path)}${at} in ${owner}/${repo}: ${data.size} bytes, sha ${data.sha}`,
        );
        addBody(reply, 'file', bytes.toString('utf8'), 'raise --max-output-bytes to read all of it');
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'create_or_update_file',
      title: 'Write file',
      description: 'Pass sha to replace a file.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        path: z.string(),
        content: z.string(),
        message: z.string(),
        branch: z.string(),
        sha: z.string().optional(),
      }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const path = checkedPath(args.path);
        // Without a sha this only creates: the reference looked the sha up itself, which silently overwrote
        // whatever another writer had committed since the caller read the file.
        const { data } = await api.request<{
          content: { sha: string; html_url?: string } | null;
          commit: { sha: string };
        }>(
          `PUT ${contentsRoute(path)}`,
          {
            owner,
            repo,
            message: args.message,
            content: Buffer.from(args.content, 'utf8').toString('base64'),
            branch: args.branch,
            sha: args.sha,
          },
          {
            signal: context.signal,
            hints: {
              subject: `branch ${args.branch} of ${owner}/${repo}`,
              conflict: `${path} on ${args.branch} is no longer at sha ${args.sha ?? '(none)'}: someone changed it; read it again with get_file_contents and pass its current sha.`,
              unprocessable: {
                pattern: /sha.*(wasn't|was not|not) supplied|"sha" wasn't supplied/i,
                sentence: `${path} already exists on ${args.branch}; pass its current sha (from get_file_contents) to replace it.`,
              },
            },
          },
        );
        const reply = context.reply();
        reply.always(
          `${args.sha ? 'Updated' : 'Created'} ${path} on ${args.branch} in commit ${data.commit.sha}; the file's sha is now ${data.content?.sha ?? 'unknown'}.`,
        );
        reply.set({ commit: data.commit.sha, sha: data.content?.sha });
        return reply.build();
      },
    }),
    defineTool({
      name: 'push_files',
      title: 'Push files',
      description: 'One commit, never forced.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        branch: z.string(),
        files: z.array(z.object({ path: z.string(), content: z.string() })),
        message: z.string(),
      }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const files = args.files.map((file) => ({ path: checkedPath(file.path), content: file.content }));
        const signal = context.signal;
        const subject = { subject: `branch ${args.branch} of ${owner}/${repo}` };
        const { data: ref } = await api.request<{ object: { sha: string } }>(
          `GET /repos/{owner}/{repo}/git/ref/heads/${refPath(args.branch)}`,
          { owner, repo },
          { signal, hints: subject },
        );
        const parent = ref.object.sha;
        const { data: parentCommit } = await api.request<{ tree: { sha: string } }>(
          'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
          { owner, repo, commit_sha: parent },
          { signal, hints: subject },
        );
        const { data: tree } = await api.request<{ sha: string }>(
          'POST /repos/{owner}/{repo}/git/trees',
          {
            owner,
            repo,
            base_tree: parentCommit.tree.sha,
            tree: files.map((file) => ({ path: file.path, mode: '100644', type: 'blob', content: file.content })),
          },
          { signal, hints: subject },
        );
        const { data: commit } = await api.request<{ sha: string }>(
          'POST /repos/{owner}/{repo}/git/commits',
          { owner, repo, message: args.message, tree: tree.sha, parents: [parent] },
          { signal, hints: subject },
        );
        // force: false, so that commits pushed by someone else meanwhile are never thrown away.
        await api.request(
          `PATCH /repos/{owner}/{repo}/git/refs/heads/${refPath(args.branch)}`,
          { owner, repo, sha: commit.sha, force: false },
          {
            signal,
            hints: {
              ...subject,
              unprocessable: {
                pattern: /fast.forward/i,
                sentence: `${args.branch} moved while pushing (someone else pushed); nothing was overwritten, call push_files again.`,
              },
            },
          },
        );
        const reply = context.reply();
        reply.always(
          `Pushed ${files.length} file${files.length === 1 ? '' : 's'} to ${args.branch} in commit ${commit.sha}.`,
        );
        reply.set({ commit: commit.sha, files: files.length });
        return reply.build();
      },
    }),
  ];
}
