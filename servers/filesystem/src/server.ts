import { Sandbox } from '@portico-mcp/shared/sandbox';
import type { Kernel, ServerSpec, ServerSurface } from '@portico-mcp/shared/serve';
import { FILESYSTEM_FLAGS, parseFilesystemConfig } from './config.js';
import type { FilesystemConfig } from './config.js';
import { SandboxProvider } from './context.js';
import type { FilesystemContext } from './context.js';
import { editTools } from './tools/edit.js';
import { infoTools } from './tools/info.js';
import { listTools } from './tools/list.js';
import { readTools } from './tools/read.js';
import { searchContentTools } from './tools/search-content.js';
import { searchFilesTools } from './tools/search-files.js';
import { treeTools } from './tools/tree.js';
import { writeTools } from './tools/write.js';
import packageJson from '../package.json' with { type: 'json' };

const INSTRUCTIONS = [
  'Filesystem access confined to the allowed directories (call list_allowed_directories to see them).',
  'Paths may be absolute or relative to the first allowed directory.',
  'Large files: read_text_file takes head, tail, or offset+limit (1-based line ranges).',
  'Every reply is bounded: a cut one says so and carries next, the arguments to pass to continue (offset for listings and searches).',
  'To find text inside files use search_content (regex or literal, like grep); to find files by name use search_files (globs).',
  'edit_file refuses an oldText that matches more than once unless replaceAll is true; use dryRun to preview the diff.',
].join(' ');

/** Resolves the operator's directories, skipping (with a warning) those that do not exist, as the reference does. */
async function operatorSandbox(directories: readonly string[], kernel: Kernel): Promise<Sandbox | undefined> {
  if (directories.length === 0) {
    kernel.log.info('started without allowed directories; waiting for the client to share MCP roots');
    return undefined;
  }
  const usable: string[] = [];
  let lastError: unknown;
  for (const directory of directories) {
    try {
      await Sandbox.create([directory]);
      usable.push(directory);
    } catch (error) {
      lastError = error;
      kernel.log.warning('skipping an allowed directory that cannot be used', {
        directory,
        reason: (error as Error).message,
      });
    }
  }
  // None usable: fail at startup with the kernel's sentence for the last one rather than serve nothing.
  if (usable.length === 0) throw lastError;
  return Sandbox.create(usable);
}

/** Builds the tool surface: every tool of the reference server plus search_content, copy_file and append_file. */
export async function createFilesystemSurface(config: FilesystemConfig, kernel: Kernel): Promise<ServerSurface> {
  const fs: FilesystemContext = {
    sandboxes: new SandboxProvider(await operatorSandbox(config.allowedDirectories, kernel)),
    maxMediaBytes: config.maxMediaBytes,
  };
  return {
    instructions: INSTRUCTIONS,
    tools: [
      ...readTools(fs),
      ...writeTools(fs),
      ...editTools(fs),
      ...listTools(fs),
      ...treeTools(fs),
      ...searchFilesTools(fs),
      ...searchContentTools(fs),
      ...infoTools(fs),
    ],
  };
}

/** The runServer spec of mcp-server-filesystem. */
export const filesystemServer: ServerSpec<FilesystemConfig, typeof FILESYSTEM_FLAGS> = {
  name: 'filesystem',
  title: 'Portico filesystem',
  version: packageJson.version,
  description: 'Portico filesystem MCP server: read, write, edit and search files inside allowed directories.',
  usage: 'mcp-server-filesystem [options] <allowed-dir>...',
  oversizedRequestHint: 'send the content in smaller pieces (write_file the first part, then append_file the rest)',
  details: [
    'Arguments:',
    '  <allowed-dir>...   Directories the server may use (and everything beneath them). With none, the',
    '                     server uses the MCP roots the client shares. Client roots narrow these',
    '                     directories; they never widen them.',
    '',
    'Example:',
    '  mcp-server-filesystem ~/projects/site /srv/shared-docs',
  ].join('\n'),
  flags: FILESYSTEM_FLAGS,
  parseConfig: parseFilesystemConfig,
  create: createFilesystemSurface,
};
