import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { correctInbound, resolveUnknown, resumeSequence, simulateReply } from '../../sequencing/control.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { ALWAYS, buildSequence, stepRows } from './builders.js';

const NOW = new Date('2026-03-10T14:00:00Z');

describeEachBackend('rep controls and simulated replies (outbox)', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports.close();
    await ctx.stop();
  });

  const sent = async (accountId?: number) => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      fallback: null,
    });
    if (accountId) {
      await ctx.db.query(`UPDATE sequences SET account_id = $2 WHERE id = $1`, [b.sequenceId, accountId]);
      await ctx.db.query(`UPDATE contacts SET account_id = $2 WHERE id = $1`, [b.contactId, accountId]);
    }
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW });
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: () => NOW })).status).toBe('sent');
    return b;
  };
  const status = async (table: 'sequences' | 'contacts', id: number) =>
    (await one<{ status: string }>(ctx.db, { text: `SELECT status FROM ${table} WHERE id = $1`, values: [id] }))!
      .status;

  it('a reply at one contact pauses the other active sequences at the account; a rep resumes them', async () => {
    const a = await sent();
    const b = await sent(a.accountId);
    const r = await simulateReply(ctx, { stepId: a.stepIds[0]!, body: 'Happy to chat next week.', now: NOW });
    expect(r).toMatchObject({ status: 'stored', kind: 'reply', sequenceId: a.sequenceId });
    expect(await status('sequences', a.sequenceId)).toBe('stopped');
    expect(await status('sequences', b.sequenceId)).toBe('paused');
    await resumeSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW });
    expect(await status('sequences', b.sequenceId)).toBe('active');
    await expect(resumeSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id })).rejects.toMatchObject({
      code: 'STATE',
    });
  });

  it('an unsubscribe request in words suppresses the address', async () => {
    const a = await sent();
    expect(
      (await simulateReply(ctx, { stepId: a.stepIds[0]!, body: 'Please remove me from your list.', now: NOW })).kind,
    ).toBe('unsubscribe');
    expect(await status('contacts', a.contactId)).toBe('unsubscribed');
    expect((await stepRows(ctx.db, a.sequenceId)).map((s) => s.status)).toEqual(['sent', 'cancelled', 'cancelled']);
  });

  it('a rep corrects a classification: the old verdict is kept and the new one takes effect', async () => {
    const a = await sent();
    const r = await simulateReply(ctx, {
      stepId: a.stepIds[0]!,
      subject: 'Out of office',
      body: 'Away this week.',
      headers: { 'Auto-Submitted': 'auto-replied' },
      now: NOW,
    });
    expect(r.kind).toBe('auto_reply');
    expect(await status('sequences', a.sequenceId)).toBe('active');
    await correctInbound(ctx, { messageRowId: r.messageRowId!, kind: 'reply', userId: ws.users.rep.id, now: NOW });
    const m = await one<{
      classification: string;
      corrected_by: number;
      classification_details: { correctedFrom: string };
    }>(ctx.db, { text: 'SELECT * FROM messages WHERE id = $1', values: [r.messageRowId] });
    expect(m).toMatchObject({
      classification: 'reply',
      corrected_by: ws.users.rep.id,
      classification_details: { correctedFrom: 'auto_reply' },
    });
    expect(await status('sequences', a.sequenceId)).toBe('stopped');
    expect(await status('contacts', a.contactId)).toBe('replied');
  });
  it('a person resolves a step left unknown: sent, resend in the next window, or skip', async () => {
    const a = await sent();
    const b = await sent();
    const c = await sent();
    for (const x of [a, b, c])
      await ctx.db.query(`UPDATE sequence_steps SET status = 'unknown', sent_at = NULL WHERE id = $1`, [x.stepIds[0]]);
    await resolveUnknown(ctx, { stepId: a.stepIds[0]!, decision: 'sent', userId: ws.users.rep.id, now: NOW });
    await resolveUnknown(ctx, { stepId: b.stepIds[0]!, decision: 'resend', userId: ws.users.rep.id, now: NOW });
    await resolveUnknown(ctx, { stepId: c.stepIds[0]!, decision: 'skip', userId: ws.users.rep.id, now: NOW });
    expect((await stepRows(ctx.db, a.sequenceId))[0]!.status).toBe('sent');
    const resend = (await stepRows(ctx.db, b.sequenceId))[0]!;
    expect(resend.status).toBe('scheduled');
    expect(resend.scheduled_at!.getTime()).toBeGreaterThanOrEqual(NOW.getTime());
    expect((await stepRows(ctx.db, c.sequenceId))[0]!.status).toBe('skipped');
    await expect(
      resolveUnknown(ctx, { stepId: a.stepIds[0]!, decision: 'resend', userId: ws.users.rep.id }),
    ).rejects.toMatchObject({ code: 'STATE' });
  });
});
