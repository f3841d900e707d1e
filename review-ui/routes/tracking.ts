// Public endpoints reached from sent mail and from providers, with no session: click
// redirects, the open pixel, one-click unsubscribe (RFC 8058) and its confirmation page, the
// signed inbound-mail webhook and the signed Cal.com/Calendly booking webhooks. Mounted before
// the session and body parsers: tokens and signatures are the only authority here.
import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { findMailbox } from '../../db/queries/sending.js';
import { AppError } from '../../errors.js';
import { mailboxInboundSecret } from '../../sequencing/inbound-secret.js';
import { processInbound } from '../../sequencing/inbox/process.js';
import {
  bookingInvitees,
  bookingWebhookSecret,
  firstDelivery,
  recordBooking,
  recordClick,
  recordOpen,
  unsubscribeByToken,
  unsubscribeTarget,
  verifyBooking,
  verifyTimestamped,
} from '../../sequencing/tracking.js';
import { unsubscribeConfirmPage, unsubscribedPage } from '../views/tracking.js';
import { isFreshTimestamped, isHexSignature, signedBody } from '../webhook-guard.js';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const MAX_MIME_BYTES = 25 * 1024 * 1024;

function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 2)}${'•'.repeat(Math.max(1, local.length - 2))}@${domain}`;
}

const headerMap = (req: Request) =>
  Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));

export function trackingRoutes(ctx: AppContext): Router {
  const r = Router();

  const click = async (req: Request, res: express.Response) => {
    const url = await recordClick(ctx, String(req.params.token), {
      method: req.method,
      userAgent: req.get('user-agent'),
    });
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').redirect(302, url);
  };
  r.get('/t/c/:token', click);
  r.head('/t/c/:token', click);

  r.get('/t/o/:token', async (req, res) => {
    await recordOpen(ctx, String(req.params.token), { userAgent: req.get('user-agent') }).catch(() => undefined);
    res.set('Cache-Control', 'no-store').type('gif').send(PIXEL);
  });

  // GET only shows a confirmation: link scanners fetch GETs, and must not unsubscribe anyone.
  r.get('/u/:token', async (req, res) => {
    const t = await unsubscribeTarget(ctx, String(req.params.token));
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(
        t.done
          ? unsubscribedPage(maskEmail(t.email))
          : unsubscribeConfirmPage(maskEmail(t.email), String(req.params.token)),
      );
  });

  // One-click (List-Unsubscribe-Post) and the page's button: no cookie, no login, the token decides.
  r.post('/u/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const oneClick = (req.body as Record<string, string> | undefined)?.['List-Unsubscribe'] === 'One-Click';
    await unsubscribeByToken(ctx, String(req.params.token), oneClick ? 'one-click' : 'page');
    res.set('Cache-Control', 'no-store').type('html').send(unsubscribedPage());
  });

  // A provider's inbound-mail webhook: raw MIME, signed with the mailbox's inbound secret (derived
  // from APP_SECRET until an admin rotates it, then stored sealed on the mailbox). Only a fresh,
  // well-formed signature header gets as far as the mailbox lookup; an unknown mailbox and a wrong
  // signature get the same answer.
  const inboundMailbox = (req: Request) => Number(req.query.mailbox ?? req.get('x-prospector-mailbox'));
  const inboundPrecheck = (req: Request) =>
    !Number.isSafeInteger(inboundMailbox(req)) || inboundMailbox(req) <= 0
      ? 'Name the mailbox (?mailbox= or X-Prospector-Mailbox).'
      : !isFreshTimestamped(req.get('x-prospector-signature'))
        ? 'Missing or invalid signature.'
        : undefined;
  r.post('/api/inbound', signedBody(MAX_MIME_BYTES, inboundPrecheck), async (req, res) => {
    const mailboxId = inboundMailbox(req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const mailbox = await one(ctx.db, findMailbox(mailboxId));
    if (
      !mailbox ||
      !verifyTimestamped(mailboxInboundSecret(ctx.secrets, mailbox), req.get('x-prospector-signature'), body)
    )
      throw new AppError('UNAUTHENTICATED', 'Missing or invalid signature.');
    if (!body.length) throw new AppError('VALIDATION', 'The body must be a raw MIME message.');
    const delivery = req.get('x-prospector-delivery') ?? createHash('sha256').update(body).digest('hex');
    if (!(await firstDelivery(ctx, `inbound:${mailbox.id}`, delivery))) {
      res.status(200).json({ status: 'duplicate' });
      return;
    }
    const out = await processInbound(ctx, { workspaceId: mailbox.workspace_id, mailboxId: mailbox.id, raw: body });
    res
      .status(202)
      .json({ status: out.status, kind: out.kind, messageId: out.messageRowId, sequenceId: out.sequenceId });
  });

  const bookingPrecheck = (req: Request) => {
    const p = req.params.provider;
    if (p === 'calcom')
      return isHexSignature(req.get('x-cal-signature-256')) ? undefined : 'Missing or invalid signature.';
    if (p === 'calendly')
      return isFreshTimestamped(req.get('calendly-webhook-signature')) ? undefined : 'Missing or invalid signature.';
    return 'Unknown booking provider.';
  };
  r.post('/api/webhooks/booking/:provider/:workspaceId', signedBody(1024 * 1024, bookingPrecheck), async (req, res) => {
    const provider =
      req.params.provider === 'calcom' || req.params.provider === 'calendly' ? req.params.provider : undefined;
    const workspaceId = Number(req.params.workspaceId);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (
      !provider ||
      !Number.isInteger(workspaceId) ||
      !verifyBooking(provider, bookingWebhookSecret(ctx.secrets, workspaceId, provider), headerMap(req), body)
    ) {
      throw new AppError('UNAUTHENTICATED', 'Missing or invalid signature.');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new AppError('VALIDATION', 'The body must be JSON.', { cause });
    }
    const delivery = createHash('sha256').update(body).digest('hex');
    if (!(await firstDelivery(ctx, `booking:${provider}:${workspaceId}`, delivery))) {
      res.json({ status: 'duplicate' });
      return;
    }
    const matched = await recordBooking(ctx, workspaceId, provider, bookingInvitees(provider, payload));
    res.json({ status: 'ok', matched });
  });

  return r;
}
