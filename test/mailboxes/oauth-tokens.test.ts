// The token store against the fake authorization server: refresh before expiry, one refresh for
// many callers at once (row lock), invalid_grant pauses the mailbox with the reason, temporary
// errors pause nothing, reconnecting lifts the pause, and no secret reaches the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, type Database } from '../../db/index.js';
import { openPostgres } from '../../db/postgres.js';
import { saveConnection } from '../../mailboxes/oauth/connection.js';
import { markConsentBroken, oauthTokens, usableToken } from '../../mailboxes/oauth/tokens.js';
import { ConsentError } from '../../mailboxes/oauth-types.js';
import { isAppError } from '../../errors.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { captureLog } from '../support/log-capture.js';
import { startFakeOAuth, type FakeOAuth } from '../support/fake-oauth.js';
import { connectFakeMailbox } from '../support/oauth-mailbox.js';

interface MailboxState {
  paused_at: Date | null;
  pause_reason: string | null;
  consent_error: string | null;
  from_email: string;
}
const state = (db: Database, id: number) =>
  one<MailboxState>(db, {
    text: `SELECT m.paused_at, m.pause_reason, o.consent_error, m.from_email
             FROM mailboxes m JOIN mailbox_oauth o ON o.mailbox_id = m.id WHERE m.id = $1`,
    values: [id],
  }).then((r) => r!);

describe('usableToken', () => {
  const row = (msLeft: number | null) => ({
    mailbox_id: 1,
    provider: 'google' as const,
    subject: 's',
    scope: '',
    refresh_token_enc: 'r',
    access_token_enc: 'a',
    access_expires_at: msLeft === null ? null : new Date(Date.UTC(2026, 0, 1) + msLeft),
    refreshed_at: null,
    consent_error: null,
    consent_error_at: null,
  });
  const now = new Date(Date.UTC(2026, 0, 1));
  it('keeps a token with minutes left, refreshes one about to expire or forced', () => {
    expect(usableToken(row(10 * 60_000), now, false)).toBe('a');
    expect(usableToken(row(30_000), now, false)).toBeUndefined();
    expect(usableToken(row(null), now, false)).toBeUndefined();
    expect(usableToken(row(10 * 60_000), now, true)).toBeUndefined();
  });
});

describeEachBackend('oauth tokens', (get, backend) => {
  let fake: FakeOAuth;
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  const capture = captureLog();
  const logged = capture.lines;
  let n = 0;
  const user = () => {
    n++;
    return { sub: `sub-${backend}-${n}`, email: `rep${n}@acme.test`, name: `Rep ${n}` };
  };

  const seed = (u = user(), expiresInSeconds?: number) =>
    connectFakeMailbox(ctx, fake, { workspaceId: ws.id, userId: ws.users.rep.id, user: u, expiresInSeconds });

  beforeAll(async () => {
    fake = await startFakeOAuth({ provider: 'google', accessTtlSeconds: 3600 });
    ctx = await createTestContext(get(), fake.env);
    ctx.log = capture.log;
    ws = await buildWorkspace(ctx.db);
  });
  afterAll(async () => {
    await ctx?.stop();
    await fake?.close();
  });

  it('uses the saved token while it has time left, and refreshes one about to expire', async () => {
    const seeded = await seed();
    const before = fake.counts.refresh;
    expect(await oauthTokens(ctx, seeded.mailboxId).get()).toBe(seeded.accessToken);
    expect(fake.counts.refresh).toBe(before);

    const stale = await seed(undefined, 20);
    const fresh = await oauthTokens(ctx, stale.mailboxId).get();
    expect(fresh).not.toBe(stale.accessToken);
    expect(fake.validate(fresh)?.email).toMatch(/@acme\.test$/);
    expect(fake.counts.refresh).toBe(before + 1);
    // The refreshed token is saved: the next call does not refresh again.
    expect(await oauthTokens(ctx, stale.mailboxId).get()).toBe(fresh);
    expect(fake.counts.refresh).toBe(before + 1);
  });

  it('forceRefresh (a 401 at the provider) gets a new token even when the saved one looks good', async () => {
    const m = await seed();
    fake.expire(m.accessToken);
    const t = await oauthTokens(ctx, m.mailboxId).get({ forceRefresh: true });
    expect(t).not.toBe(m.accessToken);
    expect(fake.validate(t)).toBeDefined();
  });

  it('many callers at once, from two connection pools, refresh once', async () => {
    const m = await seed(undefined, 5);
    // On PostgreSQL a second pool stands in for a second process; PGlite has one connection.
    const other = get().url ? openPostgres(get().url!, 3) : undefined;
    const ctx2 = other ? { ...ctx, db: other } : ctx;
    fake.refreshDelayMs = 300;
    const before = fake.counts.refresh;
    try {
      const tokens = await Promise.all([
        ...Array.from({ length: 3 }, () => oauthTokens(ctx, m.mailboxId).get()),
        ...Array.from({ length: 3 }, () => oauthTokens(ctx2, m.mailboxId).get()),
      ]);
      expect(fake.counts.refresh - before).toBe(1);
      expect(new Set(tokens).size).toBe(1);
      expect(fake.validate(tokens[0]!)).toBeDefined();
    } finally {
      fake.refreshDelayMs = 0;
      await other?.close();
    }
  });

  it('a temporary provider error (503, 429) pauses nothing and the next call succeeds', async () => {
    const m = await seed(undefined, 5);
    for (const failure of [503, 429] as const) {
      fake.refreshFailure = failure;
      const err = await oauthTokens(ctx, m.mailboxId)
        .get()
        .catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(ConsentError);
      expect(isAppError(err, 'FETCH_FAILED')).toBe(true);
    }
    fake.refreshFailure = null;
    const s = await state(ctx.db, m.mailboxId);
    expect(s.paused_at).toBeNull();
    expect(s.consent_error).toBeNull();
    expect(fake.validate(await oauthTokens(ctx, m.mailboxId).get())).toBeDefined();
  });

  it('invalid_grant pauses the mailbox with the reason in words; reconnecting lifts the pause', async () => {
    const u = user();
    const m = await seed(u, 5);
    fake.revokeUser(u.sub);
    const err = await oauthTokens(ctx, m.mailboxId)
      .get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsentError);
    expect((err as ConsentError).reason).toBe('Google refused the saved sign-in: reconnect this mailbox');
    let s = await state(ctx.db, m.mailboxId);
    expect(s.paused_at).not.toBeNull();
    expect(s.pause_reason).toBe('Google refused the saved sign-in: reconnect this mailbox');
    expect(s.consent_error).toBe(s.pause_reason);

    // Until reconnected, asking again does not call the provider.
    const refreshes = fake.counts.refresh;
    await expect(oauthTokens(ctx, m.mailboxId).get()).rejects.toBeInstanceOf(ConsentError);
    expect(fake.counts.refresh).toBe(refreshes);

    // Reconnecting the same account (same sub) updates this mailbox and un-pauses it.
    const g = fake.grant({ ...u, email: 'renamed@acme.test' });
    const again = await saveConnection(ctx, {
      workspaceId: ws.id,
      userId: ws.users.rep.id,
      provider: 'google',
      transport: 'smtp',
      subject: u.sub,
      email: 'renamed@acme.test',
      name: u.name,
      scope: 'openid email',
      accessToken: g.accessToken,
      refreshToken: g.refreshToken,
      expiresInSeconds: g.expiresIn,
    });
    expect(again).toEqual({ mailboxId: m.mailboxId, created: false });
    s = await state(ctx.db, m.mailboxId);
    expect(s).toMatchObject({
      paused_at: null,
      pause_reason: null,
      consent_error: null,
      from_email: 'renamed@acme.test',
    });
    expect(await oauthTokens(ctx, m.mailboxId).get()).toBe(g.accessToken);
  });

  it('a 401 with a fresh token (markConsentBroken) pauses the mailbox', async () => {
    const m = await seed();
    const err = await markConsentBroken(ctx, m.mailboxId);
    expect(err).toBeInstanceOf(ConsentError);
    const s = await state(ctx.db, m.mailboxId);
    expect(s.pause_reason).toBe("Google refused the mailbox's sign-in (401): reconnect this mailbox");
    await expect(oauthTokens(ctx, m.mailboxId).get()).rejects.toBeInstanceOf(ConsentError);
  });

  it('a pause for another reason is kept when consent breaks', async () => {
    const u = user();
    const m = await seed(u, 5);
    await ctx.db.query(`UPDATE mailboxes SET paused_at = now(), pause_reason = 'bounce rate 9%' WHERE id = $1`, [
      m.mailboxId,
    ]);
    fake.revokeUser(u.sub);
    await expect(oauthTokens(ctx, m.mailboxId).get()).rejects.toBeInstanceOf(ConsentError);
    const s = await state(ctx.db, m.mailboxId);
    expect(s.pause_reason).toBe('bounce rate 9%');
    expect(s.consent_error).toMatch(/refused/);
  });

  it('a rotated refresh token (Microsoft rotates them) is saved and used for the next refresh', async () => {
    const ms = await startFakeOAuth({ provider: 'microsoft', rotateRefreshTokens: true });
    const msCtx = { ...ctx, config: { ...ctx.config, oauth: { ...ctx.config.oauth } } };
    msCtx.config.oauth.microsoft = {
      ...ctx.config.oauth.microsoft,
      ...{ clientId: ms.clientId, clientSecret: ms.clientSecret, issuer: ms.issuer },
    };
    try {
      const m = await connectFakeMailbox(msCtx, ms, {
        workspaceId: ws.id,
        userId: ws.users.rep.id,
        user: user(),
        provider: 'microsoft',
        expiresInSeconds: 5,
      });
      const first = await oauthTokens(msCtx, m.mailboxId).get();
      expect(ms.tokens.get(m.refreshToken)?.revoked).toBe(true); // the old one is spent
      const second = await oauthTokens(msCtx, m.mailboxId).get({ forceRefresh: true });
      expect(second).not.toBe(first);
      expect(ms.counts.refresh).toBe(2);
      expect((await state(ctx.db, m.mailboxId)).consent_error).toBeNull();
    } finally {
      await ms.close();
    }
  });

  it('never logs a token or the client secret', () => {
    const secrets = [fake.clientSecret, ...fake.tokens.keys()];
    const all = logged.join('');
    expect(all).toContain('mailbox.oauth.refreshed');
    expect(all).toContain('mailbox.oauth.consent_lost');
    for (const s of secrets) expect(all).not.toContain(s);
  });
});
