// Clicks, opens, one-click unsubscribes and the signed webhooks (inbound mail, bookings).
// Link scanners are recorded but flagged, so they never drive a branch or a funnel.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import { insertEvent } from '../db/queries/sending.js';
import { contactForUnsubscribe, trackedStep } from '../db/queries/tracking.js';
import { contactByEmail, markWebhookDelivery } from '../db/queries/inbox.js';
import { AppError } from '../errors.js';
import type { SecretBox } from '../secret-box.js';
import { extractUrls } from './message.js';
import { applyMeetingBooked, applyUnsubscribe } from './outcomes.js';
import { readToken } from './tokens.js';

type Ctx = Pick<AppContext, 'db' | 'log' | 'secrets'>;

const SCANNER_UA = new RegExp(
  [
    String.raw`barracuda|mimecast|proofpoint|symantec|messagelabs|forcepoint|trend ?micro|sophos|fortinet|cisco|`,
    String.raw`ironport|safelinks|urldefense|microsoft office|ms-office|outlook-?ios|bingpreview|`,
    String.raw`google-?(safety|smartlock)|facebookexternalhit|slackbot|bot\b|crawler|spider|scan|curl\/|wget|`,
    String.raw`python-requests|python-urllib|go-http-client|java\/|okhttp|headless|phantomjs|axios|node-fetch|undici`,
  ].join(''),
  'i',
);
const SCANNER_WINDOW_MS = 10_000;

/** A scanner, not a person: HEAD requests, known security/preview agents, or a click within seconds of delivery. */
export function isScannerClick(r: {
  method: string;
  userAgent: string | undefined;
  sentAt: Date | null;
  now: Date;
}): boolean {
  if (r.method === 'HEAD') return true;
  if (!r.userAgent || SCANNER_UA.test(r.userAgent)) return true;
  return !!r.sentAt && r.now.getTime() - r.sentAt.getTime() < SCANNER_WINDOW_MS;
}

/** Records a click and returns the URL to redirect to: only a URL signed for this step and present in its approved body. */
export async function recordClick(
  ctx: Ctx,
  token: string,
  req: { method: string; userAgent?: string; now?: Date },
): Promise<string> {
  const t = readToken(ctx.secrets, token);
  if (!t || t.k !== 'c' || !/^https?:\/\//i.test(t.u)) throw new AppError('VALIDATION', 'This link is not valid.');
  const step = await one(ctx.db, trackedStep(t.s));
  if (!step || !extractUrls(step.body).includes(t.u)) throw new AppError('VALIDATION', 'This link is not valid.');
  const now = req.now ?? new Date();
  const isBot = isScannerClick({ method: req.method, userAgent: req.userAgent, sentAt: step.sent_at, now });
  await run(
    ctx.db,
    insertEvent({
      workspaceId: step.workspace_id,
      type: 'click',
      sequenceId: step.sequence_id,
      stepId: step.step_id,
      contactId: step.contact_id,
      accountId: step.account_id,
      signalId: step.signal_id,
      isBot,
      data: { url: t.u, method: req.method, userAgent: req.userAgent?.slice(0, 300) ?? null },
      at: now,
    }),
  );
  return t.u;
}

/** Opens are off by default; when on, they are low-confidence (image proxies, privacy features). */
export async function recordOpen(ctx: Ctx, token: string, req: { userAgent?: string; now?: Date }): Promise<void> {
  const t = readToken(ctx.secrets, token);
  if (!t || t.k !== 'o') return;
  const step = await one(ctx.db, trackedStep(t.s));
  if (!step) return;
  const now = req.now ?? new Date();
  await run(
    ctx.db,
    insertEvent({
      workspaceId: step.workspace_id,
      type: 'open',
      sequenceId: step.sequence_id,
      stepId: step.step_id,
      contactId: step.contact_id,
      isBot: isScannerClick({ method: 'GET', userAgent: req.userAgent, sentAt: step.sent_at, now }),
      data: { lowConfidence: true },
      at: now,
    }),
  );
}

/** The contact an unsubscribe token names, for the confirmation page. */
export async function unsubscribeTarget(
  ctx: Ctx,
  token: string,
): Promise<{ contactId: number; email: string; done: boolean }> {
  const t = readToken(ctx.secrets, token);
  if (!t || t.k !== 'u') throw new AppError('VALIDATION', 'This unsubscribe link is not valid.');
  const c = await one(ctx.db, contactForUnsubscribe(t.c));
  if (!c) throw new AppError('NOT_FOUND', 'This unsubscribe link is no longer valid.');
  return { contactId: c.id, email: c.email, done: c.status === 'unsubscribed' };
}

/** One-click unsubscribe (RFC 8058): no login, the signed token is the authority. Idempotent. */
export async function unsubscribeByToken(
  ctx: Ctx,
  token: string,
  source: 'one-click' | 'page',
  now = new Date(),
): Promise<void> {
  const t = readToken(ctx.secrets, token);
  if (!t || t.k !== 'u') throw new AppError('VALIDATION', 'This unsubscribe link is not valid.');
  await ctx.db.transaction(async (tx) => {
    const c = await one(tx, contactForUnsubscribe(t.c));
    if (!c) throw new AppError('NOT_FOUND', 'This unsubscribe link is no longer valid.');
    if (c.status === 'unsubscribed') return;
    const step = t.s ? await one(tx, trackedStep(t.s)) : undefined;
    await applyUnsubscribe(tx, {
      workspaceId: c.workspace_id,
      contactId: c.id,
      email: c.email,
      source,
      now,
      sequenceId: step?.sequence_id ?? null,
      stepId: step?.step_id ?? null,
    });
  });
  ctx.log.info({ contactId: t.c, source }, 'tracking.unsubscribed');
}

// --- signed webhooks ---------------------------------------------------------------------------

/** The signing secret for a mailbox's inbound-mail webhook, derived from APP_SECRET (show it in settings). */
export const inboundWebhookSecret = (secrets: Pick<SecretBox, 'sign'>, mailboxId: number) =>
  secrets.sign(`inbound-webhook.${mailboxId}`);
/** The signing secret for a workspace's booking webhook at one provider. */
export const bookingWebhookSecret = (
  secrets: Pick<SecretBox, 'sign'>,
  workspaceId: number,
  provider: 'calcom' | 'calendly',
) => secrets.sign(`booking-webhook.${workspaceId}.${provider}`);

const hmacHex = (secret: string, data: Buffer | string) => createHmac('sha256', secret).update(data).digest('hex');
function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const WEBHOOK_TOLERANCE_S = 300;

/** `X-Prospector-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, within five minutes. */
export function verifyTimestamped(secret: string, header: string | undefined, body: Buffer, now = new Date()): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=') as [string, string]));
  const t = Number(parts.t);
  if (!parts.v1 || !Number.isFinite(t) || Math.abs(now.getTime() / 1000 - t) > WEBHOOK_TOLERANCE_S) return false;
  return sameHex(hmacHex(secret, Buffer.concat([Buffer.from(`${t}.`), body])), parts.v1);
}

export function signTimestamped(secret: string, body: Buffer | string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmacHex(secret, Buffer.concat([Buffer.from(`${t}.`), Buffer.from(body)]))}`;
}

/** Cal.com signs the raw body (X-Cal-Signature-256); Calendly uses the t=…,v1=… form. */
export function verifyBooking(
  provider: 'calcom' | 'calendly',
  secret: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
  now = new Date(),
): boolean {
  if (provider === 'calcom')
    return !!headers['x-cal-signature-256'] && sameHex(hmacHex(secret, body), headers['x-cal-signature-256']!);
  return verifyTimestamped(secret, headers['calendly-webhook-signature'], body, now);
}

/** What we read of a Cal.com or Calendly webhook body (anything may be missing). */
interface BookingPayload {
  triggerEvent?: string;
  event?: string;
  payload?: { attendees?: { email?: string }[]; email?: unknown; invitee?: { email?: unknown } };
}

/** Invitee emails of a new booking, or [] for other events (cancellations, reschedules). */
export function bookingInvitees(provider: 'calcom' | 'calendly', payload: unknown): string[] {
  const p = payload as BookingPayload | null;
  if (provider === 'calcom') {
    if (p?.triggerEvent !== 'BOOKING_CREATED') return [];
    return (p.payload?.attendees ?? []).map((a) => a.email ?? '').filter(Boolean);
  }
  if (p?.event !== 'invitee.created') return [];
  return [p.payload?.email ?? p.payload?.invitee?.email].filter((e): e is string => typeof e === 'string' && !!e);
}

/** A delivery seen before is acknowledged and ignored. */
export async function firstDelivery(ctx: Ctx, source: string, deliveryId: string): Promise<boolean> {
  return !!(await one(ctx.db, markWebhookDelivery(source, deliveryId)));
}

export async function recordBooking(
  ctx: Ctx,
  workspaceId: number,
  provider: string,
  emails: string[],
  now = new Date(),
): Promise<number> {
  let matched = 0;
  for (const email of emails) {
    await ctx.db.transaction(async (tx) => {
      const c = await one(tx, contactByEmail(workspaceId, email));
      if (!c) return;
      await applyMeetingBooked(tx, {
        workspaceId,
        contactId: c.contact_id,
        sequenceId: null,
        source: provider,
        data: { invitee: email },
        now,
      });
      matched++;
    });
  }
  ctx.log.info({ workspaceId, provider, invitees: emails.length, matched }, 'tracking.meeting_booked');
  return matched;
}
