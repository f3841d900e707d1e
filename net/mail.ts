// Mailbox hosts (SMTP and IMAP) through the same guard and allow-list as fetches: the host is
// resolved once, checked, and the connection made to that address (TLS still verifies the
// name). The allow-list names them as `smtp://host:port` and `imap://host:port`. A failure to
// reach a mail server reads the same whatever the cause (closed port, another service on it,
// timeout, TLS mismatch), so the "test connection" button cannot be used to scan ports.
import net from 'node:net';
import { AppError } from '../errors.js';
import { privateAllowed, type AddressPolicy } from './address.js';
import { connectGuarded, resolvePinned } from './guard.js';

type MailScheme = 'smtp' | 'imap';

const urlOf = (scheme: MailScheme, host: string, port: number) =>
  new URL(`${scheme}://${net.isIPv6(host) ? `[${host}]` : host}:${port}`);

/** Where to connect: the checked address, and the name TLS must verify (none for an IP literal). */
export async function pinMailHost(
  scheme: MailScheme,
  host: string,
  port: number,
  policy: AddressPolicy,
): Promise<{ host: string; servername?: string }> {
  const pinned = await resolvePinned(host, privateAllowed(policy, urlOf(scheme, host, port)));
  return net.isIP(host) ? { host: pinned.address } : { host: pinned.address, servername: host };
}

/** A TCP connection to an SMTP server through the guard (nodemailer runs TLS/STARTTLS on it). */
export function smtpSocket(host: string, port: number, policy: AddressPolicy, timeoutMs = 20_000): Promise<net.Socket> {
  return connectGuarded('smtp', host, port, policy, timeoutMs).catch((err: Error) => {
    throw err instanceof AppError ? err : unreachable('smtp', host, port, err);
  });
}

/**
 * nodemailer's `getSocket` hook: every pooled SMTP connection is opened here, through the guard.
 * nodemailer still runs TLS (port 465) or STARTTLS on it against the configured name.
 */
export function smtpGetSocket(policy: AddressPolicy, timeoutMs = 20_000) {
  return (
    options: { host?: string; port?: number | string },
    callback: (err: Error | null, socketOptions?: object) => void,
  ) => {
    smtpSocket(options.host ?? 'localhost', Number(options.port ?? 587), policy, timeoutMs).then(
      (connection) => callback(null, { connection }),
      (err: Error) => callback(err),
    );
  };
}

/** Whether an error is the server itself refusing the login (so it may be shown as it is). */
function isAuthFailure(err: unknown): boolean {
  const e = err as { code?: string; authenticationFailed?: boolean; responseCode?: number };
  return e.code === 'EAUTH' || e.authenticationFailed === true || e.code === 'AUTHENTICATIONFAILED';
}

/** The one message for a mail server that could not be reached or did not speak the protocol. */
function unreachable(scheme: MailScheme, host: string, port: number, cause?: unknown): AppError {
  return new AppError(
    'MAIL_UNREACHABLE',
    `no ${scheme.toUpperCase()} server answered at ${host}:${port} (check the host, the port and the TLS setting)`,
    { cause, details: { host, port } },
  );
}

/**
 * What may be said about a failed mail connection: the guard's refusal and a login refused by
 * the server as they are; anything else — refused, reset, timed out, not the protocol — as one
 * message, so an open port and a closed one look the same.
 */
export function mailConnectError(scheme: MailScheme, host: string, port: number, err: unknown): AppError {
  if (err instanceof AppError && (err.code === 'FETCH_BLOCKED' || err.code === 'MAIL_UNREACHABLE')) return err;
  if (isAuthFailure(err)) {
    const e = err as Error & { responseText?: string; response?: string };
    const text = e.responseText ?? e.response ?? e.message;
    return new AppError(scheme === 'smtp' ? 'SMTP_AUTH' : 'IMAP_AUTH', `the server refused the login: ${text}`, {
      cause: err,
    });
  }
  return unreachable(scheme, host, port, err);
}
