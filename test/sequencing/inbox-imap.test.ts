import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { syncMailbox } from '../../sequencing/inbox/imap.js';
import { reconcileStuck } from '../../sequencing/reconcile.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { DOVECOT_PASSWORD, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { ALWAYS, buildSequence, sendOpener, statusOf, stepRows } from './builders.js';
import { dsnFor, replyTo } from './mail-builders.js';
import { eventually } from '../support/eventually.js';

const NOW = new Date('2026-03-10T14:00:00Z'); // Tuesday 10:00 in New York

describeEachBackend('inbox over IMAP (Dovecot)', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let dovecot: TestDovecot;
  let transports: TransportPool;
  const user = `rep-${Math.random().toString(36).slice(2, 8)}@sender.test`;
  let mailboxId: number;

  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    dovecot = await startDovecot();
    transports = new TransportPool(transportDeps(ctx));
    mailboxId = (await one<{ id: number }>(ctx.db, {
      text:
        `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email, imap_host, imap_port, ` +
        `imap_secure, imap_user, imap_pass_enc, min_gap_seconds, max_gap_seconds)
             VALUES ($1, $2, 'outbox', 'Riley Rep', $3, '127.0.0.1', $4, false, $3, $5, 0, 0) RETURNING id`,
      values: [ws.id, ws.users.rep.id, user, dovecot.port, ctx.secrets.seal(DOVECOT_PASSWORD)],
    }))!.id;
  });
  afterAll(async () => {
    await transports.close();
    await dovecot?.stop();
    await ctx.stop();
  });

  /** An active sequence whose opener went out at NOW through the IMAP-backed mailbox. */
  const sentOpener = async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      mailbox: null,
      window: ALWAYS,
      fallback: null,
    });
    await ctx.db.query(`UPDATE sequences SET mailbox_id = $2 WHERE id = $1`, [b.sequenceId, mailboxId]);
    return sendOpener(ctx, transports, b, ws.users.rep.id, NOW);
  };
  const sync = () => syncMailbox(ctx, mailboxId, { now: () => NOW });

  it('a reply appended to the inbox stops the next step, records intent, and a second sync reads nothing new', async () => {
    const s = await sentOpener();
    await dovecot.append(
      user,
      replyTo({
        from: s.email,
        to: user,
        inReplyTo: s.messageId,
        body: 'Sounds interesting, could we talk Thursday? Send me some times.',
      }),
    );
    const r = await sync();
    expect(r.stored).toBe(1);
    const steps = await stepRows(ctx.db, s.sequenceId);
    expect(steps.map((x) => x.status)).toEqual(['sent', 'cancelled', 'cancelled']);
    const seq = await one<{ status: string; stop_reason: string }>(ctx.db, {
      text: 'SELECT * FROM sequences WHERE id = $1',
      values: [s.sequenceId],
    });
    expect(seq).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
    const msg = await one<{
      classification: string;
      visible_text: string;
      raw: string;
      classification_details: { intent: { intent: string } };
    }>(ctx.db, {
      text: `SELECT * FROM messages WHERE sequence_id = $1 AND direction = 'in'`,
      values: [s.sequenceId],
    });
    expect(msg!.classification).toBe('reply');
    expect(msg!.visible_text).toBe('Sounds interesting, could we talk Thursday? Send me some times.');
    expect(msg!.raw).toContain(s.messageId);
    expect(msg!.classification_details.intent.intent).toBe('meeting_request');
    expect((await sync()).fetched).toBe(0);
  });

  it('an out-of-office moves the remaining steps after the return date and does not count as a reply', async () => {
    const s = await sentOpener();
    await dovecot.append(
      user,
      replyTo({
        from: s.email,
        to: user,
        inReplyTo: s.messageId,
        subject: 'Automatic reply: Congrats on the Series B',
        headers: ['Auto-Submitted: auto-replied'],
        body: 'Thank you for your message. I am out of the office until March 23, 2026 with limited access to email.',
      }),
    );
    await sync();
    const steps = await stepRows(ctx.db, s.sequenceId);
    expect(steps.map((x) => x.status)).toEqual(['sent', 'scheduled', 'scheduled']);
    const back = DateTime.fromISO('2026-03-24', { zone: 'America/New_York' }).toJSDate();
    expect(steps[1]!.scheduled_at!.getTime()).toBeGreaterThanOrEqual(back.getTime());
    expect(steps[2]!.scheduled_at!.getTime()).toBeGreaterThan(steps[1]!.scheduled_at!.getTime());
    expect(await statusOf(ctx.db, 'sequences', s.sequenceId)).toBe('active');
    expect(await statusOf(ctx.db, 'contacts', s.contactId)).toBe('active');
  });

  it('a DSN suppresses the address, marks the contact bounced and stops the sequence', async () => {
    const s = await sentOpener();
    await dovecot.append(user, dsnFor({ rcpt: s.email, to: user, originalMessageId: s.messageId }));
    await sync();
    expect(await statusOf(ctx.db, 'contacts', s.contactId)).toBe('bounced');
    expect(
      await one(ctx.db, {
        text: `SELECT 1 FROM suppressions WHERE workspace_id = $1 AND kind = 'email' AND value = lower($2)`,
        values: [ws.id, s.email],
      }),
    ).toBeTruthy();
    expect((await stepRows(ctx.db, s.sequenceId)).map((x) => x.status)).toEqual(['sent', 'cancelled', 'cancelled']);
    const ev = await one<{ data: { hard: boolean; status: string; recipient: string } }>(ctx.db, {
      text: `SELECT data FROM events WHERE sequence_id = $1 AND type = 'bounce'`,
      values: [s.sequenceId],
    });
    expect(ev!.data).toMatchObject({ hard: true, status: '5.1.1', recipient: s.email });
  });

  it('in IDLE, a reply that arrives while the sync is open is read at once', async () => {
    const s = await sentOpener();
    const abort = new AbortController();
    const running = syncMailbox(ctx, mailboxId, { now: () => NOW, idleSeconds: 20, signal: abort.signal });
    await new Promise((r) => setTimeout(r, 500));
    await dovecot.append(user, replyTo({ from: s.email, to: user, inReplyTo: s.messageId, body: 'Yes, interested.' }));
    const status = await eventually(
      'the reply to be read',
      async () => {
        const row = await one<{ status: string }>(ctx.db, {
          text: 'SELECT status FROM sequences WHERE id = $1',
          values: [s.sequenceId],
        });
        return row!.status !== 'active' && row!.status;
      },
      { timeout: 15_000 },
    ).finally(() => abort.abort());
    const r = await running;
    expect(status).toBe('stopped');
    expect(r).toMatchObject({ idled: true, stored: 1 });
  });

  it("matches a reply with no threading headers by the sender's address", async () => {
    const s = await sentOpener();
    const raw = replyTo({
      from: s.email,
      to: user,
      inReplyTo: '<unrelated@elsewhere.test>',
      subject: 'Quick question',
      body: 'Do you integrate with Salesforce?',
    }).replace(/^(In-Reply-To|References): .*\r\n/gm, '');
    await dovecot.append(user, raw);
    await sync();
    const msg = await one<{ sequence_id: number; classification_details: { matchedBy: string } }>(ctx.db, {
      text: `SELECT * FROM messages WHERE direction = 'in' AND sequence_id = $1`,
      values: [s.sequenceId],
    });
    expect(msg!.classification_details.matchedBy).toBe('sender');
    expect(await statusOf(ctx.db, 'sequences', s.sequenceId)).toBe('stopped');
  });

  it('reconciles a step left in sending: found in the Sent folder → sent, not found → unknown, never resent', async () => {
    const found = await sentOpener();
    const lost = await sentOpener();
    const raw = (await one<{ raw: string }>(ctx.db, {
      text: `SELECT raw FROM messages WHERE step_id = $1`,
      values: [found.stepIds[0]],
    }))!.raw;
    await dovecot.append(user, raw, 'Sent');
    // As if the worker died after claiming: both steps back in `sending`, claimed long ago.
    await ctx.db.query(
      `UPDATE sequence_steps SET status = 'sending', sent_at = NULL, claimed_at = $2 WHERE id = ANY($1::bigint[])`,
      [[found.stepIds[0], lost.stepIds[0]], new Date(NOW.getTime() - 3_600_000)],
    );
    await ctx.db.query(`UPDATE mailboxes SET kind = 'smtp' WHERE id = $1`, [mailboxId]); // so the IMAP Sent folder is what is checked
    try {
      const r = await reconcileStuck(ctx, { now: NOW, lookup: undefined });
      expect(r).toMatchObject({ sent: 1, unknown: 1 });
    } finally {
      await ctx.db.query(`UPDATE mailboxes SET kind = 'outbox' WHERE id = $1`, [mailboxId]);
    }
    expect((await stepRows(ctx.db, found.sequenceId))[0]!.status).toBe('sent');
    const unknown = (await stepRows(ctx.db, lost.sequenceId))[0]!;
    expect(unknown.status).toBe('unknown');
    expect(unknown.last_error).toMatch(/not found by Message-ID/);
  });

  it('ignores our own messages, and a changed UIDVALIDITY re-reads without acting twice', async () => {
    const s = await sentOpener();
    const own = await one<{ raw: string }>(ctx.db, {
      text: `SELECT raw FROM messages WHERE step_id = $1`,
      values: [s.stepIds[0]],
    });
    await dovecot.append(user, own!.raw);
    expect((await sync()).stored).toBe(0);
    expect((await stepRows(ctx.db, s.sequenceId))[1]!.status).toBe('scheduled');
    const before = (
      await run(ctx.db, {
        text: `SELECT id FROM messages WHERE direction = 'in' AND mailbox_id = $1`,
        values: [mailboxId],
      })
    ).length;
    await ctx.db.query(`UPDATE mailboxes SET imap_uidvalidity = 1 WHERE id = $1`, [mailboxId]);
    const r = await sync();
    expect(r.reset).toBe(true);
    expect(r.fetched).toBeGreaterThan(0);
    expect(r.stored).toBe(0);
    expect(
      (
        await run(ctx.db, {
          text: `SELECT id FROM messages WHERE direction = 'in' AND mailbox_id = $1`,
          values: [mailboxId],
        })
      ).length,
    ).toBe(before);
  });
});
