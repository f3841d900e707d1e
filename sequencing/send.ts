// Sending one step: claim (one transaction), build and hand the message to the mailbox's
// transport, record the outcome (another transaction). A crash between the two leaves the
// step in `sending`, which the reconciler resolves; nothing here resends a step it cannot prove unsent.
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import {
  completeIfDone,
  insertEvent,
  insertOutMessage,
  markRetry,
  markSent,
  markStepOutcome,
  pauseMailbox,
  touchContact,
} from '../db/queries/sending.js';
import { loadSchedulePolicy } from './approve.js';
import { claimStep, type ClaimedStep } from './claim.js';
import { buildStepMessage, type BuiltMessage } from './message.js';
import { applyBounce, endSequence } from './outcomes.js';
import { nextSlot } from './schedule.js';
import { MAX_ATTEMPTS, classifySmtpError, retryDelayMs, type SmtpVerdict } from './smtp-errors.js';
import { compileMessage, type MailTransport, type TransportPool } from './transport.js';

export type SendCtx = Pick<AppContext, 'db' | 'config' | 'log' | 'secrets'>;

export interface SendDeps {
  transports: TransportPool;
  now?: () => Date;
  random?: () => number;
}

export type SendResult =
  | { status: 'sent'; messageId: string; response: string }
  | { status: 'noop' | 'stopped' | 'skipped' | 'deferred'; reason: string }
  | { status: 'retry' | 'bounced' | 'rejected' | 'auth' | 'unknown' | 'failed'; error: string };

function settingsText(settings: Record<string, unknown>, key: string): string | undefined {
  const v = settings[key];
  return typeof v === 'string' && v.trim() ? v : undefined;
}

export function messageFor(ctx: Pick<SendCtx, 'secrets' | 'config'>, c: ClaimedStep): BuiltMessage {
  const s = c.facts.settings ?? {};
  return buildStepMessage(ctx.secrets, {
    stepId: c.facts.step_id,
    sequenceId: c.facts.sequence_id,
    subject: c.subject,
    body: c.facts.body,
    thread: c.thread,
    from: { name: c.mailbox.from_name, email: c.mailbox.from_email },
    to: { name: c.facts.contact_name, email: c.facts.contact_email },
    contactId: c.facts.contact_id,
    signature: settingsText(s, 'signature'),
    physicalAddress: settingsText(s, 'physicalAddress'),
    publicUrl: ctx.config.publicUrl,
    trackClicks: s.trackClicks !== false,
    trackOpens: s.trackOpens === true,
  });
}

export async function sendStep(ctx: SendCtx, stepId: number, deps: SendDeps): Promise<SendResult> {
  const clock = deps.now ?? (() => new Date());
  const now = clock();
  const { decision, claimed } = await ctx.db.transaction((tx) => claimStep(tx, ctx.secrets, stepId, now, deps.random));
  if (!claimed) {
    const status =
      decision.kind === 'defer'
        ? 'deferred'
        : decision.kind === 'stop'
          ? 'stopped'
          : decision.kind === 'skip'
            ? 'skipped'
            : 'noop';
    const reason = 'reason' in decision ? decision.reason : '';
    ctx.log.info({ stepId, status, reason }, `sequence.step.${status}`);
    return { status, reason } as SendResult;
  }

  const log = ctx.log.child({
    stepId,
    sequenceId: claimed.facts.sequence_id,
    mailboxId: claimed.mailbox.id,
    messageId: claimed.messageId,
  });
  // Nothing has left the building until transport.send: a failure before it is safe to retry,
  // and a mailbox whose credentials cannot be opened is paused like one whose login is refused.
  let msg: BuiltMessage, raw: string, transport: MailTransport;
  try {
    msg = messageFor(ctx, claimed);
    raw = await compileMessage(msg);
  } catch (err) {
    return recordFailure(ctx, claimed, err, clock(), log, 'retry');
  }
  try {
    transport = deps.transports.for(claimed.mailbox);
  } catch (err) {
    return recordFailure(ctx, claimed, err, clock(), log, 'auth');
  }
  let outcome;
  try {
    outcome = await transport.send(raw, { from: claimed.mailbox.from_email, to: claimed.facts.contact_email });
  } catch (err) {
    return recordFailure(ctx, claimed, err, clock(), log);
  }
  const at = clock();
  await ctx.db.transaction(async (tx) => {
    await run(tx, markSent(stepId, outcome.response, at));
    const f = claimed.facts;
    const m = await one<{ id: number }>(
      tx,
      insertOutMessage({
        workspaceId: f.workspace_id,
        mailboxId: claimed.mailbox.id,
        sequenceId: f.sequence_id,
        stepId,
        contactId: f.contact_id,
        messageId: msg.messageId,
        inReplyTo: msg.inReplyTo ?? null,
        references: msg.references ?? [],
        from: claimed.mailbox.from_email,
        to: f.contact_email,
        subject: msg.subject,
        text: msg.text,
        raw,
        outboxPath: outcome.outboxPath,
        at,
      }),
    );
    await run(
      tx,
      insertEvent({
        workspaceId: f.workspace_id,
        type: 'sent',
        sequenceId: f.sequence_id,
        stepId,
        contactId: f.contact_id,
        accountId: f.account_id,
        signalId: f.signal_id,
        messageRef: m?.id ?? null,
        data: { position: f.position, mailboxId: claimed.mailbox.id },
        at,
      }),
    );
    await run(tx, touchContact(f.contact_id, at));
    await run(tx, completeIfDone(f.sequence_id, at));
  });
  log.info({ response: outcome.response }, 'sequence.step.sent');
  return { status: 'sent', messageId: msg.messageId, response: outcome.response };
}

async function recordFailure(
  ctx: SendCtx,
  c: ClaimedStep,
  err: unknown,
  now: Date,
  log: SendCtx['log'],
  known?: SmtpVerdict,
): Promise<SendResult> {
  const verdict = known ?? classifySmtpError(err);
  const e = err as { response?: string; responseCode?: number; message?: string };
  const error = `${verdict}: ${e.response ?? e.message ?? String(err)}`.slice(0, 1000);
  const stepId = c.facts.step_id;
  log.warn({ verdict, responseCode: e.responseCode, err }, 'sequence.step.send_failed');
  await ctx.db.transaction(async (tx) => {
    const f = c.facts;
    switch (verdict) {
      case 'retry':
      case 'auth': {
        if (verdict === 'auth')
          await run(
            tx,
            pauseMailbox(
              c.mailbox.id,
              `SMTP authentication failed: ${e.response ?? e.message ?? ''}`.slice(0, 500),
              now,
            ),
          );
        if (verdict === 'retry' && f.attempts + 1 >= MAX_ATTEMPTS) {
          await run(tx, markStepOutcome(stepId, 'failed', `gave up after ${MAX_ATTEMPTS} attempts; ${error}`, now));
          break;
        }
        const { zone, policy } = await loadSchedulePolicy(tx, f.sequence_id);
        const at = nextSlot(new Date(now.getTime() + retryDelayMs(f.attempts + 1)), zone, policy, {
          jitterMinutes: 10,
        });
        await run(tx, markRetry(stepId, at ?? new Date(now.getTime() + 86_400_000), error, now));
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
        await run(tx, markStepOutcome(stepId, 'unknown', error, now));
        break;
    }
  });
  const status = verdict === 'bounce' ? 'bounced' : verdict;
  return { status, error } as SendResult;
}
