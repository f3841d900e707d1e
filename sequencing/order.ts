// Steps go out in order: when a step moves later (a 4xx retry, a missed window, a cap, a gap),
// the steps after it move with it, each keeping at least its delay after the one before.
import { run, type Queryable } from '../db/index.js';
import { laterOpenSteps, setStepTime } from '../db/queries/step-approval.js';
import type { WindowPolicy } from './schedule.js';
import { replanLater } from './step-approval-rules.js';

export async function moveLaterSteps(
  tx: Queryable,
  step: { sequenceId: number; position: number; at: Date },
  zone: string,
  policy: WindowPolicy,
  now: Date,
): Promise<number> {
  const later = await run(tx, laterOpenSteps(step.sequenceId, step.position));
  const moves = replanLater(
    step.at,
    later.map((s) => ({ id: s.id, delayDays: s.delay_days, at: s.scheduled_at })),
    zone,
    policy,
    'move',
  );
  for (const m of moves) await run(tx, setStepTime(m.id, m.at, now));
  return moves.length;
}
