// The known-device cookie: set after a successful login, it names a random device id signed
// together with the email it logged in as. A login attempt that brings a valid one for the email
// it tries is throttled on that device alone (see login-throttle.ts).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export const DEVICE_COOKIE = 'prospector_device';
export const DEVICE_MAX_AGE_MS = 365 * 86_400_000;

const mac = (secret: string, id: string, email: string) =>
  createHmac('sha256', secret).update(`login-device:${id}:${email.toLowerCase()}`).digest('base64url');

export function newDeviceCookie(secret: string, email: string): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${mac(secret, id, email)}`;
}

/** The device id when `cookie` was issued to a browser that logged in as `email`, else undefined. */
export function knownDevice(secret: string, cookie: unknown, email: string): string | undefined {
  if (typeof cookie !== 'string') return undefined;
  const [id, sig] = cookie.split('.');
  if (!id || !sig) return undefined;
  const want = Buffer.from(mac(secret, id, email)),
    got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? id : undefined;
}

/**
 * The client's address for per-address throttling, or undefined when it cannot be told apart:
 * without TRUST_PROXY, a request from a loopback or private address may be a reverse proxy
 * speaking for everyone, and throttling that address would throttle every user at once.
 */
export function throttleAddress(req: Request, trustProxy: unknown): string | undefined {
  if (trustProxy) return req.ip || undefined;
  const peer = req.socket.remoteAddress ?? '';
  if (!isIP(peer)) return undefined;
  const range = ipaddr.process(peer).range();
  return ['loopback', 'private', 'uniqueLocal', 'linkLocal', 'carrierGradeNat'].includes(range) ? undefined : peer;
}
