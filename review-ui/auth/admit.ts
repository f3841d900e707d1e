// Admitting a password check through the login throttle (login-throttle.ts), for the login form
// and the change-password form alike: one request at a time per throttle key, the attempt
// recorded as a failure before the password is checked, so parallel guesses see each other.
import type { Request } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertLoginAttempt, lockLoginKey, recentLoginFailures } from '../../db/queries/sessions.js';
import { LOGIN_LIMITS, loginVerdict } from './login-throttle.js';

type Admission = { allow: true; attemptId: number } | { allow: false; retryAfterSeconds: number };

/**
 * `device`: the throttle key of a known browser (or of a signed-in user's password changes);
 * without one the email is the key. `address`: the client's own address, when it can be trusted.
 * When admitted, mark the attempt succeeded (markLoginAttemptSucceeded) once the password matches.
 */
export async function admitPasswordCheck(
  ctx: Pick<AppContext, 'db'>,
  req: Request,
  email: string,
  device: string | undefined,
  address: string | undefined,
): Promise<Admission> {
  return ctx.db.transaction(async (tx) => {
    await run(tx, lockLoginKey(device ? `device:${device}` : `email:${email.toLowerCase()}`));
    if (address) await run(tx, lockLoginKey(`ip:${address}`));
    const f = (await one(tx, recentLoginFailures(email, device ?? null, address ?? null, LOGIN_LIMITS.windowMinutes)))!;
    const verdict = loginVerdict(
      { failures: f.account_failures, secondsSinceLast: f.account_since },
      address ? { failures: f.ip_failures, secondsSinceLast: f.ip_since } : undefined,
    );
    if (!verdict.allow) return verdict;
    const row = (await one(tx, insertLoginAttempt(email, req.ip ?? '', device ?? null)))!;
    return { allow: true, attemptId: row.id };
  });
}

/** "Wait 5 seconds", "wait a second": for the 429 pages. */
export const waitText = (seconds: number) => (seconds === 1 ? 'a second' : `${seconds} seconds`);
