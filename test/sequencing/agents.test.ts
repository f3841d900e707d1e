import { afterAll, beforeAll, expect, it } from 'vitest';
import { dispatchAgent } from '../../agents/dispatch.js';
import { Queues } from '../../agents/queues.js';
import { startAgents, type RunningAgents } from '../../agents/runtime.js';
import { sendAgent } from '../../agents/send.js';
import type { AppContext } from '../../context.js';
import { approveSequence } from '../../sequencing/approve.js';
import { dispatchTick } from '../../sequencing/dispatch.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ALWAYS, buildSequence, stepRows } from './builders.js';
import { eventually } from '../support/eventually.js';

describeEachBackend('send and dispatch agents over pg-boss', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let agents: RunningAgents;
  let smtp: TestSmtp;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await agents?.stop(5000);
    // The context first: its pooled SMTP connection is what the server's close() waits on (up to
    // smtp-server's 30 s closeTimeout when the client is still connected).
    await ctx?.stop();
    await smtp?.close();
  });

  it('the dispatcher turns a due step into a send job, and the send agent delivers it once', async () => {
    const ws = await buildWorkspace(ctx.db);
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
    });
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, random: () => 0 });
    const enqueued: number[] = [];
    const deps = {
      enqueueSend: (stepId: number) => {
        enqueued.push(stepId);
        return ctx.boss.send(Queues.send.name, { stepId });
      },
      enqueueInbox: async () => null,
    };
    // Two ticks (two dispatchers, or one run twice): two jobs for the same step, one email.
    await dispatchTick(ctx, deps);
    await dispatchTick(ctx, deps);
    expect(enqueued).toEqual([b.stepIds[0], b.stepIds[0]]);
    // Started only now: a worker that drains at once would claim the step between the two ticks.
    agents = await startAgents(ctx, [sendAgent, dispatchAgent] as never);
    await smtp.waitFor(1, 20_000);
    // Both jobs have run (none left to run) before "one email" is asserted.
    await eventually(
      'both send jobs to have run',
      async () =>
        !(
          await ctx.db.query(`SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'active', 'retry')`, [
            Queues.send.name,
          ])
        ).rows.length,
    );
    expect(smtp.received).toHaveLength(1);
    expect((await stepRows(ctx.db, b.sequenceId)).map((s) => s.status)).toEqual(['sent', 'scheduled', 'scheduled']);
  });
});
