import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, watch } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { connectBrowser } from './helpers.js';
import { startSite } from './site.js';
import type { TestSite } from './site.js';

let site: TestSite;
let temp: TempDir;
const started: ChildProcess[] = [];

beforeAll(async () => {
  site = await startSite();
  temp = await makeTempDir('portico-browser-lifecycle-');
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(
    started.map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve(),
    ),
  );
  await site?.close();
  await temp?.cleanup();
});

/** Starts a Chromium of "another program" on `profile` and resolves once `file` exists in the profile. */
async function otherChromium(profile: string, file: string, extra: string[] = []): Promise<ChildProcess> {
  const appeared = new Promise<void>((resolve) => {
    const watcher = watch(profile, () => {
      // lstat: SingletonLock is a symbolic link to "host-pid", which exists as no file. A regular file
      // (DevToolsActivePort) counts once its first line is written.
      const entry = lstatSync(join(profile, file), { throwIfNoEntry: false });
      if (entry !== undefined && (entry.isSymbolicLink() || readFileSync(join(profile, file), 'utf8').includes('\n'))) {
        watcher.close();
        resolve();
      }
    });
  });
  const child = spawn(
    '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...extra,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  started.push(child);
  await appeared;
  return child;
}

describe('profiles', () => {
  it('falls back to a temporary profile, and says so, when another Chromium holds --user-data-dir', async () => {
    const profile = (await makeTempDir('portico-browser-locked-')).path;
    const holder = await otherChromium(profile, 'SingletonLock');
    expect(readlinkSync(join(profile, 'SingletonLock'))).toMatch(new RegExp(`-${holder.pid}$`));
    // Without the fallback, a second Chromium on the same profile does not start a browser of its own.
    const { default: puppeteer } = await import('puppeteer-core');
    await expect(
      puppeteer.launch({
        executablePath: '/usr/bin/chromium',
        userDataDir: profile,
        args: ['--no-sandbox', '--disable-gpu'],
        timeout: 15_000,
        pipe: true,
      }),
    ).rejects.toThrow();
    const browser = await connectBrowser(['--user-data-dir', profile]);
    try {
      const result = await browser.call('browser_navigate', { url: `${site.url}/` });
      expect(result.isError).toBeFalsy();
      expect(result.text).toContain(
        'The --user-data-dir profile is in use by another Chromium, so this session uses a fresh temporary profile (no saved logins).',
      );
      expect(result.text).toContain('h1 Home');
    } finally {
      await browser.close();
    }
  });

  it('keeps cookies in a --user-data-dir profile from one run to the next', async () => {
    const profile = join(temp.path, 'profile');
    const first = await connectBrowser(['--user-data-dir', profile]);
    await first.call('browser_navigate', { url: `${site.url}/state` });
    await first.close();
    const second = await connectBrowser(['--user-data-dir', profile]);
    try {
      await second.call('browser_navigate', { url: `${site.url}/state-check` });
      expect((await second.call('browser_snapshot')).text).toContain('"cookie session=abc123 theme dark"');
    } finally {
      await second.close();
    }
  });

  it('says what to install when no browser is found', async () => {
    const browser = await connectBrowser(['--executable-path', join(temp.path, 'no-such-chromium')]);
    try {
      const result = await browser.call('browser_navigate', { url: `${site.url}/` });
      expect(result.isError).toBe(true);
      expect(result.text).toBe(
        'No browser at the --executable-path (or PUPPETEER_EXECUTABLE_PATH) given; point it at a Chromium or Chrome binary.',
      );
    } finally {
      await browser.close();
    }
  });
});

describe('attaching with --cdp-endpoint', () => {
  it('drives a browser the user already runs, passes the endpoint through the policy, and leaves that browser running', async () => {
    const profile = (await makeTempDir('portico-browser-cdp-')).path;
    const user = await otherChromium(profile, 'DevToolsActivePort', ['--remote-debugging-port=0']);
    const port = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0];
    const endpoint = `http://127.0.0.1:${port}`;
    // The endpoint passes the policy like any URL: a denied host is refused before anything connects.
    const denied = await connectBrowser(['--cdp-endpoint', endpoint, '--deny-hosts', '127.0.0.1']);
    try {
      const result = await denied.call('browser_snapshot');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^Refused http:\/\/127\.0\.0\.1:\d+\/: 127\.0\.0\.1 is listed in --deny-hosts/);
    } finally {
      await denied.close();
    }
    const browser = await connectBrowser(['--cdp-endpoint', endpoint]);
    const result = await browser.call('browser_navigate', { url: `${site.url}/` });
    expect(result.text).toContain('Attached to the browser at --cdp-endpoint');
    expect(result.text).toContain('h1 Home');
    await browser.close();
    expect(user.exitCode).toBeNull();
    expect(user.signalCode).toBeNull();
  });
});
