// Demo mode's "send due steps now": a newcomer should not wait for Tuesday 09:00 in Denver to see
// a message land. Only in a demo workspace: each active sequence's next scheduled step is moved
// to now under an always-open window (an archived template, so the change is visible in the data),
// then sent through the real path — claim with every other re-check, the mailbox's transport
// (the local outbox), the recorded message. Nothing else about the step is bypassed, and the
// sequence gets its own template back at once, so its later steps wait for their windows again.
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';
import {
  findTemplateByName,
  insertArchivedTemplate,
  isDemoWorkspace,
  nextScheduledSteps,
  openStepNow,
  restoreTemplate,
} from '../db/queries/outbox.js';
import { AppError } from '../errors.js';
import { sendStep, type SendResult } from '../sequencing/send.js';

const DEMO_SEND_NOW_TEMPLATE = 'Demo: send now (sending window ignored)';
const ALWAYS = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };

interface SendNowReport {
  results: { stepId: number; sequenceId: number; result: SendResult }[];
}

export async function demoSendNow(
  ctx: Pick<AppContext, 'db' | 'config' | 'log' | 'secrets' | 'transports'>,
  /** `ownerId`: only sequences this rep may act on (their own, or at accounts they own); null for all. */
  input: { workspaceId: number; userId: number; ownerId: number | null; now?: () => Date },
): Promise<SendNowReport> {
  const clock = input.now ?? (() => new Date());
  const demo = await one(ctx.db, isDemoWorkspace(input.workspaceId));
  if (!demo?.demo) throw new AppError('FORBIDDEN', '"Send due steps now" exists only in the demo workspace.');
  const templateId = await ctx.db.transaction(async (tx) => {
    const found = await one(tx, findTemplateByName(input.workspaceId, DEMO_SEND_NOW_TEMPLATE));
    return (
      found?.id ??
      (await one(
        tx,
        insertArchivedTemplate(
          input.workspaceId,
          DEMO_SEND_NOW_TEMPLATE,
          'Set by the demo\'s "send due steps now" control: every day, all day, so a step can go out at once.',
          ALWAYS,
        ),
      ))!.id
    );
  });
  const steps = await run(ctx.db, nextScheduledSteps(input.workspaceId, input.ownerId));
  const results: SendNowReport['results'] = [];
  for (const s of steps) {
    const opened = await ctx.db.transaction(async (tx) => {
      const row = await one(tx, openStepNow(s.id, templateId, clock()));
      if (row)
        await run(
          tx,
          insertAudit({
            workspaceId: input.workspaceId,
            userId: input.userId,
            action: 'demo.send_now',
            entityType: 'sequence_step',
            entityId: s.id,
          }),
        );
      return row;
    });
    if (!opened) continue;
    // A sequence left on the demo template by an older version keeps it (its own is unknown).
    const own = opened.previous_template_id === templateId ? templateId : opened.previous_template_id;
    try {
      results.push({
        stepId: s.id,
        sequenceId: s.sequence_id,
        result: await sendStep(ctx, s.id, { transports: ctx.transports, now: clock }),
      });
    } finally {
      await run(ctx.db, restoreTemplate(s.sequence_id, templateId, own));
    }
  }
  ctx.log.info(
    {
      workspaceId: input.workspaceId,
      steps: results.length,
      sent: results.filter((r) => r.result.status === 'sent').length,
    },
    'demo.send_now',
  );
  return { results };
}
