import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { makeToken } from '../../sequencing/tokens.js';
import { bookingWebhookSecret, inboundWebhookSecret, signTimestamped } from '../../sequencing/tracking.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { listen } from '../support/web.js';
import { ALWAYS, buildSequence, sendOpener, statusOf, stepRows } from './builders.js';
import { replyTo } from './mail-builders.js';

const NOW = new Date('2026-03-10T14:00:00Z');
const URL_IN_BODY = 'https://example.com/case-study?x=1';
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';

describeEachBackend('tracking and webhooks', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let web: { base: string; close(): Promise<void> };
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    web = await listen(ctx);
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports.close();
    await web.close();
    await ctx.stop();
  });

  const sent = async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      fallback: null,
    });
    const opener = await sendOpener(ctx, transports, b, ws.users.rep.id, NOW);
    const mailbox = (await one<{ from_email: string }>(ctx.db, {
      text: 'SELECT from_email FROM mailboxes WHERE id = $1',
      values: [b.mailboxId],
    }))!.from_email;
    return { ...opener, mailbox };
  };
  const events = (sequenceId: number, type: string) =>
    ctx.db
      .query<{ is_bot: boolean; data: { url?: string } }>(
        `SELECT * FROM events WHERE sequence_id = $1 AND type = $2 ORDER BY id`,
        [sequenceId, type],
      )
      .then((r) => r.rows);

  it('redirects a signed click to the approved URL; a HEAD is recorded as a scanner', async () => {
    const s = await sent();
    const token = makeToken(ctx.secrets, { k: 'c', s: s.stepIds[0]!, u: URL_IN_BODY });
    const res = await fetch(`${web.base}/t/c/${token}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(URL_IN_BODY);
    await fetch(`${web.base}/t/c/${token}`, { method: 'HEAD', redirect: 'manual', headers: { 'user-agent': BROWSER } });
    const clicks = await events(s.sequenceId, 'click');
    expect(clicks.map((c) => c.is_bot)).toEqual([false, true]);
    expect(clicks[0]!.data.url).toBe(URL_IN_BODY);
  });

  it('answers 400 to a tampered token and to a signed URL that is not in the approved body (no open redirect)', async () => {
    const s = await sent();
    const token = makeToken(ctx.secrets, { k: 'c', s: s.stepIds[0]!, u: URL_IN_BODY });
    const [body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ k: 'c', s: s.stepIds[0], u: 'https://evil.test/' })).toString(
      'base64url',
    );
    for (const bad of [`${forged}.${sig}`, `${body}.${sig!.slice(0, -2)}xx`, 'nonsense']) {
      const res = await fetch(`${web.base}/t/c/${bad}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const notInBody = makeToken(ctx.secrets, { k: 'c', s: s.stepIds[0]!, u: 'https://evil.test/' });
    expect((await fetch(`${web.base}/t/c/${notInBody}`, { redirect: 'manual' })).status).toBe(400);
    expect(await events(s.sequenceId, 'click')).toHaveLength(0);
  });

  it('one-click unsubscribe: a POST with no cookie suppresses the address and stops the sequence; GET only asks', async () => {
    const s = await sent();
    const token = makeToken(ctx.secrets, { k: 'u', c: s.contactId, s: s.stepIds[0]! });
    const page = await fetch(`${web.base}/u/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect(await statusOf(ctx.db, 'contacts', s.contactId)).toBe('active');

    const res = await fetch(`${web.base}/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await statusOf(ctx.db, 'contacts', s.contactId)).toBe('unsubscribed');
    expect(
      await one(ctx.db, {
        text: `SELECT 1 FROM suppressions WHERE workspace_id = $1 AND value = lower($2)`,
        values: [ws.id, s.email],
      }),
    ).toBeTruthy();
    expect((await stepRows(ctx.db, s.sequenceId)).map((x) => x.status)).toEqual(['sent', 'cancelled', 'cancelled']);
    expect((await fetch(`${web.base}/u/${token}x`, { method: 'POST', body: '' })).status).toBe(400);
  });

  it('the inbound webhook takes signed raw MIME once: a reply stops the sequence; bad signatures are refused', async () => {
    const s = await sent();
    const raw = replyTo({ from: s.email, to: s.mailbox, inReplyTo: s.messageId, body: 'Not now, maybe next quarter.' });
    const secret = inboundWebhookSecret(ctx.secrets, s.mailboxId!);
    const post = (sig: string) =>
      fetch(`${web.base}/api/inbound?mailbox=${s.mailboxId}`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', 'x-prospector-signature': sig },
        body: raw,
      });
    expect((await post(signTimestamped('wrong-secret', raw))).status).toBe(401);
    expect((await post(signTimestamped(secret, raw, new Date(Date.now() - 3_600_000)))).status).toBe(401);
    const ok = await post(signTimestamped(secret, raw));
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ status: 'stored', kind: 'reply', sequenceId: s.sequenceId });
    expect(await (await post(signTimestamped(secret, raw))).json()).toMatchObject({ status: 'duplicate' });
    expect(await statusOf(ctx.db, 'sequences', s.sequenceId)).toBe('stopped');
  });

  it('a signed Cal.com booking for the invitee ends the sequence as a success', async () => {
    const s = await sent();
    const body = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      payload: { attendees: [{ email: s.email.toUpperCase() }] },
    });
    const sig = createHmac('sha256', bookingWebhookSecret(ctx.secrets, ws.id, 'calcom'))
      .update(body)
      .digest('hex');
    const url = `${web.base}/api/webhooks/booking/calcom/${ws.id}`;
    expect((await fetch(url, { method: 'POST', headers: { 'x-cal-signature-256': 'bad' }, body })).status).toBe(401);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cal-signature-256': sig },
      body,
    });
    expect(await res.json()).toMatchObject({ status: 'ok', matched: 1 });
    const seq = await one<{ status: string; stop_reason: string }>(ctx.db, {
      text: 'SELECT * FROM sequences WHERE id = $1',
      values: [s.sequenceId],
    });
    expect(seq).toMatchObject({ status: 'completed', stop_reason: 'meeting_booked' });
    expect(await events(s.sequenceId, 'meeting_booked')).toHaveLength(1);
  });
  it('a signed Calendly invitee.created matches by invitee email; other events and stale signatures change nothing', async () => {
    const s = await sent();
    const secret = bookingWebhookSecret(ctx.secrets, ws.id, 'calendly');
    const url = `${web.base}/api/webhooks/booking/calendly/${ws.id}`;
    const post = (body: string, sig: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'calendly-webhook-signature': sig },
        body,
      });
    const canceled = JSON.stringify({ event: 'invitee.canceled', payload: { email: s.email } });
    expect(await (await post(canceled, signTimestamped(secret, canceled))).json()).toMatchObject({ matched: 0 });
    const created = JSON.stringify({ event: 'invitee.created', payload: { email: s.email } });
    expect((await post(created, signTimestamped(secret, created, new Date(Date.now() - 600_000)))).status).toBe(401);
    expect(await (await post(created, signTimestamped(secret, created))).json()).toMatchObject({ matched: 1 });
    expect(await statusOf(ctx.db, 'sequences', s.sequenceId)).toBe('completed');
  });
});
