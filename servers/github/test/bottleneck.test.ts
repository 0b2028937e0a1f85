import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import Bottleneck from 'bottleneck/light.js';
import { yieldWithoutTimerClamp } from '../src/github/bottleneck.js';

describe("octokit's limiters", () => {
  it('arm only the one timer that starts a job once the store yields with setImmediate', async () => {
    const timersDuring = async () => {
      const limiter = new Bottleneck();
      const original = globalThis.setTimeout;
      let armed = 0;
      globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
        armed += 1;
        return original(...args);
      }) as typeof setTimeout;
      try {
        expect(await limiter.schedule(async () => 'done')).toBe('done');
      } finally {
        globalThis.setTimeout = original;
      }
      await limiter.disconnect();
      return armed;
    };
    // Unpatched, in a process of its own: tests in this worker may already have patched the shared module.
    const light = createRequire(import.meta.url).resolve('bottleneck/light.js');
    const unpatched = execFileSync(
      process.execPath,
      [
        '-e',
        `
      const Bottleneck = require(${JSON.stringify(light)});
      const original = setTimeout; let armed = 0;
      globalThis.setTimeout = (...args) => { armed += 1; return original(...args); };
      new Bottleneck().schedule(async () => 'done').then(() => { globalThis.setTimeout = original; console.log(armed); });
    `,
      ],
      { encoding: 'utf8' },
    );
    expect(Number(unpatched)).toBeGreaterThan(3);
    yieldWithoutTimerClamp();
    // Bottleneck starts each job with setTimeout(run, wait): that one stays, the store's yields are gone.
    expect(await timersDuring()).toBe(1);
  });
});
