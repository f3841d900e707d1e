// The managers' funnel: signal → matched → drafted → approved → sent → replied → positive
// reply → meeting booked, grouped by one dimension, for signals detected in [from, to).
// Every stage counts signals (a signal drafted for three contacts is one drafted signal); the
// sequences (one per contact reached) are counted beside them, never mixed into the stages.
import type { Sql } from '../types.js';
import { crmAccountMatch, crmParam, type CrmFilter } from './dashboard-crm.js';

export type { CrmFilter } from './dashboard-crm.js';

export const DIMENSIONS = ['signal_type', 'source', 'rep', 'template', 'play'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Reply intents that count as a positive reply (from drafting's reply classifier). */
export const POSITIVE_INTENTS = ['interested', 'meeting_request'];

const SOURCE = `coalesce((SELECT src.name FROM signal_observations o JOIN signal_sources src ON src.id = o.source_id
                          WHERE o.signal_id = sig.id ORDER BY o.observed_at, o.id LIMIT 1), 'no source')`;

// For a signal: its key in the dimension (rep = the account's owner; template has none).
const SIGNAL_KEY: Record<Dimension, string> = {
  signal_type: 'sig.type',
  source: SOURCE,
  rep: `coalesce(owner.name, owner.email, 'unassigned')`,
  template: `NULL::text`,
  play: `coalesce((SELECT pl.name FROM plays pl WHERE pl.id = sig.play_id), 'no play')`,
};
// For a sequence: its key (rep = the sequence's owner); `all` is the funnel's total row.
const SEQUENCE_KEY: Record<Dimension | 'all', string> = {
  all: `'All'::text`,
  signal_type: 'sig.type',
  source: SOURCE,
  rep: `coalesce(owner.name, owner.email, 'unassigned')`,
  template: `coalesce(t.name, 'no template')`,
  play: `coalesce((SELECT pl.name FROM plays pl WHERE pl.id = q.play_id), 'no play')`,
};

export interface SignalStageRow {
  key: string | null;
  signals: number;
  matched: number;
}

const CRM_MATCH = (n: number) => crmAccountMatch('sig.account_id', n);

export const signalStages = (
  workspaceId: number,
  from: Date,
  to: Date,
  dim: Dimension,
  crm: CrmFilter = null,
): Sql<SignalStageRow> => ({
  text: `SELECT ${SIGNAL_KEY[dim]} AS key, count(*)::int AS signals, count(sig.account_id)::int AS matched
           FROM signals sig LEFT JOIN accounts a ON a.id = sig.account_id LEFT JOIN users owner ON owner.id = a.owner_id
          WHERE sig.workspace_id = $1 AND sig.detected_at >= $2 AND sig.detected_at < $3 AND ${CRM_MATCH(4)}
          GROUP BY 1`,
  values: [workspaceId, from, to, crmParam(crm)],
});

export interface SequenceStageRow {
  key: string;
  /** Signals with at least one sequence at each stage. */
  drafted: number;
  approved: number;
  sent: number;
  replied: number;
  positive: number;
  meetings: number;
  /** Sequences drafted: one per contact reached. */
  sequences: number;
  signal_to_first_send_ms: number | null;
}

export const sequenceStages = (
  workspaceId: number,
  from: Date,
  to: Date,
  dim: Dimension | 'all',
  crm: CrmFilter = null,
): Sql<SequenceStageRow> => ({
  text: `WITH seq AS (
           SELECT q.id, q.signal_id, ${SEQUENCE_KEY[dim]} AS key, q.approved_at, sig.detected_at,
                  (SELECT min(e.occurred_at) FROM events e WHERE e.sequence_id = q.id AND e.type = 'sent') AS first_sent_at,
                  EXISTS (SELECT 1 FROM events e WHERE e.sequence_id = q.id AND e.type = 'reply') AS replied,
                  EXISTS (SELECT 1 FROM events e WHERE e.sequence_id = q.id AND e.type = 'reply'
                          AND e.data->>'intent' = ANY($4::text[])) AS positive,
                  EXISTS (SELECT 1 FROM events e WHERE e.sequence_id = q.id AND e.type = 'meeting_booked') AS meeting
             FROM sequences q JOIN signals sig ON sig.id = q.signal_id
             LEFT JOIN users owner ON owner.id = q.owner_id LEFT JOIN sequence_templates t ON t.id = q.template_id
            WHERE q.workspace_id = $1 AND sig.detected_at >= $2 AND sig.detected_at < $3 AND q.status <> 'drafting'
              -- a contact held out with nothing to send (experiments/) was never drafted
              AND q.stop_reason IS DISTINCT FROM 'holdout' AND ${CRM_MATCH(5)})
         SELECT key, count(DISTINCT signal_id)::int AS drafted,
                count(DISTINCT signal_id) FILTER (WHERE approved_at IS NOT NULL)::int AS approved,
                count(DISTINCT signal_id) FILTER (WHERE first_sent_at IS NOT NULL)::int AS sent,
                count(DISTINCT signal_id) FILTER (WHERE replied)::int AS replied,
                count(DISTINCT signal_id) FILTER (WHERE positive)::int AS positive,
                count(DISTINCT signal_id) FILTER (WHERE meeting)::int AS meetings,
                count(*)::int AS sequences,
                (avg(extract(epoch FROM first_sent_at - detected_at)) * 1000)::float8 AS signal_to_first_send_ms
           FROM seq GROUP BY key`,
  values: [workspaceId, from, to, POSITIVE_INTENTS, crmParam(crm)],
});

export interface StepFunnelRow {
  /** 1 for the opener: the step's rank in its sequence (positions are not guaranteed to start at 1). */
  step: number;
  sent: number;
  replies: number;
}

/** Replies attributed to the step they answered (the last step sent before the reply). */
export const stepStages = (workspaceId: number, from: Date, to: Date, crm: CrmFilter = null): Sql<StepFunnelRow> => ({
  text: `WITH seq AS (
           SELECT q.id FROM sequences q JOIN signals sig ON sig.id = q.signal_id
            WHERE q.workspace_id = $1 AND sig.detected_at >= $2 AND sig.detected_at < $3 AND ${CRM_MATCH(4)}),
         numbered AS (
           SELECT st.id, (SELECT count(*) FROM sequence_steps e
                           WHERE e.sequence_id = st.sequence_id AND e.position <= st.position)::int AS step
             FROM sequence_steps st JOIN seq ON seq.id = st.sequence_id),
         sent AS (
           SELECT n.step, count(*)::int AS sent FROM events e JOIN seq ON seq.id = e.sequence_id
             JOIN numbered n ON n.id = e.step_id WHERE e.type = 'sent' GROUP BY n.step),
         replies AS (
           SELECT (SELECT n.step FROM events s2 JOIN numbered n ON n.id = s2.step_id
                    WHERE s2.sequence_id = r.sequence_id AND s2.type = 'sent' AND s2.occurred_at <= r.occurred_at
                    ORDER BY s2.occurred_at DESC LIMIT 1) AS step
             FROM events r JOIN seq ON seq.id = r.sequence_id WHERE r.type = 'reply')
         SELECT sent.step, sent.sent, (SELECT count(*) FROM replies WHERE replies.step = sent.step)::int AS replies
           FROM sent ORDER BY sent.step`,
  values: [workspaceId, from, to, crmParam(crm)],
});

export interface LatencyRow {
  rep: string;
  approved: number;
  median_ms: number | null;
  avg_ms: number | null;
  signal_to_first_send_ms: number | null;
}

/** Approval latency (draft created → approved) and signal → first send, per rep. */
export const repLatency = (workspaceId: number, from: Date, to: Date, crm: CrmFilter = null): Sql<LatencyRow> => ({
  text: `SELECT coalesce(u.name, u.email, 'unassigned') AS rep, count(q.approved_at)::int AS approved,
                (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM q.approved_at - q.created_at)) * 1000)::float8 AS median_ms,
                (avg(extract(epoch FROM q.approved_at - q.created_at)) * 1000)::float8 AS avg_ms,
                (avg(extract(epoch FROM (SELECT min(e.occurred_at) FROM events e
                                         WHERE e.sequence_id = q.id AND e.type = 'sent') - sig.detected_at)) * 1000)::float8
                  AS signal_to_first_send_ms
           FROM sequences q JOIN signals sig ON sig.id = q.signal_id LEFT JOIN users u ON u.id = coalesce(q.approved_by, q.owner_id)
          WHERE q.workspace_id = $1 AND sig.detected_at >= $2 AND sig.detected_at < $3 AND q.approved_at IS NOT NULL
            AND ${CRM_MATCH(4)}
          GROUP BY 1 ORDER BY 1`,
  values: [workspaceId, from, to, crmParam(crm)],
});
