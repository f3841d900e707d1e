// The whole loop on a connected Google / Microsoft mailbox with the real token store: approve →
// send over SMTP with XOAUTH2 → a reply read over IMAP with XOAUTH2 (Dovecot's OAuth2 passdb
// introspecting the token at the fake authorization server) stops the sequence; a revoked consent
// holds the step and pauses the mailbox, reconnecting resumes it, nothing goes out twice.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { syncMailbox } from '../../sequencing/inbox/imap.js';
import { reconcileStuck } from '../../sequencing/reconcile.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';
import { startFakeOAuth, type FakeOAuth } from '../support/fake-oauth.js';
import { connectFakeMailbox } from '../support/oauth-mailbox.js';
import { bothProvidersEnv, connectedSequence } from '../support/oauth-sequence.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { stepRows } from './builders.js';
import { replyTo } from './mail-builders.js';

const NOW = new Date('2026-03-10T14:00:00Z');

describeEachBackend('OAuth mailboxes, the whole loop (XOAUTH2 SMTP + IMAP, real token store)', (get, backend) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let fake: FakeOAuth;
  let smtp: TestSmtp;
  let dovecot: TestDovecot;
  let transports: TransportPool;
  const lines: string[] = [];
  beforeAll(async () => {
    fake = await startFakeOAuth({ provider: 'google', accessTtlSeconds: 3600 });
    const introspectionUrl = `${fake.issuer}/introspect`;
    smtp = await startSmtp({ oauth: { introspectionUrl } });
    dovecot = await startDovecot({ oauth2: { introspectionUrl } });
    // Both providers' sign-in, SMTP and IMAP pointed at the loopback servers.
    const hosts = {
      SMTP: `127.0.0.1:${smtp.port}`,
      IMAP: `127.0.0.1:${dovecot.port}`,
    };
    ctx = await createTestContext(get(), {
      ...bothProvidersEnv(fake),
      GOOGLE_SMTP: hosts.SMTP,
      GOOGLE_IMAP: hosts.IMAP,
      MICROSOFT_SMTP: hosts.SMTP,
      MICROSOFT_IMAP: hosts.IMAP,
    });
    ctx.log = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports?.close();
    await dovecot?.stop();
    await smtp?.close();
    await ctx?.stop();
    await fake?.close();
  });

  const connected = (provider: 'google' | 'microsoft') =>
    connectedSequence(ctx, fake, { provider, tag: backend, now: NOW });

  for (const provider of ['google', 'microsoft'] as const) {
    it(`${provider}: approve → send with XOAUTH2 → a reply read with XOAUTH2 stops the sequence`, async () => {
      const s = await connected(provider);
      const r = await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW });
      expect(r.status).toBe('sent');
      const got = smtp.received.filter((x) => x.envelope.to.includes(s.contact));
      expect(got).toHaveLength(1);
      expect(got[0]!.envelope.from).toBe(s.user.email);
      expect(smtp.logins.filter((l) => l.user === s.user.email)).toEqual([{ user: s.user.email, ok: true }]);
      const messageId = (r as { messageId: string }).messageId;

      await dovecot.append(
        s.user.email,
        replyTo({ from: s.contact, to: s.user.email, inReplyTo: messageId, body: 'Sure, send me some times.' }),
      );
      const introspected = fake.counts.introspect;
      const synced = await syncMailbox(ctx, s.mailboxId, { now: () => NOW });
      expect(synced.stored).toBe(1);
      expect(fake.counts.introspect).toBeGreaterThan(introspected); // Dovecot asked the fake about the token
      expect((await stepRows(ctx.db, s.sequenceId)).map((x) => x.status)).toEqual(['sent', 'cancelled', 'cancelled']);
      const seq = await one<{ status: string; stop_reason: string }>(ctx.db, {
        text: 'SELECT status, stop_reason FROM sequences WHERE id = $1',
        values: [s.sequenceId],
      });
      expect(seq).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
    });
  }

  it('an expired token is refreshed at the token endpoint between claim and send: sent once', async () => {
    const s = await connected('google');
    fake.expire(s.accessToken); // the store still thinks it has an hour left
    const refreshes = fake.counts.refresh;
    expect((await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW })).status).toBe('sent');
    expect(fake.counts.refresh).toBe(refreshes + 1);
    expect(smtp.received.filter((x) => x.envelope.to.includes(s.contact))).toHaveLength(1);
    expect(smtp.envelopes.get(s.contact)).toBe(1);
  });

  it('revoked consent: the step is held and the mailbox paused; reconnecting resumes it, sent once', async () => {
    const s = await connected('microsoft');
    fake.revokeUser(s.user.sub);
    const held = await sendStep(ctx, s.stepIds[0]!, { transports, now: () => NOW });
    expect(held.status).toBe('held');
    expect((await stepRows(ctx.db, s.sequenceId))[0]).toMatchObject({ status: 'scheduled', attempts: 0 });
    const m = await one<{ paused_at: Date | null; pause_reason: string }>(ctx.db, {
      text: 'SELECT paused_at, pause_reason FROM mailboxes WHERE id = $1',
      values: [s.mailboxId],
    });
    expect(m!.paused_at).not.toBeNull();
    expect(m!.pause_reason).toMatch(/^Microsoft refused the saved sign-in/);
    // Reading is refused the same way, and nothing is lost meanwhile.
    await expect(syncMailbox(ctx, s.mailboxId, { now: () => NOW })).rejects.toThrow(/refused the saved sign-in/);
    expect((await reconcileStuck(ctx, { now: new Date(NOW.getTime() + 3_600_000) })).unknown).toBe(0);

    await connectFakeMailbox(ctx, fake, {
      workspaceId: s.ws.id,
      userId: s.ws.users.rep.id,
      user: s.user,
      provider: 'microsoft',
    });
    const [waiting] = await stepRows(ctx.db, s.sequenceId);
    const later = new Date(Math.max(NOW.getTime(), waiting!.scheduled_at!.getTime()) + 600_000); // past the gap the held claim reserved
    expect((await sendStep(ctx, s.stepIds[0]!, { transports, now: () => later })).status).toBe('sent');
    expect(smtp.received.filter((x) => x.envelope.to.includes(s.contact))).toHaveLength(1);
    expect(smtp.envelopes.get(s.contact)).toBe(1);
    expect((await stepRows(ctx.db, s.sequenceId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('no access or refresh token appears in the logs', () => {
    const all = lines.join('\n');
    expect(all).toContain('sequence.step.sent');
    const tokens = [...fake.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(4);
    for (const t of tokens) expect(all).not.toContain(t);
  });
});
