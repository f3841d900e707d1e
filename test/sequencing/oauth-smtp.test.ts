// Google and Microsoft mailboxes sending over SMTP with XOAUTH2: the real sender and transport
// against smtp-server that takes only XOAUTH2 tokens active at a loopback introspection endpoint.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import type { AccessTokenSource } from '../../mailboxes/oauth-types.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTokenIssuer, testTokenSource, type TestTokenSource, type TokenIssuer } from '../support/token-issuer.js';
import { ALWAYS, buildSequence, stepRows } from './builders.js';

const NOW = new Date('2026-03-09T15:00:00Z');
const fixed = (d: Date) => () => d;

describeEachBackend('OAuth mailboxes over SMTP with XOAUTH2', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let issuer: TokenIssuer;
  let smtp: TestSmtp;
  let transports: TransportPool;
  const sources = new Map<number, AccessTokenSource>();
  const lines: string[] = [];
  beforeAll(async () => {
    ctx = await createTestContext(get());
    // Everything the sender logs, unredacted, to look for tokens in.
    ctx.log = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    ws = await buildWorkspace(get().db);
    issuer = await startTokenIssuer();
    smtp = await startSmtp({ oauth: { introspectionUrl: issuer.introspectionUrl } });
    transports = new TransportPool({ ...transportDeps(ctx), tokens: (m) => sources.get(m.id)! });
  });
  afterAll(async () => {
    await transports.close();
    await smtp.close();
    await issuer.close();
    await ctx.stop();
  });

  const oauthSequence = async (provider: 'google' | 'microsoft', tokenUser?: string) => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
    });
    await ctx.db.query(`UPDATE mailboxes SET kind = $2 WHERE id = $1`, [b.mailboxId, provider]);
    await ctx.db.query(
      `INSERT INTO mailbox_oauth (mailbox_id, provider, subject, scope) VALUES ($1, $2, $3, 'https://mail.google.com/')`,
      [b.mailboxId, provider, `sub-${b.mailboxId}`],
    );
    const email = (await one<{ from_email: string }>(ctx.db, {
      text: 'SELECT from_email FROM mailboxes WHERE id = $1',
      values: [b.mailboxId],
    }))!.from_email;
    const source = testTokenSource(issuer, email, provider, { tokenUser });
    sources.set(b.mailboxId!, source);
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW, random: () => 0 });
    return { ...b, email, source };
  };
  const mailbox = (id: number) =>
    one<{ paused_at: Date | null; pause_reason: string | null; consent_error: string | null }>(ctx.db, {
      text: `SELECT m.paused_at, m.pause_reason, o.consent_error FROM mailboxes m
               LEFT JOIN mailbox_oauth o ON o.mailbox_id = m.id WHERE m.id = $1`,
      values: [id],
    });
  const to = (b: { contactId: number }) =>
    one<{ email: string }>(ctx.db, { text: 'SELECT email FROM contacts WHERE id = $1', values: [b.contactId] }).then(
      (r) => r!.email,
    );
  const receivedFor = (addr: string) => smtp.received.filter((r) => r.envelope.to.includes(addr));

  for (const provider of ['google', 'microsoft'] as const) {
    it(`${provider}: sends the opener and a threaded follow-up logged in with XOAUTH2`, async () => {
      const b = await oauthSequence(provider);
      const rcpt = await to(b);
      expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
      expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: fixed(NOW) })).status).toBe('sent');
      const [m1, m2] = receivedFor(rcpt);
      expect(m1!.parsed.messageId).toMatch(/^<prospector\.\d+\.[a-z0-9]+@sender\.test>$/);
      expect(m2!.parsed.inReplyTo).toBe(m1!.parsed.messageId);
      expect(m1!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      expect(smtp.logins.filter((l) => l.user === b.email)).toEqual([{ user: b.email, ok: true }]);
      expect(b.source.refreshes).toBe(1);
      expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual(['sent', 'sent', 'scheduled']);
    });
  }

  it('a token that expired between claim and send is refreshed once: the step goes out once', async () => {
    const b = await oauthSequence('google');
    const rcpt = await to(b);
    const first = await b.source.get();
    issuer.expire(first); // the cached token still looks valid here; the provider no longer takes it
    const r = await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) });
    expect(r.status).toBe('sent');
    expect(receivedFor(rcpt)).toHaveLength(1);
    expect(smtp.envelopes.get(rcpt)).toBe(1);
    expect(smtp.logins.filter((l) => l.user === b.email)).toEqual([
      { user: b.email, ok: false },
      { user: b.email, ok: true },
    ]);
    expect(b.source.refreshes).toBe(2);
    const [row] = await stepRows(ctx.db, b.sequenceId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('invalid_grant at send time holds the step and pauses the mailbox; reconnecting resumes it, sent once', async () => {
    const b = await oauthSequence('microsoft');
    const rcpt = await to(b);
    b.source.revoke();
    const held = await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) });
    expect(held).toMatchObject({ status: 'held' });
    const [row] = await stepRows(ctx.db, b.sequenceId);
    expect(row).toMatchObject({ status: 'scheduled', attempts: 0 });
    const m = (await mailbox(b.mailboxId!))!;
    expect(m.paused_at).not.toBeNull();
    expect(m.pause_reason).toBe('Microsoft refused the saved sign-in: reconnect this mailbox');
    expect(m.consent_error).toBe(m.pause_reason);
    // While paused the step waits; it never fails.
    const later = new Date(NOW.getTime() + 60_000);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(later) })).status).toBe('deferred');
    expect(receivedFor(rcpt)).toHaveLength(0);

    // Reconnect: a new sign-in, the pause and the consent error cleared.
    b.source.reconnect();
    await ctx.db.query(`UPDATE mailboxes SET paused_at = NULL, pause_reason = NULL WHERE id = $1`, [b.mailboxId]);
    await ctx.db.query(`UPDATE mailbox_oauth SET consent_error = NULL WHERE mailbox_id = $1`, [b.mailboxId]);
    const [waiting] = await stepRows(ctx.db, b.sequenceId);
    const sent = await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(waiting!.scheduled_at!) });
    expect(sent.status).toBe('sent');
    expect(receivedFor(rcpt)).toHaveLength(1);
    expect(smtp.envelopes.get(rcpt)).toBe(1);
    expect((await stepRows(ctx.db, b.sequenceId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a token refused again after a refresh (SMTP AUTH off for the user) holds the step with the reason', async () => {
    const b = await oauthSequence('google', 'someone-else@sender.test');
    const rcpt = await to(b);
    const r = await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) });
    expect(r.status).toBe('held');
    expect(b.source.refreshes).toBe(2);
    expect(smtp.envelopes.get(rcpt)).toBeUndefined();
    const m = (await mailbox(b.mailboxId!))!;
    expect(m.pause_reason).toMatch(/^Google refused the saved sign-in for SMTP \(535 .*\): reconnect this mailbox/);
    expect((await stepRows(ctx.db, b.sequenceId))[0]).toMatchObject({ status: 'scheduled', attempts: 0 });
  });

  it('no access token appears in the logs', () => {
    const all = lines.join('\n');
    expect(all).toContain('sequence.step.sent');
    const tokens = [...sources.values()].flatMap((s) => (s as TestTokenSource).issued);
    expect(tokens.length).toBeGreaterThan(4);
    for (const t of tokens) expect(all).not.toContain(t);
  });
});
