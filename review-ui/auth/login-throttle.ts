// When a login attempt is evaluated. Each throttle key gets a few free failures in a window;
// past that, each further attempt must wait a little longer after the previous failure (5 s,
// 10 s, 20 s … at most a minute) instead of being refused for the whole window, so someone who
// hammers an email slows its guesses down without locking its owner out. The owner's browser
// carries a known-device cookie and is throttled on a key of its own (OWASP's device cookies).
// Pure: the caller counts under an advisory lock and records the attempt before checking the
// password, so parallel requests are decided one at a time and at most the limit is evaluated.

export const LOGIN_LIMITS = {
  windowMinutes: 15,
  /** Free failures per email (from unknown browsers) or per known device. */
  perAccount: 5,
  /** Free failures per client address, used only when the address is the client's own. */
  perIp: 30,
  /** The first wait past the limit; each further failure doubles it. Long enough that a burst of
   * parallel guesses is over before it ends, short enough that a person barely notices. */
  baseDelaySeconds: 5,
  maxDelaySeconds: 60,
};

interface KeyFailures {
  failures: number;
  /** Seconds since the latest failure on this key (null: none in the window). */
  secondsSinceLast: number | null;
}

type LoginVerdict = { allow: true } | { allow: false; retryAfterSeconds: number };

/** Seconds still to wait on one key (0: evaluate now). */
export function waitFor(k: KeyFailures, limit: number, limits = LOGIN_LIMITS): number {
  if (k.failures < limit) return 0;
  const gap = Math.min(limits.baseDelaySeconds * 2 ** (k.failures - limit), limits.maxDelaySeconds);
  const since = k.secondsSinceLast ?? Infinity;
  return since >= gap ? 0 : Math.max(1, Math.ceil(gap - since));
}

export function loginVerdict(account: KeyFailures, ip: KeyFailures | undefined, limits = LOGIN_LIMITS): LoginVerdict {
  const wait = Math.max(waitFor(account, limits.perAccount, limits), ip ? waitFor(ip, limits.perIp, limits) : 0);
  return wait ? { allow: false, retryAfterSeconds: wait } : { allow: true };
}
