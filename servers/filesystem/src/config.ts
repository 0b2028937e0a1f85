import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';

/** Largest media file sent by default: its base64 (4/3 larger) stays well under a default client's 10 MiB message limit. */
export const DEFAULT_MAX_MEDIA_BYTES = 5_000_000;
// Its base64 must fit the kernel's media allowance per reply (MAX_MEDIA_REPLY_BYTES, 8 MiB).
const MAX_MAX_MEDIA_BYTES = 6_000_000;

/** The filesystem server's own flags (the common ones come from the kernel). */
export const FILESYSTEM_FLAGS = {
  'max-media-bytes': {
    type: 'size',
    min: 1,
    max: MAX_MAX_MEDIA_BYTES,
    default: DEFAULT_MAX_MEDIA_BYTES,
    placeholder: 'size',
    description: `Largest file read_media_file reads: 5MB, 512KB, or bytes (default ${DEFAULT_MAX_MEDIA_BYTES}, at most ${MAX_MAX_MEDIA_BYTES})`,
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
export function parseFilesystemConfig(
  input: Pick<ConfigInput<typeof FILESYSTEM_FLAGS>, 'values' | 'positionals'>,
): FilesystemConfig {
  return { allowedDirectories: [...input.positionals], maxMediaBytes: input.values['max-media-bytes'] };
}
