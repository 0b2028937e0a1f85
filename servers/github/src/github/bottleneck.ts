import Bottleneck from 'bottleneck/light.js';

let patched = false;

/**
 * Makes Bottleneck's in-memory store yield with setImmediate instead of setTimeout(0). octokit's retry and
 * throttling plugins schedule every request through three Bottleneck limiters, and the store yields to the
 * event loop at each of its steps; Node clamps a zero timeout to 1 ms, so those yields alone added about
 * 15 ms to every call. setImmediate yields to the event loop just the same (timers, I/O and the order of
 * jobs are untouched), without the clamp. The store class is not exported, hence the probe instance.
 */
export function yieldWithoutTimerClamp(): void {
  if (patched) return;
  patched = true;
  const probe = new Bottleneck();
  const store = Object.getPrototypeOf((probe as unknown as { _store: object })._store) as {
    yieldLoop(t?: number): Promise<void>;
    Promise: PromiseConstructor;
  };
  store.yieldLoop = function yieldLoop(this: { Promise: PromiseConstructor }, delay = 0) {
    return delay > 0
      ? new this.Promise((resolve) => setTimeout(resolve, delay))
      : new this.Promise((resolve) => setImmediate(resolve));
  };
  void probe.disconnect();
}
