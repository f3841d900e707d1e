// Deleting and editing mailboxes over HTTP: the confirmation page says what happens to the
// sequences that would send from it; moving them or pausing them with a reason; sent history kept
// (archived, not erased); a mailbox nothing points at is removed; a step in flight blocks; a rep
// manages only their own mailbox; a Google mailbox deletes the same way.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';
import { buildSequence } from '../sequencing/builders.js';

/** Page text with runs of whitespace as one space (the formatter wraps long template lines). */
const words = (html: string) => html.replace(/\s+/g, ' ');

describeEachBackend('mailbox delete', (get) => {
  const s = useWebApp(get);
  const as = async (role: 'rep' | 'revops' | 'admin') => {
    const b = new Browserish(s.base);
    await b.login(s.ws.users[role].email, s.ws.users[role].password);
    return b;
  };
  const q = <T>(text: string, values: unknown[]) => one<T>(s.ctx.db, { text, values });
  const mailbox = async (email: string, kind = 'smtp', userId = s.ws.users.rep.id) =>
    (await q<{ id: number }>(
      `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email, smtp_host, smtp_port)
       VALUES ($1, $2, $3, 'Riley', $4, 'smtp.example', 587) RETURNING id`,
      [s.ws.id, userId, kind, email],
    ))!.id;
  /** An active sequence bound to `mailboxId` with its first step sent from it and two scheduled. */
  const activeOn = async (mailboxId: number) => {
    const b = await buildSequence(s.ctx.db, { workspaceId: s.ws.id, ownerId: s.ws.users.rep.id, mailbox: null });
    await run(s.ctx.db, {
      text: `UPDATE sequences SET status = 'active', mailbox_id = $2 WHERE id = $1`,
      values: [b.sequenceId, mailboxId],
    });
    await run(s.ctx.db, {
      text: `UPDATE sequence_steps SET status = CASE WHEN position = 0 THEN 'sent' ELSE 'scheduled' END,
                    mailbox_id = CASE WHEN position = 0 THEN $2::bigint END, scheduled_at = now() + (position || ' days')::interval
              WHERE sequence_id = $1`,
      values: [b.sequenceId, mailboxId],
    });
    await run(s.ctx.db, {
      text: `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, step_id, direction, from_addr, to_addr, subject)
             VALUES ($1, $2, $3, $4, 'out', 'riley@sender.test', 'dana@acme.test', 'Hello')`,
      values: [s.ws.id, mailboxId, b.sequenceId, b.stepIds[0]],
    });
    return b;
  };
  const seq = (id: number) =>
    q<{ status: string; mailbox_id: number | null; stop_reason: string | null }>(
      'SELECT status, mailbox_id, stop_reason FROM sequences WHERE id = $1',
      [id],
    );
  const box = (id: number) =>
    q<{ archived: boolean; user_id: number | null; paused: boolean }>(
      'SELECT archived_at IS NOT NULL AS archived, user_id, paused_at IS NOT NULL AS paused FROM mailboxes WHERE id = $1',
      [id],
    );

  it('says what happens to the scheduled steps, moves them to the rep’s other mailbox and keeps sent history', async () => {
    const old = await mailbox('old@sender.test');
    const other = await mailbox('other@sender.test');
    const b = await activeOn(old);
    const revops = await as('revops');
    const confirm = await revops.page(`/settings/mailboxes/${old}/delete`);
    expect(confirm.res.status).toBe(200);
    expect(words(confirm.html)).toContain('1 open sequence</strong> would send from this mailbox');
    expect(words(confirm.html)).toContain('2 unsent steps on 1 sequence bound to it');
    expect(words(confirm.html)).toContain('1 message sent from it');
    expect(words(confirm.html)).toMatch(/<option value="\d+"> ?Riley &lt;other@sender.test&gt;/);
    // No choice made: refused, nothing changed.
    expect((await revops.post(`/settings/mailboxes/${old}/delete`, { _csrf: confirm.csrf! })).status).toBe(400);
    expect((await box(old))!.archived).toBe(false);

    const done = await revops.post(`/settings/mailboxes/${old}/delete`, {
      _csrf: confirm.csrf!,
      then: 'move',
      to: String(other),
    });
    expect(done.status).toBe(303);
    expect(await seq(b.sequenceId)).toMatchObject({ status: 'active', mailbox_id: other });
    expect(await box(old)).toEqual({ archived: true, user_id: null, paused: true });
    // The sent message still names its mailbox; the list no longer shows it.
    const sent = await q<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE mailbox_id = $1', [old]);
    expect(sent!.n).toBe(1);
    const list = (await revops.page(done.headers.get('location')!)).html;
    expect(list).toContain('Deleted old@sender.test.');
    expect(list).not.toContain('&lt;old@sender.test&gt;');
    expect((await revops.page(`/settings/mailboxes/${old}`)).res.status).toBe(404);
    const audit = await q<{ data: { moved: number; archived: boolean } }>(
      `SELECT data FROM audit_log WHERE workspace_id = $1 AND action = 'mailbox.deleted' AND entity_id = $2`,
      [s.ws.id, String(old)],
    );
    expect(audit!.data).toMatchObject({ moved: 1, archived: true });
  });

  it('pauses the sequences with a reason people see when the rep has no other mailbox; removes an unused one', async () => {
    const only = await mailbox('only@sender.test', 'smtp', s.ws.users.admin.id);
    const b = await buildSequence(s.ctx.db, { workspaceId: s.ws.id, ownerId: s.ws.users.admin.id, mailbox: null });
    await run(s.ctx.db, { text: `UPDATE sequences SET status = 'active' WHERE id = $1`, values: [b.sequenceId] });
    const admin = await as('admin');
    const confirm = await admin.page(`/settings/mailboxes/${only}/delete`);
    expect(words(confirm.html)).toContain('1 sequence of its rep, who has no other mailbox');
    expect(words(confirm.html)).toContain('The rep has no other mailbox to move them to.');
    expect(words(confirm.html)).toContain('Nothing was sent from it and no sequence uses it: it is removed.');
    const res = await admin.post(`/settings/mailboxes/${only}/delete`, {
      _csrf: confirm.csrf!,
      then: 'pause',
      reason: 'Mailbox retired; pick a new one',
    });
    expect(res.status).toBe(303);
    expect(await seq(b.sequenceId)).toEqual({
      status: 'paused',
      mailbox_id: null,
      stop_reason: 'Mailbox retired; pick a new one',
    });
    expect(await box(only)).toBeUndefined();
  });

  it('refuses while a step is being sent from it', async () => {
    const busy = await mailbox('busy@sender.test');
    const b = await activeOn(busy);
    await run(s.ctx.db, {
      text: `UPDATE sequence_steps SET status = 'sending', mailbox_id = $2 WHERE id = $1`,
      values: [b.stepIds[1], busy],
    });
    const revops = await as('revops');
    const confirm = await revops.page(`/settings/mailboxes/${busy}/delete`);
    expect(words(confirm.html)).toContain('1 step is being sent from this mailbox');
    expect(words(confirm.html)).not.toContain('id="delete-form"');
    const res = await revops.post(`/settings/mailboxes/${busy}/delete`, { _csrf: confirm.csrf!, then: 'pause' });
    expect(res.status).toBe(409);
    expect((await box(busy))!.archived).toBe(false);
  });

  it('lets a rep edit and delete their own mailbox only', async () => {
    const mine = await mailbox('mine@sender.test');
    const theirs = await mailbox('theirs@sender.test', 'smtp', s.ws.users.admin.id);
    const rep = await as('rep');
    expect((await rep.page('/settings/mailboxes')).res.status).toBe(403);
    expect((await rep.page('/mailboxes')).html).toContain('mine@sender.test');
    const edit = await rep.page(`/settings/mailboxes/${mine}`);
    expect(edit.res.status).toBe(200);
    expect(edit.html).not.toContain('name="user_id"');
    expect((await rep.page(`/settings/mailboxes/${theirs}`)).res.status).toBe(403);
    expect((await rep.page(`/settings/mailboxes/${theirs}/delete`)).res.status).toBe(403);
    const confirm = await rep.page(`/settings/mailboxes/${mine}/delete`);
    expect(words(confirm.html)).toContain('No open sequence sends from this mailbox.');
    const res = await rep.post(`/settings/mailboxes/${mine}/delete`, { _csrf: confirm.csrf! });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/mailboxes?deleted=mine%40sender.test');
    expect(await box(mine)).toBeUndefined();
  });

  it('deletes a Google mailbox the same way: its sequences pause, it leaves the Mailboxes page', async () => {
    const g = await mailbox('rep@gmail.test', 'google');
    const b = await activeOn(g);
    await run(s.ctx.db, {
      text: `INSERT INTO mailbox_oauth (mailbox_id, provider, subject, refresh_token_enc) VALUES ($1, 'google', 'sub-1', $2)`,
      values: [g, s.ctx.secrets.seal('refresh-token')],
    });
    const rep = await as('rep');
    expect((await rep.page('/mailboxes')).html).toContain(`/settings/mailboxes/${g}/delete`);
    const confirm = await rep.page(`/settings/mailboxes/${g}/delete`);
    const res = await rep.post(`/settings/mailboxes/${g}/delete`, { _csrf: confirm.csrf!, then: 'pause', reason: '' });
    expect(res.status).toBe(303);
    const after = await seq(b.sequenceId);
    expect(after).toMatchObject({ status: 'paused', mailbox_id: null });
    expect(after!.stop_reason).toContain('mailbox rep@gmail.test was deleted');
    expect(await box(g)).toEqual({ archived: true, user_id: null, paused: true });
    // Its tokens are gone (the grant is revoked at the provider when sign-in is configured) and so is its row on the page.
    const tokens = await q<{ refresh_token_enc: string | null }>(
      'SELECT refresh_token_enc FROM mailbox_oauth WHERE mailbox_id = $1',
      [g],
    );
    expect(tokens!.refresh_token_enc).toBeNull();
    expect((await rep.page('/mailboxes')).html).not.toContain('rep@gmail.test');
  });
});
