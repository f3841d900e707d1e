// Upcoming sends: every step not gone yet (scheduled or awaiting its approval) of an active or
// paused sequence, with what a page needs to say why it waits; and a person's reschedule or skip.
import type { Sql } from '../types.js';
import type { ScheduleContextRow } from './sequencing.js';

/** A step with its schedule context (zone, country, template windows). */
export interface UpcomingRow extends ScheduleContextRow {
  id: number;
  sequence_id: number;
  position: number;
  step_no: number;
  status: string;
  scheduled_at: Date | null;
  last_error: string | null;
  delay_days: number;
  earlier_unsettled: number | null;
  sequence_status: string;
  stop_reason: string | null;
  owner_id: number | null;
  account_owner_id: number | null;
  mailbox_id: number | null;
  owner_email: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string;
  account_name: string | null;
}

export interface UpcomingFilter {
  workspaceId: number;
  /** A rep sees the sequences they own or whose account they own. */
  viewer: number | null;
  repId?: number | null;
  mailboxId?: number | null;
  sequenceId?: number | null;
  from?: Date | null;
  to?: Date | null;
}

const WHERE = `s.workspace_id = $1 AND st.status IN ('scheduled', 'awaiting_approval') AND s.status IN ('active', 'paused')
  AND ($2::bigint IS NULL OR s.owner_id = $2 OR a.owner_id = $2)
  AND ($3::bigint IS NULL OR s.owner_id = $3)
  AND ($4::bigint IS NULL OR s.mailbox_id = $4
       OR (s.mailbox_id IS NULL AND s.owner_id = (SELECT mb.user_id FROM mailboxes mb WHERE mb.id = $4)))
  AND ($5::bigint IS NULL OR s.id = $5)
  AND ($6::timestamptz IS NULL OR st.scheduled_at >= $6)
  AND ($7::timestamptz IS NULL OR st.scheduled_at < $7)`;

const FROM = `FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
  LEFT JOIN contacts c ON c.id = s.contact_id
  LEFT JOIN accounts a ON a.id = coalesce(s.account_id, c.account_id)
  LEFT JOIN users u ON u.id = s.owner_id
  LEFT JOIN sequence_templates t ON t.id = s.template_id`;

const filterValues = (f: UpcomingFilter) => [
  f.workspaceId,
  f.viewer,
  f.repId ?? null,
  f.mailboxId ?? null,
  f.sequenceId ?? null,
  f.from ?? null,
  f.to ?? null,
];

export const upcomingSteps = (f: UpcomingFilter, limit: number, offset: number): Sql<UpcomingRow> => ({
  text: `SELECT st.id, st.sequence_id, st.position, st.status, st.scheduled_at, st.last_error, st.delay_days,
                (SELECT count(*) FROM sequence_steps e WHERE e.sequence_id = st.sequence_id AND e.position <= st.position)::int AS step_no,
                nullif((SELECT count(*) FROM sequence_steps n WHERE n.sequence_id = st.sequence_id
                          AND n.position <= (SELECT min(e.position) FROM sequence_steps e
                                              WHERE e.sequence_id = st.sequence_id AND e.position < st.position
                                                AND e.status NOT IN ('sent', 'skipped', 'cancelled'))), 0)::int AS earlier_unsettled,
                s.status AS sequence_status, s.stop_reason, s.owner_id, a.owner_id AS account_owner_id, s.mailbox_id,
                u.email AS owner_email, c.first_name, c.last_name, c.email, a.name AS account_name,
                c.time_zone AS contact_tz, a.time_zone AS account_tz, u.time_zone AS owner_tz, a.country,
                t.sending_window, t.fallback_window, t.fallback_after_days
           ${FROM}
          WHERE ${WHERE}
          ORDER BY st.scheduled_at NULLS LAST, st.id LIMIT $8 OFFSET $9`,
  values: [...filterValues(f), limit, offset],
});

export const countUpcoming = (f: UpcomingFilter): Sql<{ n: number }> => ({
  text: `SELECT count(*)::int AS n ${FROM} WHERE ${WHERE}`,
  values: filterValues(f),
});

export interface MailboxStateRow {
  id: number;
  user_id: number | null;
  from_email: string;
  paused_at: Date | null;
  pause_reason: string | null;
  next_send_at: Date | null;
  daily_cap: number;
  ramp_per_day: number | null;
  created_at: Date;
  sent_24h: number;
  oldest_24h: Date | null;
}

/** Each live mailbox's pause, gap and use of its daily cap, as the claim counts them. */
export const mailboxStates = (workspaceId: number, now: Date): Sql<MailboxStateRow> => ({
  text: `SELECT m.id, m.user_id, m.from_email, m.paused_at, m.pause_reason, m.next_send_at, m.daily_cap, m.ramp_per_day, m.created_at,
                count(x.id)::int AS sent_24h, min(x.claimed_at) AS oldest_24h
           FROM mailboxes m
           LEFT JOIN sequence_steps x ON x.mailbox_id = m.id AND x.claimed_at > $2::timestamptz - interval '24 hours'
                                     AND x.status IN ('sending', 'sent', 'unknown')
          WHERE m.workspace_id = $1 AND m.archived_at IS NULL
          GROUP BY m.id ORDER BY m.id`,
  values: [workspaceId, now],
});

export interface StepLockRow {
  id: number;
  sequence_id: number;
  position: number;
  status: string;
  scheduled_at: Date | null;
  workspace_id: number;
  owner_id: number | null;
  account_owner_id: number | null;
  sequence_status: string;
  /** When the step before it went or is planned to go (skipped and cancelled ones do not count). */
  earlier_at: Date | null;
}

export const lockStepForChange = (workspaceId: number, stepId: number): Sql<StepLockRow> => ({
  text: `SELECT st.id, st.sequence_id, st.position, st.status, st.scheduled_at, s.workspace_id, s.owner_id,
                a.owner_id AS account_owner_id, s.status AS sequence_status,
                (SELECT max(coalesce(e.sent_at, e.scheduled_at)) FROM sequence_steps e
                  WHERE e.sequence_id = st.sequence_id AND e.position < st.position
                    AND e.status NOT IN ('skipped', 'cancelled')) AS earlier_at
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id
           LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND st.id = $2
          FOR UPDATE OF st`,
  values: [workspaceId, stepId],
});

/** A person's new time: the claim's last reason no longer applies. */
export const rescheduleStepRow = (stepId: number, at: Date, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequence_steps SET scheduled_at = $2, last_error = NULL, updated_at = $3
          WHERE id = $1 AND status IN ('scheduled', 'awaiting_approval') RETURNING id`,
  values: [stepId, at, now],
});

export const skipStepByHand = (stepId: number, reason: string, now: Date): Sql<{ id: number }> => ({
  text: `UPDATE sequence_steps SET status = 'skipped', skip_reason = $2, skip_code = 'by_hand', updated_at = $3
          WHERE id = $1 AND status IN ('scheduled', 'awaiting_approval') RETURNING id`,
  values: [stepId, reason, now],
});
