// Answering a reply in the app over HTTP: the answer goes through a real SMTP server on loopback
// from the thread's mailbox, threaded (In-Reply-To, References, "Re:"), with the rep's sender name
// and signature; it is recorded on the sequence and audited, stops nothing, and a refusal shows
// the error with the text kept. The mailto: link keeps the thread; who may send is checked.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { Browserish, listen } from '../support/web.js';
import { ALWAYS, buildSequence, type BuiltSequence } from '../sequencing/builders.js';

async function insertReply(
  db: Parameters<typeof one>[0],
  ws: number,
  b: BuiltSequence,
  opts: { from: string; messageId: string; references: string[]; subject: string; text: string },
): Promise<number> {
  return (await one<{ id: number }>(db, {
    text: `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, contact_id, direction, message_id, "references", in_reply_to,
                                 from_addr, to_addr, subject, text_body, visible_text, classification, at)
           VALUES ($1, $2, $3, $4, 'in', $5, $6, $7, $8, 'rep@sender.test', $9, $10, $10, 'reply', now()) RETURNING id`,
    values: [
      ws,
      b.mailboxId,
      b.sequenceId,
      b.contactId,
      opts.messageId,
      opts.references,
      opts.references.at(-1) ?? null,
      opts.from,
      opts.subject,
      opts.text,
    ],
  }))!.id;
}

describeEachBackend('answering a reply in the app', (get) => {
  let ctx: Awaited<ReturnType<typeof createTestContext>>;
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let smtp: TestSmtp;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(get().db);
    smtp = await startSmtp();
    await ctx.db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
      ws.id,
      JSON.stringify({ signature: 'The Workspace Team' }),
    ]);
  });
  afterAll(async () => {
    await web.close();
    await ctx.stop();
    await smtp.close();
  });
  const as = async (role: 'rep' | 'manager' | 'admin') => {
    const b = new Browserish(web.base);
    await b.login(ws.users[role].email, ws.users[role].password);
    return b;
  };

  it('sends a threaded answer from the same mailbox, records it, stops nothing, and offers a threaded mailto', async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      status: 'active',
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, fromEmail: 'riley@sender.test' },
    });
    await ctx.db.query(
      `UPDATE sequence_steps SET status = 'scheduled', scheduled_at = now() + interval '2 days' WHERE id = $1`,
      [b.stepIds[1]],
    );
    await ctx.db.query(
      `UPDATE users SET sender_name = 'Riley from Demo', signature = 'Riley\nDemo Co sales' WHERE id = $1`,
      [ws.users.rep.id],
    );
    const dana = (await one<{ email: string }>(ctx.db, {
      text: `SELECT email FROM contacts WHERE id = $1`,
      values: [b.contactId],
    }))!;
    const inbound = await insertReply(ctx.db, ws.id, b, {
      from: `Dana Prospect <${dana.email}>`,
      messageId: '<their-1@acme.test>',
      references: ['<prospector.1.abc@sender.test>'],
      subject: 'Re: Congrats on the Series B',
      text: 'Sounds interesting. What would it cost?',
    });

    const rep = await as('rep');
    const list = await rep.page('/replies');
    expect(list.html).toContain(`href="/replies/${inbound}/answer"`);
    const form = await rep.page(`/replies/${inbound}/answer`);
    expect(form.res.status).toBe(200);
    expect(form.html).toContain('What would it cost?');
    const mailto = /href="(mailto:[^"]+)"/.exec(form.html)![1]!.replace(/&amp;/g, '&');
    const url = new URL(mailto);
    expect(decodeURIComponent(url.pathname)).toBe(dana.email);
    expect(url.searchParams.get('subject')).toBe('Re: Congrats on the Series B');
    expect(url.searchParams.get('In-Reply-To')).toBe('<their-1@acme.test>');
    expect(url.searchParams.get('References')).toBe('<prospector.1.abc@sender.test> <their-1@acme.test>');
    expect(url.searchParams.get('body')).toContain('> Sounds interesting.');

    // Without the CSRF token nothing is sent.
    expect((await rep.post(`/replies/${inbound}/answer`, { body: 'x' })).status).toBe(403);
    const before = smtp.received.length;
    const sent = await rep.post(`/replies/${inbound}/answer`, {
      body: 'About 40 a seat.\nHappy to walk you through it.',
      _csrf: form.csrf!,
    });
    expect(sent.status).toBe(303);
    const [m] = (await smtp.waitFor(before + 1)).slice(before);
    expect(m!.parsed.inReplyTo).toBe('<their-1@acme.test>');
    const refs = [m!.parsed.references ?? []].flat();
    expect(refs).toEqual(['<prospector.1.abc@sender.test>', '<their-1@acme.test>']);
    expect(m!.parsed.subject).toBe('Re: Congrats on the Series B');
    expect(m!.parsed.from!.value[0]).toMatchObject({ name: 'Riley from Demo', address: 'riley@sender.test' });
    expect(m!.envelope.to).toEqual([dana.email]);
    expect(m!.parsed.text).toContain('About 40 a seat.');
    expect(m!.parsed.text).toContain('Riley\nDemo Co sales');
    expect(m!.parsed.text).not.toContain('The Workspace Team');
    expect(m!.parsed.text).toContain('> Sounds interesting. What would it cost?');

    const rec = await one<{
      step_id: number | null;
      sequence_id: number;
      sent_by: number;
      message_id: string;
      mailbox_id: number;
    }>(ctx.db, {
      text: `SELECT * FROM messages WHERE direction = 'out' AND in_reply_to = '<their-1@acme.test>'`,
      values: [],
    });
    expect(rec).toMatchObject({
      step_id: null,
      sequence_id: b.sequenceId,
      sent_by: ws.users.rep.id,
      mailbox_id: b.mailboxId,
    });
    expect(rec!.message_id).toBe(m!.parsed.messageId);
    const seq = await one<{ status: string }>(ctx.db, {
      text: `SELECT status FROM sequences WHERE id = $1`,
      values: [b.sequenceId],
    });
    expect(seq!.status).toBe('active');
    const steps = await run<{ status: string }>(ctx.db, {
      text: `SELECT status FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`,
      values: [b.sequenceId],
    });
    expect(steps[1]!.status).toBe('scheduled');
    const audit = await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM audit_log WHERE action = 'reply.answered' AND entity_id = $1 AND user_id = $2`,
      values: [String(inbound), ws.users.rep.id],
    });
    expect(audit!.n).toBe(1);
    const after = await rep.page(`/replies/${inbound}/answer?sent=1`);
    expect(after.html).toContain('Answer sent from riley@sender.test');
    expect(after.html).toContain('About 40 a seat.');

    // A manager reads the reply but does not send from the rep's mailbox.
    const manager = await as('manager');
    const mv = await manager.page(`/replies/${inbound}/answer`);
    expect(mv.res.status).toBe(200);
    expect(mv.html).not.toContain('Send answer');
    expect((await manager.post(`/replies/${inbound}/answer`, { body: 'hi', _csrf: mv.csrf! })).status).toBe(403);
    // Another rep does not see it at all.
    const other = await buildWorkspace(get().db);
    await ctx.db.query(`UPDATE users SET workspace_id = $1 WHERE id = $2`, [ws.id, other.users.rep.id]);
    const stranger = new Browserish(web.base);
    await stranger.login(other.users.rep.email, other.users.rep.password);
    expect((await stranger.page(`/replies/${inbound}/answer`)).res.status).toBe(403);
  });

  it('shows a refusal with the text kept and records nothing; the workspace signature is the default', async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.admin.id,
      status: 'stopped',
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, fromEmail: 'admin-box@sender.test' },
    });
    const dana = (await one<{ email: string }>(ctx.db, {
      text: `SELECT email FROM contacts WHERE id = $1`,
      values: [b.contactId],
    }))!;
    const inbound = await insertReply(ctx.db, ws.id, b, {
      from: dana.email,
      messageId: '<their-2@acme.test>',
      references: [],
      subject: 'Pricing?',
      text: 'Send pricing.',
    });
    const admin = await as('admin');
    const form = await admin.page(`/replies/${inbound}/answer`);
    smtp.rejectRcpt.set(dana.email.toLowerCase(), [550, 'No such user here']);
    const refused = await admin.post(`/replies/${inbound}/answer`, {
      body: 'Attached <b>pricing</b>.',
      _csrf: form.csrf!,
    });
    expect(refused.status).toBe(502);
    const page = await refused.text();
    expect(page).toContain('No such user here');
    expect(page).toContain('Attached &lt;b&gt;pricing&lt;/b&gt;.</textarea>');
    const none = await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM messages WHERE direction = 'out' AND in_reply_to = '<their-2@acme.test>'`,
      values: [],
    });
    expect(none!.n).toBe(0);

    smtp.rejectRcpt.delete(dana.email.toLowerCase());
    const before = smtp.received.length;
    expect((await admin.post(`/replies/${inbound}/answer`, { body: 'Attached.', _csrf: form.csrf! })).status).toBe(303);
    const [m] = (await smtp.waitFor(before + 1)).slice(before);
    expect(m!.parsed.subject).toBe('Re: Pricing?');
    expect(m!.parsed.inReplyTo).toBe('<their-2@acme.test>');
    expect(m!.parsed.from!.value[0]).toMatchObject({ name: 'Riley Rep', address: 'admin-box@sender.test' });
    expect(m!.parsed.text).toContain('--\nThe Workspace Team');
    const seq = await one<{ status: string }>(ctx.db, {
      text: `SELECT status FROM sequences WHERE id = $1`,
      values: [b.sequenceId],
    });
    expect(seq!.status).toBe('stopped');
  });
});
