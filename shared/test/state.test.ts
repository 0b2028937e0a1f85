import { describe, expect, it } from 'vitest';
import { StateSigner, callBinding, canonicalJson } from '../src/serve/index.js';

const KEY = 'a-key-of-at-least-thirty-two-characters!';
const payload = {
  binding: callBinding('write_file', { path: 'a.txt', content: 'x' }),
  expires: 2_000_000,
  answers: { confirm: { confirmed: true } },
};

describe('requestState signing', () => {
  it('opens what it sealed, with the same payload', () => {
    const signer = new StateSigner(KEY);
    expect(signer.open(signer.seal(payload), 1_000_000)).toEqual({ ok: true, payload });
  });

  it('accepts a state sealed by another signer with the same key (replicas)', () => {
    expect(new StateSigner(KEY).open(new StateSigner(KEY).seal(payload), 1_000_000).ok).toBe(true);
  });

  it('refuses a state sealed with another key', () => {
    expect(new StateSigner(`${KEY}?`).open(new StateSigner(KEY).seal(payload), 1_000_000)).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('refuses a state whose body was changed, even by one character', () => {
    const signer = new StateSigner(KEY);
    const [version, body, mac] = signer.seal(payload).split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ b: payload.binding, e: 9_999_999_999_999, a: payload.answers }),
    ).toString('base64url');
    expect(signer.open(`${version}.${forged}.${mac}`, 1_000_000)).toEqual({ ok: false, reason: 'signature' });
    const flipped = `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}`;
    expect(signer.open(`${version}.${flipped}.${mac}`, 1_000_000)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses a MAC with stray characters that base64url decoding would skip', () => {
    const signer = new StateSigner(KEY);
    const state = signer.seal(payload);
    expect(signer.open(`${state.slice(0, -3)}!${state.slice(-3)}`, 1_000_000).ok).toBe(false);
    expect(signer.open(`${state}-TAMPERED`, 1_000_000).ok).toBe(false);
  });

  it('refuses a state at or after its expiry', () => {
    const signer = new StateSigner(KEY);
    expect(signer.open(signer.seal(payload), payload.expires)).toEqual({ ok: false, reason: 'expired' });
  });

  it.each(['', 'v1', 'v1.a', 'v2.a.b', 'v1.a.b.c', 42 as unknown as string])(
    'refuses %j as malformed or unsigned',
    (state) => {
      expect(new StateSigner(KEY).open(state).ok).toBe(false);
    },
  );

  it('gives random signers keys no other signer shares', () => {
    expect(StateSigner.random().open(StateSigner.random().seal(payload), 1_000_000).ok).toBe(false);
  });
});

describe('call binding', () => {
  it('is the same for equal arguments whatever their key order', () => {
    expect(callBinding('t', { a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      callBinding('t', { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
  });

  it('differs for another tool or other arguments', () => {
    const base = callBinding('write_file', { path: 'a.txt' });
    expect(callBinding('edit_file', { path: 'a.txt' })).not.toBe(base);
    expect(callBinding('write_file', { path: 'b.txt' })).not.toBe(base);
    // The name and the arguments cannot run into each other.
    expect(callBinding('a', { b: 1 })).not.toBe(callBinding('a{', { b: 1 }));
  });

  it('writes canonical JSON with sorted keys and no undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
  });
});
