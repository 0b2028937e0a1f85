import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a minted requestState stays valid: long enough for a person to answer a form. */
export const STATE_TTL_MS = 10 * 60 * 1000;

/** The shortest PORTICO_STATE_KEY accepted: HMAC-SHA256 wants at least its output size in key material. */
export const MIN_STATE_KEY_LENGTH = 32;

const VERSION = 'v1';
// Domain separation: a MAC made for requestState can never pass for another use of the same key.
const MAC_LABEL = 'portico.requestState.v1\0';

/** What a requestState carries: the call it was issued for, its expiry, and the answers gathered so far. */
export interface StatePayload {
  /** `callBinding(tool, args)` of the call the state was issued for. */
  binding: string;
  /** Expiry, in milliseconds since the epoch. */
  expires: number;
  /** Answers of earlier rounds, by input key. */
  answers: Record<string, unknown>;
}

/** Why a requestState was refused: not ours or altered (`malformed`, `signature`), or too old (`expired`). */
export type StateRefusal = 'malformed' | 'signature' | 'expired';

/** The outcome of opening a requestState. */
export type OpenedState = { ok: true; payload: StatePayload } | { ok: false; reason: StateRefusal };

/** Seals and opens requestState values with one HMAC-SHA256 key; replicas sharing the key accept each other's. */
export class StateSigner {
  readonly #key: Buffer;

  constructor(key: string | Buffer) {
    this.#key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  }

  /** A signer with a fresh random key: states it mints are valid in this process only. */
  static random(): StateSigner {
    return new StateSigner(randomBytes(32));
  }

  /** Signs `payload` into the opaque string sent to the client. */
  seal(payload: StatePayload): string {
    const body = Buffer.from(
      JSON.stringify({ b: payload.binding, e: payload.expires, a: payload.answers }),
      'utf8',
    ).toString('base64url');
    return `${VERSION}.${body}.${this.#mac(body).toString('base64url')}`;
  }

  /** Verifies a state echoed by a client, at time `now`, and returns its payload or why it was refused. */
  open(state: string, now: number = Date.now()): OpenedState {
    const parts = typeof state === 'string' ? state.split('.') : [];
    if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
    const [, body, mac] = parts as [string, string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(body);
    // Base64url decoding skips stray characters, so compare the re-encoding too: "abc" and "ab!c" must differ.
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== mac) {
      return { ok: false, reason: 'signature' };
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const fields = decoded as { b?: unknown; e?: unknown; a?: unknown } | null;
    if (
      fields === null ||
      typeof fields !== 'object' ||
      typeof fields.b !== 'string' ||
      typeof fields.e !== 'number' ||
      fields.a === null ||
      typeof fields.a !== 'object' ||
      Array.isArray(fields.a)
    ) {
      return { ok: false, reason: 'malformed' };
    }
    if (fields.e <= now) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      payload: { binding: fields.b, expires: fields.e, answers: fields.a as Record<string, unknown> },
    };
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#key).update(MAC_LABEL).update(body).digest();
  }
}

/** The digest a state is bound to: the tool (or prompt) name and its arguments as canonical JSON. */
export function callBinding(name: string, args: unknown): string {
  return createHash('sha256').update(name).update('\0').update(canonicalJson(args)).digest('base64url');
}

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
