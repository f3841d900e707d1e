// The claim's SQL (issue 17 item 2): claim_step() of migration 0028 in one call, and giving a
// claim back when the window rules say no. The rest of the send path is in sending.ts.
import type { Sql } from '../types.js';
import type { ClaimFactsRow } from './sending.js';

/** The claimed step's mailbox reservation, so a claim given back can restore the gap it took. */
export interface MailboxReservation {
  next_send_at: string | null;
  last_sent_at: string | null;
  /** The day the claim was counted on (mailboxes.sent_day: the owner's local date, migration 0035). */
  day: string;
}

/** A candidate mailbox as the claim saw it (sent_today: the per-day counter, 0 on another day). */
export interface CandidateMailboxFacts {
  id: number;
  paused_at: string | null;
  next_send_at: string | null;
  sent_today: number;
  daily_cap: number;
  ramp_per_day: number | null;
  created_at: string;
}

/** What claim_step() (migrations 0028, 0035) returns: jsonb, so timestamps arrive as ISO strings. */
export interface ClaimStepJson extends Omit<ClaimFactsRow, 'scheduled_at' | 'paused_until' | 'earlier_planned_at'> {
  scheduled_at: string | null;
  paused_until: string | null;
  earlier_planned_at: string | null;
  approval_mode: string;
  is_first: boolean;
  own_approval: boolean;
  earlier_awaiting: boolean;
  /** Why the CRM holds the sequence's account out at this moment (crm_hold_out(), migration 0040), or null. */
  crm_held_out: string | null;
  thread: { position: number; subject: string; new_thread: boolean; message_id: string | null; status: string }[];
  clicks: string[];
  mailboxes: CandidateMailboxFacts[];
  /** The reserved mailbox's row (after the reservation) when it claimed, else null. */
  claimed_mailbox: Record<string, unknown> | null;
  message_id: string | null;
  reserved: MailboxReservation | null;
}

/**
 * The claim in one call: locks the step and its sequence, reads its facts and, when every
 * condition SQL can check holds, reserves a mailbox and marks the step `sending`. `messageIdPrefix`
 * is the step's Message-ID up to the `@` (the sender's domain is the chosen mailbox's).
 *
 * A claim that took a step commits without waiting for its WAL flush (synchronous_commit off for
 * this transaction only): nothing leaves before the hand-over marker (markHandedOver), a
 * synchronous commit that flushes the WAL up to it, this claim included. A claim lost to a crash
 * before then leaves the step `scheduled` and the mailbox's count untaken, with nothing sent: what
 * the reconciler makes of a claim never handed over. One fsync per message fewer.
 */
export const claimStepCall = (
  stepId: number,
  now: Date,
  random: number,
  messageIdPrefix: string,
): Sql<{ facts: ClaimStepJson | null }> => ({
  name: 'prospector_claim_step',
  text: `SELECT facts, CASE WHEN facts->>'claimed_mailbox' IS NOT NULL
                            THEN set_config('synchronous_commit', 'off', true) END AS commit_mode
           FROM claim_step($1, $2, $3, $4) AS facts`,
  values: [stepId, now, random, messageIdPrefix],
});

/**
 * A claim the window rules said no to, given back: `sending → scheduled` for this claim only
 * (`attempts`, nothing handed over), its count taken back from the mailbox's day and the gap it
 * reserved restored unless another claim has moved it since.
 */
export const giveBackClaim = (
  stepId: number,
  attempts: number,
  mailboxId: number,
  r: MailboxReservation,
  reservedNext: string | null,
  now: Date,
): Sql => ({
  name: 'prospector_give_back_claim',
  text: `WITH st AS (
           UPDATE sequence_steps SET status = 'scheduled', attempts = attempts - 1, updated_at = $8
            WHERE id = $1 AND status = 'sending' AND attempts = $2 AND handed_at IS NULL RETURNING id),
         mb AS (
           UPDATE mailboxes m SET sent_on_day = greatest(m.sent_on_day - 1, 0),
                  next_send_at = CASE WHEN m.next_send_at IS NOT DISTINCT FROM $6::timestamptz THEN $4::timestamptz ELSE m.next_send_at END,
                  last_sent_at = CASE WHEN m.next_send_at IS NOT DISTINCT FROM $6::timestamptz THEN $5::timestamptz ELSE m.last_sent_at END
             FROM st WHERE m.id = $3 AND m.sent_day = $7::date)
         SELECT id FROM st`,
  values: [stepId, attempts, mailboxId, r.next_send_at, r.last_sent_at, reservedNext, r.day, now],
});
