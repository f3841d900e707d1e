import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ALWAYS, buildSequence, stepRows, type SequenceSpec } from './builders.js';

const NOW = new Date('2026-03-09T15:00:00Z'); // Monday
const fixed = (d: Date) => () => d;

describeEachBackend('sending a step', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let smtp: TestSmtp;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    await ctx.db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
      ws.id,
      JSON.stringify({ signature: 'Riley Rep\nDemo Co', physicalAddress: 'Demo Co, 1 Example Street, Springfield' }),
    ]);
    smtp = await startSmtp();
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports.close();
    await smtp.close();
    await ctx.stop();
  });

  const approved = async (spec: Partial<SequenceSpec> = {}) => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
      ...spec,
    });
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW, random: () => 0 });
    return { ...b, steps: await stepRows(ctx.db, b.sequenceId) };
  };

  it(`sends the opener with footer, signature, one-line List-Unsubscribe and a tracked HTML link; a follow-up \
threads under it`, async () => {
    const b = await approved();
    const before = smtp.received.length;
    const first = await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(b.steps[0]!.scheduled_at!) });
    expect(first.status).toBe('sent');
    const [m1] = (await smtp.waitFor(before + 1)).slice(before);
    expect(m1!.parsed.subject).toBe('Congrats on the Series B');
    expect(m1!.parsed.from!.value[0]).toMatchObject({ name: 'Riley Rep' });
    expect(m1!.envelope.to).toEqual([
      b.steps[0] &&
        (await one<{ email: string }>(ctx.db, {
          text: 'SELECT email FROM contacts WHERE id = $1',
          values: [b.contactId],
        }))!.email,
    ]);
    expect(m1!.parsed.messageId).toMatch(/^<prospector\.\d+\.[a-z0-9]+@sender\.test>$/);
    expect(m1!.parsed.text).toContain('Step 1 body');
    expect(m1!.parsed.text).toContain('Riley Rep\nDemo Co');
    expect(m1!.parsed.text).toContain('Demo Co, 1 Example Street, Springfield');
    expect(m1!.parsed.text).toMatch(/Not interested\? Reply "unsubscribe" or visit http:\/\/127\.0\.0\.1:0\/u\//);
    expect(m1!.raw).toMatch(
      /^List-Unsubscribe: <http:\/\/127\.0\.0\.1:0\/u\/[^>\r\n]+>, <mailto:rep-[^>\r\n]+\?subject=unsubscribe>\r$/m,
    );
    expect(m1!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(m1!.parsed.html).toMatch(
      /<a href="http:\/\/127\.0\.0\.1:0\/t\/c\/[^"]+">https:\/\/example\.com\/case-study\?x=1<\/a>/,
    );

    const second = await sendStep(ctx, b.stepIds[1]!, { transports, now: fixed(b.steps[1]!.scheduled_at!) });
    expect(second.status).toBe('sent');
    const m2 = (await smtp.waitFor(before + 2))[before + 1]!;
    expect(m2.parsed.subject).toBe('Re: Congrats on the Series B');
    expect(m2.parsed.inReplyTo).toBe(m1!.parsed.messageId);
    expect(m2.parsed.references).toBe(m1!.parsed.messageId);

    const rows = await stepRows(ctx.db, b.sequenceId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'scheduled']);
    expect(rows[0]!.message_id).toBe(m1!.parsed.messageId);
    const events = await run<{ type: string }>(ctx.db, {
      text: `SELECT type FROM events WHERE sequence_id = $1 ORDER BY id`,
      values: [b.sequenceId],
    });
    expect(events.map((e) => e.type)).toEqual(['sent', 'sent']);
  });

  it('sends a step once however often its job runs', async () => {
    const b = await approved();
    const before = smtp.received.length;
    const at = fixed(b.steps[0]!.scheduled_at!);
    const results = await Promise.all([1, 2, 3].map(() => sendStep(ctx, b.stepIds[0]!, { transports, now: at })));
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at })).status).toBe('noop');
    // Every call has returned, and the server keeps a message before it answers the final dot: all are counted.
    expect(smtp.received.length).toBe(before + 1);
  });

  it('moves a step found outside its window to the next window instead of sending at 3 a.m.', async () => {
    const b = await approved();
    const threeAm = DateTime.fromJSDate(b.steps[0]!.scheduled_at!, { zone: 'America/New_York' })
      .set({ hour: 3 })
      .plus({ days: 1 })
      .toJSDate();
    const r = await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(threeAm) });
    expect(r.status).toBe('deferred');
    const [row] = await stepRows(ctx.db, b.sequenceId);
    expect(row!.status).toBe('scheduled');
    const local = DateTime.fromJSDate(row!.scheduled_at!, { zone: 'America/New_York' });
    expect(local.hour).toBeGreaterThanOrEqual(8);
    expect(local.hour).toBeLessThan(17);
    expect(
      (await one<{ missed_windows: number }>(ctx.db, {
        text: 'SELECT missed_windows FROM sequence_steps WHERE id = $1',
        values: [row!.id],
      }))!.missed_windows,
    ).toBe(1);
  });

  it('never sends to a suppressed domain: the sequence stops', async () => {
    const domain = `suppressed-${Math.random().toString(36).slice(2)}.test`;
    const b = await approved({ email: `x@${domain}`, window: ALWAYS, fallback: null });
    await ctx.db.query(
      `INSERT INTO suppressions (workspace_id, kind, value, reason) VALUES ($1, 'domain', $2, 'test')`,
      [ws.id, domain.toUpperCase()],
    );
    const before = smtp.received.length;
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('stopped');
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(smtp.received.length).toBe(before);
  });

  it('a 550 for the recipient is a hard bounce: contact bounced and suppressed, sequence stopped', async () => {
    const b = await approved({ window: ALWAYS, fallback: null });
    const email = (await one<{ email: string }>(ctx.db, {
      text: 'SELECT email FROM contacts WHERE id = $1',
      values: [b.contactId],
    }))!.email;
    smtp.rejectRcpt.set(email, [550, '5.1.1 <' + email + '>: Recipient address rejected: User unknown']);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('bounced');
    expect(
      (await one<{ status: string }>(ctx.db, {
        text: 'SELECT status FROM contacts WHERE id = $1',
        values: [b.contactId],
      }))!.status,
    ).toBe('bounced');
    expect(
      await one(ctx.db, {
        text: `SELECT 1 FROM suppressions WHERE workspace_id = $1 AND value = lower($2)`,
        values: [ws.id, email],
      }),
    ).toBeTruthy();
    const ev = await one<{ data: { hard: boolean; status: string } }>(ctx.db, {
      text: `SELECT data FROM events WHERE sequence_id = $1 AND type = 'bounce'`,
      values: [b.sequenceId],
    });
    expect(ev!.data).toMatchObject({ hard: true, status: '5.1.1' });
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual(['failed', 'cancelled', 'cancelled']);
  });

  it('a 451 is retried later with backoff', async () => {
    const b = await approved({ window: ALWAYS, fallback: null });
    const email = (await one<{ email: string }>(ctx.db, {
      text: 'SELECT email FROM contacts WHERE id = $1',
      values: [b.contactId],
    }))!.email;
    smtp.rejectRcpt.set(email, [451, '4.7.1 Try again later']);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('retry');
    const [row] = await stepRows(ctx.db, b.sequenceId);
    expect(row).toMatchObject({ status: 'scheduled', attempts: 1 });
    expect(row!.scheduled_at!.getTime() - NOW.getTime()).toBeGreaterThanOrEqual(5 * 60_000);
    smtp.rejectRcpt.delete(email);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(row!.scheduled_at!) })).status).toBe('sent');
  });

  it('stops at the daily cap (rolling 24 h) and defers the rest', async () => {
    const b1 = await approved({
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, dailyCap: 1 },
    });
    expect((await sendStep(ctx, b1.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE id = $1`, [b1.stepIds[1], NOW]);
    const r = await sendStep(ctx, b1.stepIds[1]!, { transports, now: fixed(new Date(NOW.getTime() + 60_000)) });
    expect(r).toMatchObject({ status: 'deferred', reason: 'daily cap reached' });
  });

  it('pauses the mailbox, with the reason, when SMTP auth fails', async () => {
    const authed = await startSmtp({ auth: { user: 'u', pass: 'right' } });
    try {
      const b = await approved({
        window: ALWAYS,
        fallback: null,
        mailbox: { kind: 'smtp', host: '127.0.0.1', port: authed.port },
      });
      await ctx.db.query(`UPDATE mailboxes SET smtp_user = 'u', smtp_pass_enc = $2 WHERE id = $1`, [
        b.mailboxId,
        ctx.secrets.seal('wrong'),
      ]);
      expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('auth');
      const mb = await one<{ paused_at: Date | null; pause_reason: string }>(ctx.db, {
        text: 'SELECT * FROM mailboxes WHERE id = $1',
        values: [b.mailboxId],
      });
      expect(mb!.paused_at).not.toBeNull();
      expect(mb!.pause_reason).toMatch(/authentication/i);
      expect((await stepRows(ctx.db, b.sequenceId))[0]!.status).toBe('scheduled');
    } finally {
      await authed.close();
    }
  });

  it('evaluates branch conditions at claim: a human click takes the "clicked" step and skips the alternative', async () => {
    const b = await approved({
      window: ALWAYS,
      fallback: null,
      steps: [
        { delayDays: 0 },
        { delayDays: 0, branch: { when: 'clicked', tag: 'case-study' } },
        { delayDays: 0, branch: { when: 'not_clicked', tag: 'case-study' } },
        { delayDays: 0, branch: { when: 'clicked', tag: 'case-study' } },
      ],
    });
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    const click = (isBot: boolean) =>
      ctx.db.query(
        `INSERT INTO events (workspace_id, type, sequence_id, step_id, is_bot, data) VALUES ($1, 'click', $2, $3, $4, $5)`,
        [ws.id, b.sequenceId, b.stepIds[0], isBot, JSON.stringify({ url: 'https://example.com/case-study?x=1' })],
      );
    await click(true); // a scanner's click does not count
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE sequence_id = $1 AND status = 'scheduled'`, [
      b.sequenceId,
      NOW,
    ]);
    expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: fixed(NOW) })).status).toBe('skipped');
    await click(false);
    expect((await sendStep(ctx, b.stepIds[2]!, { transports, now: fixed(NOW) })).status).toBe('skipped');
    expect((await sendStep(ctx, b.stepIds[3]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual(['sent', 'skipped', 'skipped', 'sent']);
    expect(
      (await one<{ status: string }>(ctx.db, {
        text: 'SELECT status FROM sequences WHERE id = $1',
        values: [b.sequenceId],
      }))!.status,
    ).toBe('completed');
  });

  it('pauses a mailbox, with the reason, once more than 3% of its last 100 sends hard-bounced', async () => {
    const mailbox = {
      kind: 'smtp' as const,
      host: '127.0.0.1',
      port: smtp.port,
      fromEmail: `bouncy-${Math.random().toString(36).slice(2)}@sender.test`,
    };
    let mailboxId: number | null = null;
    for (let i = 0; i < 4; i++) {
      const b = await approved({
        window: ALWAYS,
        fallback: null,
        mailbox: mailboxId ? null : mailbox,
        bindMailbox: true,
      });
      if (mailboxId)
        await ctx.db.query(`UPDATE sequences SET mailbox_id = $2 WHERE id = $1`, [b.sequenceId, mailboxId]);
      mailboxId ??= b.mailboxId;
      const email = (await one<{ email: string }>(ctx.db, {
        text: 'SELECT email FROM contacts WHERE id = $1',
        values: [b.contactId],
      }))!.email;
      smtp.rejectRcpt.set(email, [550, '5.1.1 User unknown']);
      expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('bounced');
      const mb = await one<{ paused_at: Date | null; pause_reason: string | null }>(ctx.db, {
        text: 'SELECT * FROM mailboxes WHERE id = $1',
        values: [mailboxId],
      });
      expect(mb!.paused_at === null).toBe(i < 3);
      if (i === 3) expect(mb!.pause_reason).toMatch(/hard-bounce rate 4\/4/);
    }
  });

  it('signs with DKIM when the mailbox has a key, covering both List-Unsubscribe headers', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const b = await approved({ window: ALWAYS, fallback: null });
    await ctx.db.query(
      `UPDATE mailboxes SET dkim_domain = 'sender.test', dkim_selector = 's1', dkim_key_enc = $2 WHERE id = $1`,
      [b.mailboxId, ctx.secrets.seal(privateKey)],
    );
    const before = smtp.received.length;
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    const m = (await smtp.waitFor(before + 1))[before]!;
    const sig = /^DKIM-Signature: ([\s\S]*?)\r\n(?=\S)/m.exec(m.raw)?.[1] ?? '';
    expect(sig).toMatch(/d=sender\.test/);
    expect(sig).toMatch(/s=s1/);
    const signed = /(?:^|[;\s])h=([^;]+);/
      .exec(sig.replace(/\r\n\s+/g, ''))![1]!
      .toLowerCase()
      .split(':');
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']));
  });

  it('a mailbox whose password cannot be opened is paused and the step kept, not marked unknown', async () => {
    const b = await approved({ window: ALWAYS, fallback: null });
    await ctx.db.query(`UPDATE mailboxes SET smtp_user = 'u', smtp_pass_enc = 'v1.not.a.secret' WHERE id = $1`, [
      b.mailboxId,
    ]);
    const before = smtp.received.length;
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('auth');
    expect((await stepRows(ctx.db, b.sequenceId))[0]!.status).toBe('scheduled');
    expect(
      (await one<{ paused_at: Date | null }>(ctx.db, {
        text: 'SELECT paused_at FROM mailboxes WHERE id = $1',
        values: [b.mailboxId],
      }))!.paused_at,
    ).not.toBeNull();
    expect(smtp.received.length).toBe(before);
  });

  it("rotates a rep's mailboxes and keeps a thread in the mailbox that started it", async () => {
    const owner = ws.users.manager.id; // no mailboxes yet
    const spec = { ownerId: owner, window: ALWAYS, fallback: null, bindMailbox: false };
    const a = await approved({
      ...spec,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, fromEmail: 'm1@sender.test' },
    });
    const b = await approved({
      ...spec,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, fromEmail: 'm2@sender.test' },
    });
    expect((await sendStep(ctx, a.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    const used = async (seq: number) =>
      (await one<{ mailbox_id: number }>(ctx.db, {
        text: 'SELECT mailbox_id FROM sequences WHERE id = $1',
        values: [seq],
      }))!.mailbox_id;
    expect(new Set([await used(a.sequenceId), await used(b.sequenceId)])).toEqual(new Set([a.mailboxId, b.mailboxId]));
    const first = await used(a.sequenceId);
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE id = $1`, [a.stepIds[1], NOW]);
    expect(
      (await sendStep(ctx, a.stepIds[1]!, { transports, now: fixed(new Date(NOW.getTime() + 60_000)) })).status,
    ).toBe('sent');
    const follow = await one<{ mailbox_id: number }>(ctx.db, {
      text: 'SELECT mailbox_id FROM sequence_steps WHERE id = $1',
      values: [a.stepIds[1]],
    });
    expect(follow!.mailbox_id).toBe(first);
  });

  it('the local outbox keeps each message as an .eml and a messages row', async () => {
    const b = await approved({ window: ALWAYS, fallback: null, mailbox: { kind: 'outbox' } });
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(NOW) })).status).toBe('sent');
    const m = await one<{ outbox_path: string; raw: string; direction: string }>(ctx.db, {
      text: `SELECT * FROM messages WHERE step_id = $1`,
      values: [b.stepIds[0]],
    });
    expect(m!.direction).toBe('out');
    expect(existsSync(m!.outbox_path)).toBe(true);
    expect(readFileSync(m!.outbox_path, 'utf8')).toBe(m!.raw);
  });
});
