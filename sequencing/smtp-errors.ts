// What a failed send means for the step, decided by what the server may have received. A
// transport reports the stage it reached (SMTP and provider APIs alike); nodemailer's `command`
// label is not enough: it says `CONN` for every lost connection and socket timeout, whatever
// stage the transaction was in. Branches on stable codes and reply codes, never on message text.
import { ConsentError } from '../mailboxes/oauth-types.js';

export type SmtpVerdict =
  | 'held' // an OAuth mailbox's provider refused the saved sign-in: mailbox paused, the step waits (no attempt counted)
  | 'retry' // a 4xx, or it broke before the server could have the whole message: safe to send again later
  | 'bounce' // 5xx for the recipient: the address is bad
  | 'rejected' // 5xx for something else (sender, content policy): a person must look
  | 'auth' // credentials refused: pause the mailbox
  | 'unknown'; // it broke once the server may have the whole message: reconcile by Message-ID, never resend blindly

/**
 * How far one message got, as its transport reports it. Every transport starts at `connect` and
 * moves forward only:
 * - `connect`: connection, greeting, EHLO, TLS, AUTH (or an API's token): nothing of this message sent.
 * - `envelope`: MAIL FROM, RCPT TO, DATA: the server holds no message yet.
 * - `data`: message bytes going out, the end-of-data dot not yet: a server drops an unterminated message.
 * - `committed`: the final dot (SMTP) or the whole request body (provider API) may have reached the
 *   server; from here a lost connection or a timeout may hide a delivery.
 */
export type DeliveryStage = 'connect' | 'envelope' | 'data' | 'committed';

const ORDER: Record<DeliveryStage, number> = { connect: 0, envelope: 1, data: 2, committed: 3 };

/** Whether the server may hold the whole message. A transport that reported nothing counts as `committed`. */
function mayHaveReachedServer(stage: DeliveryStage | undefined): boolean {
  return stage === undefined || ORDER[stage] >= ORDER.committed;
}

/** The later of two stages: a report never moves a send backwards. */
export function advance(current: DeliveryStage | undefined, next: DeliveryStage): DeliveryStage {
  return current === undefined || ORDER[next] > ORDER[current] ? next : current;
}

export function classifySmtpError(err: unknown, stage: DeliveryStage | undefined): SmtpVerdict {
  // Thrown only before anything of the message went out (the token is got first) or with the provider's 401 to it.
  if (err instanceof ConsentError) return 'held';
  const e = (err ?? {}) as { code?: string; responseCode?: number; command?: string };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.command?.startsWith('AUTH')) return 'auth';
  // A reply code is the server's own word on this message: a 4xx (even to the final dot) means it did not take it.
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (rc && rc >= 400 && rc < 500) return 'retry';
  if (rc && rc >= 500)
    return e.command === 'RCPT TO' || e.command === 'DATA' || e.code === 'EENVELOPE' ? 'bounce' : 'rejected';
  // No reply: a lost connection or a timeout. Safe to retry only while the server cannot have the whole message.
  return mayHaveReachedServer(stage) ? 'unknown' : 'retry';
}

/** Backoff for a 4xx: 5 min, 10, 20 … capped at 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(6 * 3_600_000, 5 * 60_000 * 2 ** Math.max(0, attempts - 1));
}

export const MAX_ATTEMPTS = 6;
