// Sending one step: claim (one transaction), build and hand the message to the mailbox's
// transport, record the outcome (record.ts). What a failure means is decided by the stage the
// transport reported (smtp-errors.ts): nothing here resends a step it cannot prove unsent. A crash
// between the claim and the record leaves the step in `sending`, which the reconciler resolves.
import type { AppContext } from '../context.js';
import { one } from '../db/index.js';
import { markHandedOver } from '../db/queries/sending.js';
import { claimForSend, type ClaimedStep } from './claim.js';
import { buildStepMessage, type BuiltMessage } from './message.js';
import { recordFailure, recordNotHanded, recordSent } from './record.js';
import { advance, classifySmtpError, type DeliveryStage, type SmtpVerdict } from './smtp-errors.js';
import { compileMessage, type MailTransport, type TransportPool } from './transport.js';

export type SendCtx = Pick<AppContext, 'db' | 'config' | 'log' | 'secrets'>;

export interface SendDeps {
  transports: TransportPool;
  now?: () => Date;
  random?: () => number;
}

export type SendResult =
  | { status: 'sent'; messageId: string; response: string }
  | { status: 'noop' | 'stopped' | 'skipped' | 'deferred' | 'released' | 'held'; reason: string }
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
    from: { name: c.facts.owner_sender_name?.trim() || c.mailbox.from_name, email: c.mailbox.from_email },
    to: { name: c.facts.contact_name, email: c.facts.contact_email },
    contactId: c.facts.contact_id,
    signature: c.facts.owner_signature?.trim() || settingsText(s, 'signature'),
    physicalAddress: settingsText(s, 'physicalAddress'),
    publicUrl: ctx.config.publicUrl,
    trackClicks: s.trackClicks !== false,
    trackOpens: s.trackOpens === true,
  });
}

/** The hand-over marker could not be written, or found the step no longer ours: nothing was sent. */
class NotHandedOver extends Error {
  constructor(
    readonly ours: boolean,
    cause?: unknown,
  ) {
    super(ours ? 'could not mark the step handed over' : 'the step was taken back before it was handed over', {
      cause,
    });
  }
}

export async function sendStep(ctx: SendCtx, stepId: number, deps: SendDeps): Promise<SendResult> {
  // One slot per step in `sending`: as many as the connections, more while the server answers
  // quickly (transport.ts), so the next step is claimed and compiled while a connection is busy.
  const release = await deps.transports.slot();
  try {
    return await claimAndSend(ctx, stepId, deps, release);
  } finally {
    release();
  }
}

async function claimAndSend(ctx: SendCtx, stepId: number, deps: SendDeps, freeSlot: () => void): Promise<SendResult> {
  const clock = deps.now ?? (() => new Date());
  const now = clock();
  const { decision, claimed } = await claimForSend(ctx.db, ctx.secrets, stepId, now, deps.random);
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
  return deliver(ctx, claimed, deps.transports, clock, freeSlot);
}

async function deliver(
  ctx: SendCtx,
  claimed: ClaimedStep,
  transports: TransportPool,
  clock: () => Date,
  freeSlot: () => void,
): Promise<SendResult> {
  const stepId = claimed.facts.step_id;
  const log = ctx.log.child({
    stepId,
    sequenceId: claimed.facts.sequence_id,
    mailboxId: claimed.mailbox.id,
    messageId: claimed.messageId,
  });
  const failed = async (err: unknown, verdict: SmtpVerdict): Promise<SendResult> => {
    const e = err as { responseCode?: number };
    log.warn({ verdict, responseCode: e.responseCode, err }, 'sequence.step.send_failed');
    const error = await recordFailure(ctx, claimed, verdict, err, clock());
    if (verdict === 'held') return { status: 'held', reason: error };
    return { status: verdict === 'bounce' ? 'bounced' : verdict, error } as SendResult;
  };
  // Nothing has left the building until the transport hands the message over: a failure before
  // it is safe to retry, and a mailbox whose credentials cannot be opened is paused like one whose login is refused.
  let msg: BuiltMessage, raw: string, transport: MailTransport;
  try {
    msg = messageFor(ctx, claimed);
    raw = await compileMessage(msg);
  } catch (err) {
    return failed(err, 'retry');
  }
  try {
    transport = transports.for(claimed.mailbox);
  } catch (err) {
    return failed(err, 'auth');
  }
  let stage: DeliveryStage | undefined;
  let handedAt = 0;
  let outcome;
  try {
    outcome = await transport.send(
      raw,
      { from: claimed.mailbox.from_email, to: claimed.facts.contact_email },
      {
        stage: (s) => (stage = advance(stage, s)),
        // Written before MAIL FROM: a step found in `sending` without it never reached the server.
        beforeHandOver: async () => {
          const mine = await one(ctx.db, markHandedOver(stepId, claimed.facts.attempts + 1, clock())).catch((err) => {
            throw new NotHandedOver(true, err);
          });
          if (!mine) throw new NotHandedOver(false);
          handedAt = performance.now();
        },
      },
    );
  } catch (err) {
    if (err instanceof NotHandedOver) {
      log.warn({ err }, 'sequence.step.not_handed_over');
      if (err.ours) await recordNotHanded(ctx, claimed, err.message, clock());
      return { status: 'released', reason: err.message };
    }
    transports.answered(Infinity);
    return failed(err, classifySmtpError(err, stage));
  }
  // The server has it: this step no longer waits for a server, so the next claim may start while it is recorded.
  transports.answered(performance.now() - handedAt);
  freeSlot();
  const at = clock();
  await recordSent(ctx, claimed, msg, raw, outcome, at);
  log.info({ response: outcome.response }, 'sequence.step.sent');
  return { status: 'sent', messageId: msg.messageId, response: outcome.response };
}
