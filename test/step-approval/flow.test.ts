// Per-step approval against the database: the claim refuses a later step of an each_step
// sequence without its own approval, a reply still stops an approved step, unapproved steps move
// window by window and are skipped after three, and "what changed" finds a new signal and a
// title change. Fixed clocks throughout.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { claimStep } from '../../sequencing/claim.js';
import { simulateReply } from '../../sequencing/control.js';
import { dispatchTick } from '../../sequencing/dispatch.js';
import { sendStep } from '../../sequencing/send.js';
import { approveStep, loadChanges, stepApprovalTick, textDigest } from '../../sequencing/step-approval.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { ALWAYS, buildSequence, stepRows, type SequenceSpec } from '../sequencing/builders.js';

const NOW = new Date('2026-03-09T15:00:00Z'); // a Monday
const NY = 'America/New_York';
const at = (d: Date) => () => d;
const local = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone: NY }).toFormat('ccc HH:mm') : null);

describeEachBackend('per-step approval', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    await ctx.db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
      ws.id,
      JSON.stringify({ physicalAddress: '1 Example Street', approvalMode: 'each_step' }),
    ]);
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports.close();
    await ctx.stop();
  });

  const eachStep = async (spec: Partial<SequenceSpec> = {}) => {
    const b = await buildSequence(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, ...spec });
    await ctx.db.query(`UPDATE sequences SET approval_mode = 'each_step' WHERE id = $1`, [b.sequenceId]);
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW, random: () => 0 });
    return b;
  };
  const claim = (stepId: number, now: Date) =>
    ctx.db.transaction((tx) => claimStep(tx, ctx.secrets, stepId, now, () => 0));
  const sentWithoutOwnApproval = async (sequenceId: number) =>
    (await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
            WHERE s.id = $1 AND st.status IN ('sending', 'sent', 'unknown') AND st.approved_at IS NULL`,
      values: [sequenceId],
    }))!.n;

  it('approving the draft approves only the opener; the later steps wait with their planned times', async () => {
    const b = await eachStep({ contactTz: NY });
    const steps = await stepRows(ctx.db, b.sequenceId);
    expect(steps.map((s) => s.status)).toEqual(['scheduled', 'awaiting_approval', 'awaiting_approval']);
    expect(steps.map((s) => local(s.scheduled_at))).toEqual(['Tue 09:00', 'Fri 09:00', 'Tue 09:00']);
    const approvals = await run<{ approved_at: Date | null }>(ctx.db, {
      text: 'SELECT approved_at FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
      values: [b.sequenceId],
    });
    expect(approvals.map((a) => a.approved_at !== null)).toEqual([true, false, false]);
  });

  it('no step after the opener is claimed for sending without its own approval', async () => {
    const b = await eachStep({ window: ALWAYS, fallback: null });
    const steps = await stepRows(ctx.db, b.sequenceId);
    // The dispatcher runs at every step's time: only the opener is ever enqueued.
    const enqueued: number[] = [];
    for (const s of steps)
      await dispatchTick(ctx, {
        now: s.scheduled_at!,
        enqueueSend: async (id) => enqueued.push(id),
        enqueueInbox: async () => null,
      });
    expect(new Set(enqueued.filter((id) => b.stepIds.includes(id)))).toEqual(new Set([b.stepIds[0]]));
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(steps[0]!.scheduled_at!) })).status).toBe('sent');
    expect((await claim(b.stepIds[1]!, steps[1]!.scheduled_at!)).decision).toEqual({
      kind: 'noop',
      reason: 'step is awaiting_approval',
    });

    // Even a step some bug marked `scheduled` without an approval is refused at the claim and sent back to wait.
    await ctx.db.query(`UPDATE sequence_steps SET status = 'scheduled' WHERE id = $1`, [b.stepIds[1]]);
    const held = await claim(b.stepIds[1]!, steps[1]!.scheduled_at!);
    expect(held.decision.kind).toBe('hold');
    expect(held.claimed).toBeUndefined();
    expect((await stepRows(ctx.db, b.sequenceId))[1]!.status).toBe('awaiting_approval');
    // And the database itself refuses the move to `sending`.
    await ctx.db.query(`UPDATE sequence_steps SET status = 'scheduled' WHERE id = $1`, [b.stepIds[1]]);
    await expect(
      ctx.db.query(`UPDATE sequence_steps SET status = 'sending' WHERE id = $1`, [b.stepIds[1]]),
    ).rejects.toThrow(/no approval of its own/);
    await ctx.db.query(`UPDATE sequence_steps SET status = 'awaiting_approval' WHERE id = $1`, [b.stepIds[1]]);
    expect(await sentWithoutOwnApproval(b.sequenceId)).toBe(0);

    // Approved on its own, it is claimed and sent.
    const s1 = (await one<{ subject: string; body: string }>(ctx.db, {
      text: 'SELECT subject, body FROM sequence_steps WHERE id = $1',
      values: [b.stepIds[1]],
    }))!;
    await approveStep(ctx, {
      stepId: b.stepIds[1]!,
      userId: ws.users.rep.id,
      digest: textDigest(s1.subject, s1.body),
      now: steps[1]!.scheduled_at!,
    });
    expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: at(steps[1]!.scheduled_at!) })).status).toBe('sent');
    const out = await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM messages WHERE step_id = $1 AND direction = 'out'`,
      values: [b.stepIds[1]],
    });
    expect(out!.n).toBe(1);
    expect(await sentWithoutOwnApproval(b.sequenceId)).toBe(0);
  });

  it('refuses an approval of text that changed since the page was loaded, and of a step whose earlier step still waits', async () => {
    const b = await eachStep({ window: ALWAYS, fallback: null });
    await expect(approveStep(ctx, { stepId: b.stepIds[2]!, userId: ws.users.rep.id, now: NOW })).rejects.toMatchObject({
      code: 'STATE',
    });
    await expect(
      approveStep(ctx, { stepId: b.stepIds[1]!, userId: ws.users.rep.id, digest: textDigest('old', 'text'), now: NOW }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual([
      'scheduled',
      'awaiting_approval',
      'awaiting_approval',
    ]);
  });

  it("a reply arriving between the step's approval and its send still stops it", async () => {
    const b = await eachStep({ window: ALWAYS, fallback: null });
    const steps = await stepRows(ctx.db, b.sequenceId);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(steps[0]!.scheduled_at!) })).status).toBe('sent');
    await approveStep(ctx, { stepId: b.stepIds[1]!, userId: ws.users.rep.id, now: steps[0]!.scheduled_at! });
    expect((await stepRows(ctx.db, b.sequenceId))[1]!.status).toBe('scheduled');
    await simulateReply(ctx, {
      stepId: b.stepIds[0]!,
      body: 'Thanks, not right now.',
      now: new Date(steps[0]!.scheduled_at!.getTime() + 3_600_000),
      intentOf: async () => ({ intent: 'not_now' }),
    });
    const r = await sendStep(ctx, b.stepIds[1]!, { transports, now: at(steps[1]!.scheduled_at!) });
    expect(r.status).not.toBe('sent');
    const after = await stepRows(ctx.db, b.sequenceId);
    expect(after.map((s) => s.status)).toEqual(['sent', 'cancelled', 'cancelled']);
    const seq = await one<{ status: string; stop_reason: string }>(ctx.db, {
      text: 'SELECT status, stop_reason FROM sequences WHERE id = $1',
      values: [b.sequenceId],
    });
    expect(seq).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
    expect(
      (await one<{ n: number }>(ctx.db, {
        text: `SELECT count(*)::int AS n FROM messages WHERE step_id = $1`,
        values: [b.stepIds[1]],
      }))!.n,
    ).toBe(0);
  });

  it('an out-of-office moves steps still waiting for approval past the return date, out of the queue until then', async () => {
    const b = await eachStep({ window: ALWAYS, fallback: null });
    const steps = await stepRows(ctx.db, b.sequenceId);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: at(steps[0]!.scheduled_at!) })).status).toBe('sent');
    await ctx.db.query(`UPDATE sequence_steps SET returned_at = $2 WHERE id = $1`, [
      b.stepIds[1],
      steps[0]!.scheduled_at,
    ]);
    const back = new Date(steps[0]!.scheduled_at!.getTime() + 20 * 86_400_000);
    const ooo = `I am out of the office until ${back.toISOString().slice(0, 10)} with limited access to email.`;
    await simulateReply(ctx, {
      stepId: b.stepIds[0]!,
      body: ooo,
      subject: 'Automatic reply: out of office',
      headers: { 'Auto-Submitted': 'auto-replied' },
      now: new Date(steps[0]!.scheduled_at!.getTime() + 3_600_000),
    });
    const after = await run<{ status: string; scheduled_at: Date; returned_at: Date | null }>(ctx.db, {
      text: 'SELECT status, scheduled_at, returned_at FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
      values: [b.sequenceId],
    });
    expect(after.slice(1).map((s) => s.status)).toEqual(['awaiting_approval', 'awaiting_approval']);
    expect(after[1]!.scheduled_at.getTime()).toBeGreaterThanOrEqual(back.getTime());
    expect(after[1]!.returned_at).toBeNull();
  });

  it('a step left unapproved through three windows is skipped with the reason, and the next step is planned from the skip', async () => {
    const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '11:00' };
    const b = await eachStep({
      contactTz: NY,
      window: weekdays,
      fallback: null,
      steps: [{ delayDays: 0 }, { delayDays: 3 }, { delayDays: 1 }],
    });
    const times = async () => (await stepRows(ctx.db, b.sequenceId)).map((s) => local(s.scheduled_at));
    expect(await times()).toEqual(['Tue 09:00', 'Fri 09:00', 'Mon 09:00']);
    const due = (await stepRows(ctx.db, b.sequenceId))[1]!.scheduled_at!;
    const tick = (d: Date) => stepApprovalTick(ctx, { now: d, random: () => 0 });
    const h = (n: number) => new Date(due.getTime() + n * 3_600_000);

    // The tick covers every workspace; this step's row says what it did here.
    await tick(h(-30));
    await tick(h(1)); // inside its window: it may still be approved
    expect(await times()).toEqual(['Tue 09:00', 'Fri 09:00', 'Mon 09:00']);
    await tick(h(2.02));
    expect(await times()).toEqual(['Tue 09:00', 'Mon 09:00', 'Tue 09:00']);
    const second = (await stepRows(ctx.db, b.sequenceId))[1]!.scheduled_at!;
    await tick(new Date(second.getTime() + 2.02 * 3_600_000));
    expect(await times()).toEqual(['Tue 09:00', 'Tue 09:00', 'Wed 09:00']);
    const third = (await stepRows(ctx.db, b.sequenceId))[1]!.scheduled_at!;
    const skipAt = new Date(third.getTime() + 2.02 * 3_600_000);
    await tick(skipAt);

    const row = (await one<{ status: string; skip_code: string; skip_reason: string; missed_windows: number }>(ctx.db, {
      text: 'SELECT * FROM sequence_steps WHERE id = $1',
      values: [b.stepIds[1]],
    }))!;
    expect(row).toMatchObject({
      status: 'skipped',
      skip_code: 'not_approved',
      skip_reason: 'not approved in 3 sending windows',
      missed_windows: 3,
    });
    const next = (await stepRows(ctx.db, b.sequenceId))[2]!;
    expect(next.status).toBe('awaiting_approval');
    // One day after the skip (Wednesday 11:01), then into the next window: Thursday 09:00.
    expect(local(next.scheduled_at)).toBe('Thu 09:00');
    expect(next.scheduled_at!.getTime()).toBeGreaterThanOrEqual(skipAt.getTime() + 86_400_000);
    expect(
      (await one<{ status: string }>(ctx.db, {
        text: 'SELECT status FROM sequences WHERE id = $1',
        values: [b.sequenceId],
      }))!.status,
    ).toBe('active');
  });

  it('"what changed" lists a new signal on the account and the contact\'s new title, and nothing before approval', async () => {
    const b = await eachStep({ window: ALWAYS, fallback: null });
    const later = new Date(NOW.getTime() + 2 * 86_400_000);
    const before = new Date(NOW.getTime() - 86_400_000);
    await ctx.db.query(
      `INSERT INTO signals (workspace_id, account_id, type, title, fingerprint, detected_at) ` +
        `VALUES ($1, $2, 'hiring', 'Acme is hiring 12 SDRs', $3, $4)`,
      [ws.id, b.accountId, `fp-new-${b.sequenceId}`, later],
    );
    await ctx.db.query(
      `INSERT INTO signals (workspace_id, account_id, type, title, fingerprint, detected_at) VALUES ($1, $2, 'news', 'Old news', $3, $4)`,
      [ws.id, b.accountId, `fp-old-${b.sequenceId}`, before],
    );
    await ctx.db.query(
      `INSERT INTO contact_changes (contact_id, field, old_value, new_value, source, at) ` +
        `VALUES ($1, 'title', 'VP Sales', 'Chief Revenue Officer', 'import', $2)`,
      [b.contactId, later],
    );
    const items = await loadChanges(ctx.db, b.stepIds[1]!, 30, new Date(later.getTime() + 3_600_000));
    expect(items.map((i) => [i.kind, i.text])).toEqual(
      expect.arrayContaining([
        ['signal', 'hiring: Acme is hiring 12 SDRs'],
        ['contact', 'title: VP Sales → Chief Revenue Officer'],
      ]),
    );
    expect(items.map((i) => i.text).join('\n')).not.toContain('Old news');
  });
});
