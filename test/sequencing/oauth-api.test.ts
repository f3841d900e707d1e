// Google / Microsoft mailboxes whose tenant has SMTP AUTH off send through the Gmail API and
// Microsoft Graph (oauth_transport = 'api'): the real sender and token store against fake APIs and
// the fake authorization server on loopback.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { syncMailbox } from '../../sequencing/inbox/imap.js';
import { reconcileStuck, STUCK_AFTER_MS } from '../../sequencing/reconcile.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeMailApis, type FakeMailApis } from '../support/fake-mail-apis.js';
import { startFakeOAuth, type FakeOAuth } from '../support/fake-oauth.js';
import { bothProvidersEnv, connectedSequence } from '../support/oauth-sequence.js';
import { stepRows } from './builders.js';
import { replyTo } from './mail-builders.js';

const NOW = new Date('2026-03-10T14:00:00Z');

describeEachBackend('OAuth mailboxes through the Gmail API and Microsoft Graph', (get, backend) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let fake: FakeOAuth;
  let apis: FakeMailApis;
  let transports: TransportPool;
  const lines: string[] = [];
  beforeAll(async () => {
    fake = await startFakeOAuth({ provider: 'google', accessTtlSeconds: 3600 });
    apis = await startFakeMailApis((t) => fake.validate(t));
    ctx = await createTestContext(get(), {
      ...bothProvidersEnv(fake),
      GOOGLE_API_URL: apis.url,
      MICROSOFT_GRAPH_URL: apis.url,
    });
    ctx.log = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports?.close();
    await apis?.close();
    await ctx?.stop();
    await fake?.close();
  });

  const connected = (provider: 'google' | 'microsoft') =>
    connectedSequence(ctx, fake, { provider, tag: backend, now: NOW, transport: 'api', noGap: true });
  const sentTo = (addr: string) => apis.sent.filter((m) => m.parsed.to && JSON.stringify(m.parsed.to).includes(addr));

  for (const provider of ['google', 'microsoft'] as const) {
    it(`${provider}: the opener and a threaded follow-up go through the API with our headers`, async () => {
      const s = await connected(provider);
      const r1 = await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW });
      expect(r1.status).toBe('sent');
      const rows = await stepRows(ctx.db, s.sequenceId);
      const r2 = await sendStep(ctx, s.stepIds[1]!, { transports, now: () => rows[1]!.scheduled_at! });
      expect(r2.status).toBe('sent');
      const [m1, m2] = sentTo(s.contact);
      expect(m1!.provider).toBe(provider);
      expect(m1!.user).toBe(s.user.email);
      expect(m1!.parsed.messageId).toBe((r1 as { messageId: string }).messageId);
      expect(m1!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      expect(m1!.raw).toMatch(/^List-Unsubscribe: <http[^>]+>, <mailto:[^>]+>\r$/m);
      expect(m2!.parsed.inReplyTo).toBe(m1!.parsed.messageId);
      expect(m2!.parsed.references).toBe(m1!.parsed.messageId);
      expect(m2!.threadId).toBe(m1!.threadId); // the provider's thread / conversation
      const step = await one<{ smtp_response: string }>(ctx.db, {
        text: 'SELECT smtp_response FROM sequence_steps WHERE id = $1',
        values: [s.stepIds[0]],
      });
      expect(step!.smtp_response).toBe(
        provider === 'google' ? `200 gmail id=${m1!.id} thread=${m1!.threadId}` : '202 graph accepted',
      );
    });
  }

  it('a 401 is retried once with a refreshed token and a 429 after a wait: the step goes out once', async () => {
    const s = await connected('microsoft');
    fake.expire(s.accessToken);
    apis.failNext.push(429);
    const sends = apis.counts.send;
    expect((await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW })).status).toBe('sent');
    expect(sentTo(s.contact)).toHaveLength(1);
    expect(apis.counts.send - sends).toBe(2); // the 429, then the send; the 401 was answered before the body counted
    expect((await stepRows(ctx.db, s.sequenceId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a 401 whose refresh is refused (consent revoked) holds the step and pauses the mailbox', async () => {
    const s = await connected('google');
    fake.revokeUser(s.user.sub); // access tokens dead, and the refresh is refused too
    const r = await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW });
    expect(r.status).toBe('held');
    expect((await stepRows(ctx.db, s.sequenceId))[0]).toMatchObject({ status: 'scheduled', attempts: 0 });
    const m = await one<{ pause_reason: string }>(ctx.db, {
      text: 'SELECT pause_reason FROM mailboxes WHERE id = $1',
      values: [s.mailboxId],
    });
    expect(m!.pause_reason).toMatch(/^Google refused the saved sign-in/);
    expect(sentTo(s.contact)).toHaveLength(0);
  });

  for (const provider of ['google', 'microsoft'] as const) {
    it(`${provider}: a send whose answer was lost is reconciled by Message-ID through the API, never resent`, async () => {
      const s = await connected(provider);
      apis.dropNextAfterBody = true;
      const r = await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW });
      expect(r.status).toBe('unknown');
      expect(sentTo(s.contact)).toHaveLength(1);
      // A step left in `sending` by a crash after the hand-over, in another sequence of the same mailbox.
      const other = await connected(provider);
      await ctx.db.query(
        `UPDATE sequence_steps SET status = 'sending', claimed_at = $2, handed_at = $2, mailbox_id = $3,
                message_id = '<never-sent-${backend}-${provider}@sender.test>' WHERE id = $1`,
        [other.stepIds[0], NOW, s.mailboxId],
      );
      const searches = apis.counts.search;
      const out = await reconcileStuck(ctx, { now: new Date(NOW.getTime() + STUCK_AFTER_MS + 60_000) });
      expect(apis.counts.search - searches).toBeGreaterThanOrEqual(2);
      expect(out.sent).toBeGreaterThanOrEqual(1);
      expect((await stepRows(ctx.db, s.sequenceId))[0]!.status).toBe('sent');
      expect((await stepRows(ctx.db, other.sequenceId))[0]!.status).toBe('unknown');
      expect(sentTo(s.contact)).toHaveLength(1);
    });
  }

  for (const provider of ['google', 'microsoft'] as const) {
    it(`${provider}: a reply read through the API stops the sequence; the next read finds nothing new`, async () => {
      const s = await connected(provider);
      const r = await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW });
      expect(r.status).toBe('sent');
      expect((await syncMailbox(ctx, s.mailboxId, { now: () => NOW })).fetched).toBe(0);
      apis.deliver(
        s.user.email,
        replyTo({
          from: s.contact,
          to: s.user.email,
          inReplyTo: (r as { messageId: string }).messageId,
          body: 'Sure, send me some times.',
        }),
      );
      const synced = await syncMailbox(ctx, s.mailboxId, { now: () => NOW });
      expect(synced).toMatchObject({ fetched: 1, stored: 1 });
      expect((await stepRows(ctx.db, s.sequenceId)).map((x) => x.status)).toEqual(['sent', 'cancelled', 'cancelled']);
      const seq = await one<{ status: string; stop_reason: string }>(ctx.db, {
        text: 'SELECT status, stop_reason FROM sequences WHERE id = $1',
        values: [s.sequenceId],
      });
      expect(seq).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
      expect((await syncMailbox(ctx, s.mailboxId, { now: () => NOW })).fetched).toBe(0);
    });
  }

  it('no token appears in the logs', () => {
    const all = lines.join('\n');
    expect(all).toContain('sequence.step.sent');
    const tokens = [...fake.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(4);
    for (const t of tokens) expect(all).not.toContain(t);
  });
});
