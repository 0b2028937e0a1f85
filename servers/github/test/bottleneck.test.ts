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
    expect(await timersDuring()).toBeGreaterThan(3);
    yieldWithoutTimerClamp();
    // Bottleneck starts each job with setTimeout(run, wait): that one stays, the store's yields are gone.
    expect(await timersDuring()).toBe(1);
  });
});
