import { describe, expect, it } from 'vitest';
import { parseGitConfig } from '../src/config.js';
import { toCommonConfig, parseCommandLine } from '@portico-mcp/shared/serve';

const input = (env: Record<string, string>) => {
  const parsed = parseCommandLine([], env, {});
  return {
    values: { repository: ['/srv/repo'], 'allow-remote': false } as never,
    positionals: [],
    env,
    common: toCommonConfig(parsed),
  };
};

describe('the environment git children start from', () => {
  it('keeps the operator’s commit identity and CA bundle, and withholds what would redirect or reconfigure git', () => {
    const { baseEnv } = parseGitConfig(
      input({
        PATH: '/usr/bin',
        GIT_AUTHOR_NAME: 'Ada',
        GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt',
        GIT_DIR: '/elsewhere/.git',
        GIT_CONFIG_GLOBAL: '/tmp/evil',
        GIT_SSL_NO_VERIFY: '1',
        EDITOR: 'vim',
      }),
    );
    expect(baseEnv).toEqual({
      PATH: '/usr/bin',
      GIT_AUTHOR_NAME: 'Ada',
      GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt',
    });
  });
});
