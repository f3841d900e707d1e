// Recording what happened to a claimed step. The server's answer is a fact: each record is
// retried while the database is away, for as long as the process lives (db/transient.ts), so a
// 250 received during a restart still ends `sent`. If the process dies first, the step stays in
// `sending` and the reconciler finds it by its Message-ID.
import { run, type Queryable } from '../db/index.js';
import {
  holdStep,
  markAmbiguous,
  markRetry,
  markStepOutcome,
  pauseMailbox,
  recordSentSql,
  releaseUnhanded,
} from '../db/queries/sending.js';
import { pauseForConsent, recordConsentError } from '../db/queries/mailbox-oauth.js';
import { persist } from '../db/transient.js';
import type { AppContext } from '../context.js';
import { ConsentError } from '../mailboxes/oauth-types.js';
import { loadSchedulePolicy } from './approve.js';
import type { ClaimedStep } from './claim.js';
import type { BuiltMessage } from './message.js';
import { moveLaterSteps } from './order.js';
import { applyBounce, endSequence } from './outcomes.js';
import { STUCK_AFTER_MS } from './reconcile.js';
import { nextSlot } from './schedule.js';
import { MAX_ATTEMPTS, retryDelayMs, type SmtpVerdict } from './smtp-errors.js';
import type { SendOutcome } from './transport.js';

type RecordCtx = Pick<AppContext, 'db' | 'log'>;

/** One outcome write in its own transaction, retried until the database takes it. */
function durably<T>(
  ctx: RecordCtx,
  what: string,
  stepId: number,
  fn: (tx: Queryable) => Promise<T>,
  opts: { transaction?: boolean } = {},
) {
  return persist(() => (opts.transaction === false ? fn(ctx.db) : ctx.db.transaction(fn)), {
    onRetry: (err, attempt, waitMs) => ctx.log.warn({ stepId, err, attempt, waitMs }, `sequence.step.${what}_retrying`),
  });
}

export async function recordSent(
  ctx: RecordCtx,
  c: ClaimedStep,
  msg: BuiltMessage,
  raw: string,
  outcome: SendOutcome,
  at: Date,
): Promise<void> {
  const f = c.facts;
  const stepId = f.step_id;
  // One statement, so no transaction around it: the step, the message, the event, the contact, the sequence.
  await durably(
    ctx,
    'record',
    stepId,
    (db) =>
      run(
        db,
        recordSentSql({
          stepId,
          response: outcome.response,
          message: {
            workspaceId: f.workspace_id,
            mailboxId: c.mailbox.id,
            sequenceId: f.sequence_id,
            stepId,
            contactId: f.contact_id,
            messageId: msg.messageId,
            inReplyTo: msg.inReplyTo ?? null,
            references: msg.references ?? [],
            from: c.mailbox.from_email,
            to: f.contact_email,
            subject: msg.subject,
            text: msg.text,
            raw,
            outboxPath: outcome.outboxPath,
            at,
          },
          event: { accountId: f.account_id, signalId: f.signal_id, position: f.position },
        }),
      ),
    { transaction: false },
  );
}

/** Nothing reached the server (no connection, the hand-over refused): back to `scheduled`, untouched otherwise. */
export async function recordNotHanded(ctx: RecordCtx, c: ClaimedStep, reason: string, now: Date): Promise<void> {
  await durably(ctx, 'release', c.facts.step_id, (db) => run(db, releaseUnhanded(c.facts.step_id, reason, now)), {
    transaction: false,
  });
}

export async function recordFailure(
  ctx: RecordCtx,
  c: ClaimedStep,
  verdict: SmtpVerdict,
  err: unknown,
  now: Date,
): Promise<string> {
  const e = err as { response?: string; responseCode?: number; message?: string };
  const error = `${verdict}: ${e.response ?? e.message ?? String(err)}`.slice(0, 1000);
  const f = c.facts;
  const stepId = f.step_id;
  await durably(ctx, 'record_failure', stepId, async (tx) => {
    switch (verdict) {
      case 'held': {
        // The mailbox waits for a reconnect; its steps wait with it (deferred while it is paused), nothing failed.
        const reason = err instanceof ConsentError ? err.reason : error;
        await run(tx, recordConsentError(c.mailbox.id, reason));
        await run(tx, pauseForConsent(c.mailbox.id, reason));
        await run(tx, holdStep(stepId, f.attempts + 1, now, `held: ${reason}`.slice(0, 1000), now));
        break;
      }
      case 'retry':
      case 'auth': {
        if (verdict === 'auth') {
          const why = `SMTP authentication failed: ${e.response ?? e.message ?? ''}`.slice(0, 500);
          await run(tx, pauseMailbox(c.mailbox.id, why, now));
        }
        if (verdict === 'retry' && f.attempts + 1 >= MAX_ATTEMPTS) {
          // Giving up on a step ends the sequence: a follow-up must not go out after an opener that never did.
          await run(tx, markStepOutcome(stepId, 'failed', `gave up after ${MAX_ATTEMPTS} attempts; ${error}`, now));
          await endSequence(tx, f.sequence_id, 'stopped', `step ${f.position} could not be delivered`, now);
          break;
        }
        const { zone, policy } = await loadSchedulePolicy(tx, f.sequence_id);
        const at =
          nextSlot(new Date(now.getTime() + retryDelayMs(f.attempts + 1)), zone, policy, { jitterMinutes: 10 }) ??
          new Date(now.getTime() + 86_400_000);
        await run(tx, markRetry(stepId, at, error, now));
        await moveLaterSteps(tx, { sequenceId: f.sequence_id, position: f.position, at }, zone, policy, now);
        break;
      }
      case 'bounce': {
        await run(tx, markStepOutcome(stepId, 'failed', error, now));
        const status =
          /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(e.response ?? '')?.[1] ??
          (e.responseCode ? String(e.responseCode) : null);
        await applyBounce(tx, {
          workspaceId: f.workspace_id,
          contactId: f.contact_id,
          email: f.contact_email,
          hard: true,
          status,
          diagnostic: e.response ?? null,
          sequenceId: f.sequence_id,
          stepId,
          mailboxId: c.mailbox.id,
          now,
        });
        break;
      }
      case 'rejected':
        await run(tx, markStepOutcome(stepId, 'failed', error, now));
        await endSequence(tx, f.sequence_id, 'stopped', 'send rejected by the server', now);
        break;
      case 'unknown':
        // The server may have it: the reconciler looks its Message-ID up once the Sent folder has caught up.
        await run(tx, markAmbiguous(stepId, error, new Date(now.getTime() + STUCK_AFTER_MS), now));
        break;
    }
  });
  return error;
}
