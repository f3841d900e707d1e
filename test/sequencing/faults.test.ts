// Sending under the faults of a real SMTP server (smtp-server on loopback, through the real send
// path): the connection dropped after the final dot, the final dot answered after the client's
// socket timeout, 421 at the greeting, 451 at MAIL FROM; a follow-up due while its opener waits
// on a 4xx; a worker that died before or after handing a step over. Every step is delivered at
// most once, in order, threaded to what was sent, and ends `sent` when it was delivered.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { markClaimed, markHandedOver } from '../../db/queries/sending.js';
import { approveSequence } from '../../sequencing/approve.js';
import { claimStep } from '../../sequencing/claim.js';
import { reconcileStuck, STUCK_AFTER_MS, type SentLookup } from '../../sequencing/reconcile.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ALWAYS, buildSequence, stepRows } from './builders.js';

const NOW = new Date('2026-03-09T15:00:00Z');
const at = (d: Date) => () => d;
const SOCKET_TIMEOUT_MS = 1_500;

describeEachBackend('sending under SMTP faults', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let smtp: TestSmtp;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    smtp = await startSmtp();
  });
  afterEach(() => transports?.close());
  afterAll(async () => {
    await smtp.close();
    await ctx.stop();
  });

  /** A fresh pool per test: a fault at the greeting only meets a new connection. */
  const pool = () =>
    (transports = new TransportPool({ ...transportDeps(ctx), smtpSocketTimeoutMs: SOCKET_TIMEOUT_MS }));
  // The provider's Sent copy of what the server accepted: how reconcile finds a delivered message.
  const lookup: SentLookup = async (_m, id) => smtp.received.some((r) => r.parsed.messageId === id);
  const delivered = (id: string | null) => smtp.received.filter((r) => r.parsed.messageId === id).length;
  const approved = async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
      window: ALWAYS,
      fallback: null,
    });
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW, random: () => 0 });
    const email = (await one<{ email: string }>(ctx.db, {
      text: 'SELECT email FROM contacts WHERE id = $1',
      values: [b.contactId],
    }))!.email;
    return { ...b, email };
  };
  const dueNow = (stepId: number, when: Date) =>
    ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE id = $1`, [stepId, when]);
  const later = (ms: number) => new Date(NOW.getTime() + ms);

  it(`a connection lost after the final dot is unknown, never resent; reconcile finds it sent; the follow-up \
waits for it and threads to it`, async () => {
    pool();
    const b = await approved();
    smtp.faults.set(b.email, { kind: 'drop-after-dot', times: 1 });
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(NOW) })).status).toBe('unknown');
    const [opener] = await stepRows(ctx.db, b.sequenceId);
    expect(opener!.status).toBe('unknown');
    expect(delivered(opener!.message_id)).toBe(1);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(later(60_000)) })).status).toBe('noop');

    // The follow-up comes due while its opener is unknown: it waits.
    await dueNow(b.stepIds[1]!, later(60_000));
    expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: at(later(120_000)) })).status).toBe('deferred');

    const r = await reconcileStuck(ctx, { now: later(STUCK_AFTER_MS + 1_000), lookup });
    expect(r.sent).toBeGreaterThanOrEqual(1);
    expect((await stepRows(ctx.db, b.sequenceId))[0]!.status).toBe('sent');

    await dueNow(b.stepIds[1]!, later(STUCK_AFTER_MS + 2_000));
    const before = smtp.received.length;
    const second = await sendStep(ctx, b.stepIds[1]!, { transports, now: at(later(STUCK_AFTER_MS + 3_000)) });
    expect(second.status).toBe('sent');
    const m2 = (await smtp.waitFor(before + 1))[before]!;
    expect(m2.parsed.inReplyTo).toBe(opener!.message_id);
    expect(m2.parsed.subject).toBe('Re: Congrats on the Series B');
    expect(delivered(opener!.message_id)).toBe(1);
  });

  it('a final dot answered after the client gave up waiting is unknown, and reconciled as sent', async () => {
    pool();
    const b = await approved();
    smtp.faults.set(b.email, { kind: 'slow-dot', ms: SOCKET_TIMEOUT_MS * 3, times: 1 });
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(NOW) })).status).toBe('unknown');
    const [opener] = await stepRows(ctx.db, b.sequenceId);
    expect(opener!.last_error).toMatch(/^unknown: /);
    expect(delivered(opener!.message_id)).toBe(1);
    await reconcileStuck(ctx, { now: later(STUCK_AFTER_MS + 1_000), lookup });
    expect((await stepRows(ctx.db, b.sequenceId))[0]!.status).toBe('sent');
    expect(delivered(opener!.message_id)).toBe(1);
  });

  it(`421 at the greeting and 451 at MAIL FROM are retried later; a follow-up due meanwhile waits, moves with \
its opener, and threads to it`, async () => {
    pool();
    const b = await approved();
    smtp.greeting = { reply: [421, '4.3.2 Service not available, closing transmission channel'], times: 1 };
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(NOW) })).status).toBe('retry');
    let [opener, follow] = await stepRows(ctx.db, b.sequenceId);
    expect(opener).toMatchObject({ status: 'scheduled', attempts: 1 });
    expect(opener!.scheduled_at!.getTime()).toBeGreaterThanOrEqual(later(5 * 60_000).getTime());
    expect(smtp.envelopes.get(b.email)).toBeUndefined();

    // The follow-up comes due while the opener waits on its 4xx: not claimed, moved to its delay (3 days) after the opener.
    await dueNow(b.stepIds[1]!, later(60_000));
    expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: at(later(60_000)) })).status).toBe('deferred');
    [opener, follow] = await stepRows(ctx.db, b.sequenceId);
    expect(follow!.scheduled_at!.getTime()).toBeGreaterThanOrEqual(opener!.scheduled_at!.getTime() + 3 * 86_400_000);

    smtp.mailFrom = { reply: [451, '4.7.1 Please try again later'], times: 1 };
    const retryAt = opener!.scheduled_at!;
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(retryAt) })).status).toBe('retry');
    [opener, follow] = await stepRows(ctx.db, b.sequenceId);
    expect(opener).toMatchObject({ status: 'scheduled', attempts: 2 });
    expect(follow!.scheduled_at!.getTime()).toBeGreaterThanOrEqual(opener!.scheduled_at!.getTime() + 3 * 86_400_000);
    expect(smtp.received.filter((r) => r.envelope.to.includes(b.email))).toHaveLength(0);

    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(opener!.scheduled_at!) })).status).toBe('sent');
    const before = smtp.received.length;
    expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: at(follow!.scheduled_at!) })).status).toBe('sent');
    const [sentOpener] = await stepRows(ctx.db, b.sequenceId);
    const m2 = (await smtp.waitFor(before + 1))[before]!;
    expect(m2.parsed.inReplyTo).toBe(sentOpener!.message_id);
    expect(smtp.received.filter((r) => r.envelope.to.includes(b.email))).toHaveLength(2);
  });

  it('a later step is refused while an earlier one is not settled, by the claim update and by the trigger', async () => {
    const b = await approved();
    await dueNow(b.stepIds[1]!, NOW);
    expect(await one(ctx.db, markClaimed(b.stepIds[1]!, b.mailboxId!, '<x@sender.test>', NOW))).toBeUndefined();
    await expect(
      ctx.db.query(`UPDATE sequence_steps SET status = 'sending' WHERE id = $1`, [b.stepIds[1]]),
    ).rejects.toThrow(/earlier steps of its sequence/);
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual([
      'scheduled',
      'scheduled',
      'scheduled',
    ]);
  });

  it('a step claimed by a process that died before handing it over goes back to scheduled; one handed over is looked up', async () => {
    const b = await approved();
    // A worker claims the opener and dies before MAIL FROM.
    const { claimed } = await ctx.db.transaction((tx) => claimStep(tx, ctx.secrets, b.stepIds[0]!, NOW));
    expect(claimed).toBeTruthy();
    let r = await reconcileStuck(ctx, { now: later(STUCK_AFTER_MS + 1_000), lookup });
    expect(r.released).toBeGreaterThanOrEqual(1);
    let [opener] = await stepRows(ctx.db, b.sequenceId);
    expect(opener!.status).toBe('scheduled');

    // Again, and this time it dies after marking the hand-over: not in the Sent folder → a person decides.
    const again = await ctx.db.transaction((tx) => claimStep(tx, ctx.secrets, b.stepIds[0]!, later(STUCK_AFTER_MS)));
    expect(await one(ctx.db, markHandedOver(b.stepIds[0]!, again.claimed!.facts.attempts + 1, NOW))).toBeTruthy();
    r = await reconcileStuck(ctx, { now: later(3 * STUCK_AFTER_MS), lookup });
    [opener] = await stepRows(ctx.db, b.sequenceId);
    expect(opener!.status).toBe('unknown');
    expect(delivered(opener!.message_id)).toBe(0);
    const events = await run(ctx.db, {
      text: `SELECT 1 FROM events WHERE sequence_id = $1 AND type = 'sent'`,
      values: [b.sequenceId],
    });
    expect(events).toHaveLength(0);
  });

  it('claims no more steps than it can hand to a server now: the rest stay scheduled until a slot frees', async () => {
    pool();
    const bs = await Promise.all([1, 2, 3, 4].map(() => approved()));
    for (const b of bs) smtp.faults.set(b.email, { kind: 'slow-dot', ms: SOCKET_TIMEOUT_MS * 0.8, times: 1 });
    const sends = bs.map((b) => sendStep(ctx, b.stepIds[0]!, { transports, now: at(NOW) }));
    const reached = () => bs.reduce((n, b) => n + (smtp.envelopes.get(b.email) ?? 0), 0);
    while (reached() < 2) await new Promise((r) => setTimeout(r, 20));
    const statuses = await run<{ status: string }>(ctx.db, {
      text: `SELECT status FROM sequence_steps WHERE id = ANY($1::bigint[])`,
      values: [bs.map((b) => b.stepIds[0])],
    });
    expect(statuses.filter((s) => s.status === 'sending')).toHaveLength(2);
    expect(statuses.filter((s) => s.status === 'scheduled')).toHaveLength(2);
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });
});
