import { ConfigError } from '@portico-mcp/shared/errors';
import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';

/** The git server's own flags (the common ones are added by the kernel). */
export const GIT_FLAGS = {
  repository: {
    type: 'string',
    multiple: true,
    short: 'r',
    placeholder: 'path',
    description: 'A git repository (or a directory of repositories) tools may use; repeat for more.',
    env: 'PORTICO_GIT_REPOSITORIES',
  },
  'allow-remote': {
    type: 'boolean',
    description: 'Register git_fetch, git_pull and git_push (network access to configured remotes).',
    env: 'PORTICO_GIT_ALLOW_REMOTE',
  },
} as const satisfies Record<string, FlagSpec>;

/** The git server's typed configuration. */
export interface GitServerConfig {
  repositories: string[];
  allowRemote: boolean;
  /** The environment git children start from: the operator's, without GIT_* (but identity), editor, pager or askpass variables. */
  baseEnv: Record<string, string>;
}

// Kept from the operator's environment: commit identity, and the CA bundle a TLS-intercepting proxy needs.
const PASSED_ON = /^GIT_((AUTHOR|COMMITTER)_(NAME|EMAIL|DATE)|SSL_CAINFO|SSL_CAPATH)$/;
/** Variables that redirect git or name programs it would run (editor, pager, askpass); never passed on. */
const WITHHELD = /^(GIT_.*|EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS)$/i;

/** Builds the configuration from flags, positionals and the environment. */
export function parseGitConfig(
  input: Pick<ConfigInput<typeof GIT_FLAGS>, 'values' | 'positionals' | 'env'>,
): GitServerConfig {
  const repositories = [...(input.values.repository ?? []), ...input.positionals];
  if (repositories.length === 0) {
    throw new ConfigError(
      'No repository was given; pass --repository <path> (repeatable) with the git repositories the tools may use.',
    );
  }
  const baseEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.env)) {
    if (value === undefined) continue;
    // GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_* and friends from the host would redirect or reconfigure git.
    if (WITHHELD.test(name) && !PASSED_ON.test(name)) continue;
    baseEnv[name] = value;
  }
  return { repositories, allowRemote: input.values['allow-remote'] === true, baseEnv };
}
