import type { Logger } from '../log/index.js';

/** What the table needs of a session: a way to end it. */
export interface ClosableSession {
  close(): Promise<void>;
}

/** Seconds a refused client is told to wait (`Retry-After`): long enough for idle sessions to be swept or closed. */
export const RETRY_AFTER_SECONDS = 10;

const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * The 2025-era HTTP sessions of one endpoint, under a cap. A live session is never dropped to make room: a
 * newcomer past the cap is refused (the caller answers 503), and idle sessions expire after `idleMs`.
 * Sessions being opened count against the cap from the moment they are admitted, so a burst of concurrent
 * initializes cannot overshoot it.
 */
export class SessionTable<S extends ClosableSession> {
  private readonly sessions = new Map<string, { session: S; lastSeen: number }>();
  private opening = 0;
  private refusedSinceLog = 0;
  private lastRefusalLog = -Infinity;
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly options: { maxSessions: number; idleMs: number; log: Logger; now?: () => number }) {
    this.sweep = setInterval(() => this.expireIdle(), Math.min(60_000, options.idleMs));
    this.sweep.unref();
  }

  /** Sessions open or being opened. */
  get size(): number {
    return this.sessions.size + this.opening;
  }

  /**
   * Admits one new session if there is room: returns a release function to call once the session is
   * registered (or failed to open), or undefined at the cap, after logging why.
   */
  admit(): (() => void) | undefined {
    if (this.size >= this.options.maxSessions) {
      this.logRefusal();
      return undefined;
    }
    this.opening++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.opening--;
    };
  }

  add(id: string, session: S): void {
    this.sessions.set(id, { session, lastSeen: this.now() });
  }

  /** The session with this id, marked as just used. */
  touch(id: string): S | undefined {
    const entry = this.sessions.get(id);
    if (entry) entry.lastSeen = this.now();
    return entry?.session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends sessions unused for longer than the idle timeout. */
  expireIdle(): void {
    const cutoff = this.now() - this.options.idleMs;
    for (const [id, entry] of this.sessions) {
      if (entry.lastSeen >= cutoff) continue;
      this.sessions.delete(id);
      void entry.session.close();
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweep);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((entry) => entry.session.close()));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private logRefusal(): void {
    // One line per interval, with the count: a client retrying in a loop must not flood the operator's log.
    this.refusedSinceLog++;
    const now = this.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.options.log.warning(
      'refused a new HTTP session: the server is at its --max-sessions cap; raise it, or have clients close (DELETE) sessions they no longer use',
      {
        maxSessions: this.options.maxSessions,
        refused: this.refusedSinceLog,
      },
    );
    this.refusedSinceLog = 0;
    this.lastRefusalLog = now;
  }
}
