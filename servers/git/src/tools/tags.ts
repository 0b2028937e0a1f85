import * as z from 'zod';
import { AlreadyExistsError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, WRITE, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { assertNewRefName, refExists, resolveRevision } from '../git/refs.js';
import type { Workspace } from '../workspace.js';
import { offsetField, repoPathField } from '../workspace.js';

/** git_tags (read) and git_create_tag. */
export function tagTools(workspace: Workspace): AnyToolDefinition[] {
  const tags = defineTool({
    name: 'git_tags',
    title: 'List tags',
    description: 'Lists tags, newest first, with the commit each points at and the subject of annotated tags.',
    inputSchema: z.object({
      repo_path: repoPathField,
      max_count: z.number().int().min(1).max(1000).default(100).describe('Maximum number of tags to return.'),
      contains: z.string().optional().describe('Only tags that contain this commit.'),
      offset: offsetField,
    }),
    outputSchema: z.object({ count: z.number().describe('Tags shown.'), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    toolset: 'tags',
    handler: async ({ repo_path, max_count, contains, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const containsHash =
        contains === undefined ? undefined : await resolveRevision(git, contains, 'contains', context.signal);
      const out = await git.text(
        [
          'for-each-ref',
          '--sort=-creatordate',
          `--count=${offset + max_count + 1}`,
          '--format=%(refname:short)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(creatordate:iso-strict)%00%(contents:subject)',
          ...(containsHash ? [`--contains=${containsHash}`] : []),
          'refs/tags/',
        ],
        { mode: 'read', signal: context.signal },
      );
      const all = out
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => {
          const [name = '', type = '', object = '', peeled = '', date = '', subject = ''] = line.split('\0');
          const annotated = type === 'tag';
          return { name, commit: annotated ? peeled : object, annotated, date, subject: annotated ? subject : '' };
        });
      const reply = context.reply();
      const page = reply.page(all.slice(offset), {
        line: (t) =>
          `${t.name}  ${t.commit.slice(0, 12)}  ${t.date.slice(0, 10)}  ${t.annotated ? `annotated: ${t.subject}` : 'lightweight'}`,
        noun: 'tags',
        offset,
        limit: max_count,
        limitReason: 'max_count',
      });
      if (page.items.length === 0 && !page.truncated) reply.line(offset > 0 ? 'No more tags.' : 'No tags.');
      return reply.set({ count: page.items.length }).build({ structured: true });
    },
  });

  const createTag = defineTool({
    name: 'git_create_tag',
    title: 'Create a tag',
    description: 'Creates a tag at a commit (default HEAD); with a message it is an annotated tag.',
    inputSchema: z.object({
      repo_path: repoPathField,
      tag_name: z.string().describe('Name of the new tag.'),
      revision: z.string().default('HEAD').describe('Commit, branch or tag to tag.'),
      message: z.string().min(1).max(100_000).optional().describe('Message: makes an annotated tag.'),
    }),
    outputSchema: z.object({
      tag: z.string().describe('The new tag.'),
      commit: z.string().describe('Commit it points at.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
    toolset: 'tags',
    handler: async ({ repo_path, tag_name, revision, message }, context) => {
      const git = await workspace.open(repo_path, context);
      await assertNewRefName(git, 'tag', tag_name, 'tag_name', context.signal);
      if (await refExists(git, `refs/tags/${tag_name}`, context.signal))
        throw new AlreadyExistsError(`Tag ${JSON.stringify(tag_name)} already exists; choose another name.`);
      const commit = await resolveRevision(git, revision, 'revision', context.signal);
      const args = [
        'tag',
        ...(message !== undefined ? ['--annotate', `--message=${message}`] : []),
        '--end-of-options',
        tag_name,
        commit,
      ];
      await git.run(args, { mode: 'write', signal: context.signal });
      return context
        .reply()
        .always(`Created ${message !== undefined ? 'annotated ' : ''}tag '${tag_name}' at ${commit.slice(0, 12)}.`)
        .set({ tag: tag_name, commit })
        .build();
    },
  });

  return [tags, createTag];
}
