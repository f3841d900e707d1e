// The inbound-mail webhook secret over HTTP on both backends: admins see each mailbox's URL and
// secret on the mailboxes page (escaped, never to other roles); a confirmed rotation replaces it,
// and /api/inbound then refuses the old secret's signature and takes the new one's. The play page
// shows the workspace's inbound-event secret but never creates it on a GET: a POST does.
import { beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { seedDefaultPlays } from '../../plays/service.js';
import { inboundWebhookSecret, signTimestamped } from '../../sequencing/tracking.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

describeEachBackend('inbound webhook secret on the mailboxes page', (get) => {
  const app = useWebApp(get, { PUBLIC_URL: 'https://prospector.example' });
  let mailboxId: number;
  let admin: Browserish;
  let n = 0;

  beforeAll(async () => {
    mailboxId = (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO mailboxes (workspace_id, kind, from_name, from_email)
             VALUES ($1, 'outbox', 'Ann <b>', 'ann@acme.example') RETURNING id`,
      values: [app.ws.id],
    }))!.id;
    admin = new Browserish(app.base);
    await admin.login(app.ws.users.admin.email, app.ws.users.admin.password);
  });

  /** Posts a fresh message (a new body each time, so none is a duplicate delivery) signed with `secret`. */
  const postInbound = (secret: string) => {
    const raw = `From: someone@else.example\r\nTo: ann@acme.example\r\nSubject: hello ${++n}\r\n\r\nhi ${n}\r\n`;
    return fetch(`${app.base}/api/inbound?mailbox=${mailboxId}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-prospector-signature': signTimestamped(secret, raw) },
      body: raw,
    });
  };
  const shownSecret = (page: string) => /aria-label="Webhook secret for [^"]*" value="([^"]+)"/.exec(page)?.[1];

  it('shows the URL and the derived secret to an admin, escaped; not to revops or a rep', async () => {
    const { html } = await admin.page('/settings/mailboxes');
    expect(html).toContain(`value="https://prospector.example/api/inbound?mailbox=${mailboxId}"`);
    expect(shownSecret(html)).toBe(inboundWebhookSecret(app.ctx.secrets, mailboxId));
    expect(html).toContain('Ann &lt;b&gt;');
    for (const role of ['revops', 'rep'] as const) {
      const b = new Browserish(app.base);
      await b.login(app.ws.users[role].email, app.ws.users[role].password);
      const p = await b.page('/settings/mailboxes');
      expect([role, p.res.status]).toEqual([role, role === 'rep' ? 403 : 200]);
      expect(p.html).not.toContain('Webhook secret');
      expect(p.html).not.toContain(inboundWebhookSecret(app.ctx.secrets, mailboxId));
      const rotate = await b.post(`/settings/mailboxes/${mailboxId}/inbound-secret/rotate`, {
        _csrf: (await b.page('/settings')).csrf ?? '',
        confirm: 'rotate',
      });
      expect([role, rotate.status]).toEqual([role, 403]);
    }
  });

  it('rotates only with CSRF and a confirmation; the old signature is refused, the new one accepted', async () => {
    const old = inboundWebhookSecret(app.ctx.secrets, mailboxId);
    expect((await postInbound(old)).status).toBe(202);
    const { csrf } = await admin.page('/settings/mailboxes');
    const path = `/settings/mailboxes/${mailboxId}/inbound-secret/rotate`;
    expect((await admin.post(path, { confirm: 'rotate' })).status).toBe(403);
    expect((await admin.post(path, { _csrf: csrf! })).status).toBe(400);
    expect(shownSecret((await admin.page('/settings/mailboxes')).html)).toBe(old);

    const res = await admin.post(path, { _csrf: csrf!, confirm: 'rotate' });
    expect(res.status).toBe(303);
    const fresh = shownSecret((await admin.page('/settings/mailboxes')).html)!;
    expect(fresh).not.toBe(old);
    expect(fresh.length).toBeGreaterThanOrEqual(40);
    const old401 = await postInbound(old);
    expect(old401.status).toBe(401);
    expect((await old401.json()).error.message).toBe('Missing or invalid signature.');
    expect((await postInbound(fresh)).status).toBe(202);
    const audit = await one<{ n: number; data: unknown }>(app.ctx.db, {
      text: `SELECT count(*)::int AS n, max(data::text) AS data FROM audit_log
              WHERE action = 'mailbox.inbound_secret.rotated' AND entity_id = $1`,
      values: [String(mailboxId)],
    });
    expect(audit!.n).toBe(1);
    expect(String(audit!.data)).not.toContain(fresh);
  });

  it('the play page never creates the inbound-event secret on a GET; its Create button (a POST) does', async () => {
    await seedDefaultPlays(app.ctx.db, app.ws.id);
    const play = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id FROM plays WHERE workspace_id = $1 AND trigger->>'kind' = 'inbound' ORDER BY id LIMIT 1`,
      values: [app.ws.id],
    }))!;
    const stored = async () =>
      (await one<{ s: string | null }>(app.ctx.db, {
        text: 'SELECT inbound_secret_enc AS s FROM workspaces WHERE id = $1',
        values: [app.ws.id],
      }))!.s;
    const before = await admin.page(`/plays/${play.id}`);
    expect(before.html).toContain('no inbound-event secret yet');
    expect(await stored()).toBeNull();
    const res = await admin.post(`/plays/${play.id}/inbound-secret`, { _csrf: before.csrf! });
    expect(res.status).toBe(303);
    const sealed = await stored();
    expect(sealed).not.toBeNull();
    const after = await admin.page(`/plays/${play.id}`);
    // Whitespace collapsed: the formatter may wrap the sentence before the secret.
    expect(after.html.replace(/\s+/g, ' ')).toContain(`secret: <code>${app.ctx.secrets.open(sealed!)}</code>`);
    await admin.post(`/plays/${play.id}/inbound-secret`, { _csrf: after.csrf! });
    expect(await stored()).toBe(sealed);
  });
});
