/**
 * The value checkers behind xvirtd's config keys, shared by lib/daemon/config.ts
 * and lib/daemon/security-keys.ts (which config.ts imports, so it cannot import
 * them from config.ts). A setter checks one parsed value, reports a bad one
 * through `fail` (config.ts prefixes file, line and key), and stores it.
 */
import { AUTH_SCHEMES, type AuthScheme } from '../auth/daemon-config';

/** A parsed value: integer, "string" or [ "list" ]. */
export type Value = number | string | string[];
export type Fail = (why: string) => never;
export type Setter<C> = (cfg: C, value: Value, fail: Fail) => void;

/**
 * An integer from min to max. Errors say "expected an integer from min to max"
 * / "N is out of range min-max", or `expected` for both when given.
 */
export function int<C>(min: number, max: number, set: (cfg: C, n: number) => void, expected?: string): Setter<C> {
  return (cfg, value, fail) => {
    if (typeof value !== 'number') return fail(expected ?? `expected an integer from ${min} to ${max}`);
    if (value < min || value > max) fail(expected ?? `${value} is out of range ${min}-${max}`);
    set(cfg, value);
  };
}

/** 0 or 1, stored as a boolean ("expected 0 or 1"). */
export function flag<C>(set: (cfg: C, on: boolean) => void): Setter<C> {
  return int(0, 1, (cfg, n) => set(cfg, n === 1), 'expected 0 or 1');
}

/** A "quoted string"; `check` returns why it is refused, or null. */
export function str<C>(check: (s: string) => string | null, set: (cfg: C, s: string) => void): Setter<C> {
  return (cfg, value, fail) => {
    if (typeof value !== 'string') return fail('expected a "quoted string"');
    const why = check(value);
    if (why) fail(why);
    set(cfg, value);
  };
}

/** One of AUTH_SCHEMES. */
export function auth<C>(set: (cfg: C, a: AuthScheme) => void): Setter<C> {
  return str(
    (s) =>
      (AUTH_SCHEMES as readonly string[]).includes(s)
        ? null
        : `unsupported auth scheme "${s}" (supported: ${AUTH_SCHEMES.join(', ')})`,
    (cfg, s) => set(cfg, s as AuthScheme),
  );
}
