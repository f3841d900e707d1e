// What an SMTP failure means for the step. Branches on nodemailer's stable codes and the
// server's reply code, never on message text.
export type SmtpVerdict =
  | 'retry' // 4xx, or the connection failed before the message was handed over: safe to send again later
  | 'bounce' // 5xx for the recipient: the address is bad
  | 'rejected' // 5xx for something else (sender, content policy): a person must look
  | 'auth' // credentials refused: pause the mailbox
  | 'unknown'; // it broke while the message was being handed over: it may have arrived; never resend blindly

const BEFORE_DATA = new Set(['CONN', 'EHLO', 'HELO', 'STARTTLS', 'MAIL FROM', 'RCPT TO', 'API']);

export function classifySmtpError(err: unknown): SmtpVerdict {
  const e = (err ?? {}) as { code?: string; responseCode?: number; command?: string };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.command?.startsWith('AUTH')) return 'auth';
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (rc && rc >= 400 && rc < 500) return 'retry';
  if (rc && rc >= 500)
    return e.command === 'RCPT TO' || e.command === 'DATA' || e.code === 'EENVELOPE' ? 'bounce' : 'rejected';
  // No reply code: safe to retry only when the failure came before the message was handed over.
  if (e.command ? BEFORE_DATA.has(e.command) : ['EDNS', 'ECONNREFUSED', 'ETLS', 'EPROXY'].includes(e.code ?? ''))
    return 'retry';
  return 'unknown';
}

/** Backoff for a 4xx: 5 min, 10, 20 … capped at 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(6 * 3_600_000, 5 * 60_000 * 2 ** Math.max(0, attempts - 1));
}

export const MAX_ATTEMPTS = 6;
