import { ConfigError } from '@portico-mcp/shared/errors';
import type { FlagSpec, FlagValues } from '@portico-mcp/shared/serve';

/** Largest media file sent by default: its base64 (4/3 larger) stays well under a default client's 10 MiB message limit. */
export const DEFAULT_MAX_MEDIA_BYTES = 5_000_000;
const MAX_MAX_MEDIA_BYTES = 7_000_000;

/** The filesystem server's own flags (the common ones come from the kernel). */
export const FILESYSTEM_FLAGS = {
  'max-media-bytes': {
    type: 'string',
    placeholder: 'n',
    description: `Largest file read_media_file returns, in bytes (default ${DEFAULT_MAX_MEDIA_BYTES}, at most ${MAX_MAX_MEDIA_BYTES}).`,
    env: 'PORTICO_FS_MAX_MEDIA_BYTES',
  },
} as const satisfies Record<string, FlagSpec>;

/** The typed configuration of the filesystem server. */
export interface FilesystemConfig {
  /** Allowed directories exactly as the operator typed them (resolved and checked at startup). */
  allowedDirectories: string[];
  maxMediaBytes: number;
}

/** Builds the configuration from the command line: positionals are the allowed directories, as with the reference. */
export function parseFilesystemConfig(input: { values: FlagValues; positionals: string[] }): FilesystemConfig {
  const raw = input.values['max-media-bytes'];
  let maxMediaBytes = DEFAULT_MAX_MEDIA_BYTES;
  if (typeof raw === 'string') {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`--max-media-bytes must be a whole number, not "${raw}".`);
    maxMediaBytes = Number(raw);
    if (maxMediaBytes < 1 || maxMediaBytes > MAX_MAX_MEDIA_BYTES) {
      throw new ConfigError(`--max-media-bytes must be between 1 and ${MAX_MAX_MEDIA_BYTES}, not ${maxMediaBytes}.`);
    }
  }
  return { allowedDirectories: [...input.positionals], maxMediaBytes };
}
