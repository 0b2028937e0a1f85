import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, ConfigError } from '@portico-mcp/shared/errors';
import type { ServerSpec, ServerSurface } from '@portico-mcp/shared/serve';
import { Sandbox } from '@portico-mcp/shared/sandbox';
import { GIT_FLAGS, parseGitConfig } from './config.js';
import type { GitServerConfig } from './config.js';
import { blameTools } from './tools/blame.js';
import { branchTools } from './tools/branches.js';
import { compareTools } from './tools/compare.js';
import { diffTools } from './tools/diff.js';
import { diffView, diffViewTools } from './tools/diff-view.js';
import { logTools } from './tools/log.js';
import { remoteTools } from './tools/remotes.js';
import { showTools } from './tools/show.js';
import { stagingTools } from './tools/staging.js';
import { stashTools } from './tools/stash.js';
import { statusTools } from './tools/status.js';
import { tagTools } from './tools/tags.js';
import { Workspace } from './workspace.js';
import packageJson from '../package.json' with { type: 'json' };

const INSTRUCTIONS =
  'Git tools confined to the repositories this server was started with; every tool takes repo_path. ' +
  'A reply that was cut says so and names the arguments that continue it (next in structure). ' +
  'Use git_show_file to read a file at a revision and git_blame to see who changed lines.';

// src/ from sources, dist/ bundled: the package folder is one up from either.
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the tool surface for a configuration (exported for in-process tests). */
export async function createGitSurface(config: GitServerConfig): Promise<ServerSurface & { workspace: Workspace }> {
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.create(config.repositories, { rootNoun: 'Repository' });
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new ConfigError(error.message);
    throw error;
  }
  const workspace = new Workspace(sandbox, config.baseEnv);
  const tools = [
    ...statusTools(workspace),
    ...diffTools(workspace),
    ...logTools(workspace),
    ...showTools(workspace),
    ...blameTools(workspace),
    ...compareTools(workspace),
    ...branchTools(workspace),
    ...tagTools(workspace),
    ...stashTools(workspace),
    ...remoteTools(workspace, { allowRemote: config.allowRemote }),
    ...stagingTools(workspace),
    ...diffViewTools(workspace),
  ];
  return { tools, instructions: INSTRUCTIONS, workspace, apps: [diffView(PACKAGE_DIR)] };
}

/** The git server as the kernel's bootstrap runs it. */
export const gitServer: ServerSpec<GitServerConfig, typeof GIT_FLAGS> = {
  name: 'git',
  title: 'Portico git',
  version: packageJson.version,
  description:
    'Git tools for MCP: the reference tools plus blame, compare, stash, tags and remotes, confined to allowed repositories.',
  usage: 'mcp-server-git --repository <path> [--repository <path>...] [--allow-remote] [options]',
  details: [
    'Examples:',
    '  mcp-server-git --repository ~/code/app',
    '  mcp-server-git -r ~/code/app -r ~/code/lib --read-only',
    '  mcp-server-git -r ~/code/app --allow-remote',
    '  mcp-server-git -r ~/code/app --toolsets compare,stash',
  ].join('\n'),
  flags: GIT_FLAGS,
  toolsets: {
    compare: 'git_compare: merge base, ahead/behind and the changes between two revisions.',
    tags: 'git_tags and git_create_tag.',
    stash: 'git_stash_list, git_stash_push and git_stash_pop.',
  },
  parseConfig: parseGitConfig,
  create: async (config, kernel) => {
    const surface = await createGitSurface(config);
    kernel.log.debug('repositories', { roots: surface.workspace.sandbox.roots, allowRemote: config.allowRemote });
    return {
      tools: surface.tools,
      ...(surface.instructions ? { instructions: surface.instructions } : {}),
      ...(surface.apps ? { apps: surface.apps } : {}),
    };
  },
};
