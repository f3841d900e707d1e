// Experiments: what a sequence was assigned, and outcomes per variant and per hold-out arm.
// Outcomes come from `events`. An event without a sequence (a meeting booked from a calendar
// link, a reply matched only by address) counts for the contact's sequence when it happened
// after that sequence was created: a held-out contact who got nothing can still book a meeting,
// and that must count in the hold-out arm exactly as it would in the treated one.
import type { Sql } from '../types.js';
import { crmAccountMatch, crmParam, type CrmFilter } from './dashboard-crm.js';
import { POSITIVE_INTENTS } from './dashboard.js';

const EVENT_OF = `(e.sequence_id = q.id OR (e.sequence_id IS NULL AND e.contact_id = q.contact_id AND e.occurred_at >= q.created_at))`;
const HAS = (cond: string) => `EXISTS (SELECT 1 FROM events e WHERE ${EVENT_OF} AND ${cond})`;
const OUTCOMES = `${HAS(`e.type = 'sent'`)} AS sent,
                  ${HAS(`e.type = 'reply'`)} AS replied,
                  ${HAS(`e.type = 'reply' AND e.data->>'intent' = ANY($4::text[])`)} AS positive,
                  ${HAS(`e.type = 'meeting_booked'`)} AS meeting,
                  ${HAS(`e.type = 'unsubscribe'`)} AS unsubscribed,
                  ${HAS(`e.type = 'bounce'`)} AS bounced,
                  q.status = 'rejected' AS rejected`;
const SUMS = `count(*)::int AS sequences, count(*) FILTER (WHERE sent)::int AS sent,
              count(*) FILTER (WHERE replied)::int AS replied, count(*) FILTER (WHERE positive)::int AS positive,
              count(*) FILTER (WHERE meeting)::int AS meetings, count(*) FILTER (WHERE unsubscribed)::int AS unsubscribed,
              count(*) FILTER (WHERE bounced)::int AS bounced, count(*) FILTER (WHERE rejected)::int AS rejected`;

export interface OutcomeCounts {
  sequences: number;
  sent: number;
  replied: number;
  positive: number;
  meetings: number;
  unsubscribed: number;
  bounced: number;
  rejected: number;
}

/** What drafting needs to know about a sequence's experiment. */
interface ExperimentContextRow {
  variant: number | null;
  variant_of: 'play' | 'template' | null;
  arm: 'treated' | 'holdout' | null;
  experiment: unknown;
  template_steps: { variants?: unknown }[] | null;
}

export const experimentContext = (sequenceId: number): Sql<ExperimentContextRow> => ({
  text: `SELECT q.variant, q.variant_of, q.arm, p.experiment, t.steps AS template_steps
           FROM sequences q LEFT JOIN plays p ON p.id = q.play_id LEFT JOIN sequence_templates t ON t.id = q.template_id
          WHERE q.id = $1`,
  values: [sequenceId],
});

export const playExperiment = (playId: number): Sql<{ trigger: { kind?: string }; experiment: unknown }> => ({
  text: `SELECT id, name, trigger, experiment FROM plays WHERE id = $1`,
  values: [playId],
});

export interface VariantOutcomeRow extends OutcomeCounts {
  variant_of: 'play' | 'template';
  /** The play's or the template's id. */
  owner_id: number;
  owner_name: string;
  variant: number;
  experiment: unknown;
  template_steps: { variants?: unknown }[] | null;
}

/**
 * Outcomes per variant of randomly assigned, treated sequences created in [from, to) (a promoted
 * winner's later sequences are not a random draw and stay out of the comparison).
 */
export const variantOutcomes = (
  workspaceId: number,
  from: Date,
  to: Date,
  playId: number | null = null,
): Sql<VariantOutcomeRow> => ({
  text: `WITH seq AS (
           SELECT q.variant_of, CASE WHEN q.variant_of = 'play' THEN q.play_id ELSE q.template_id END AS owner_id, q.variant,
                  ${OUTCOMES}
             FROM sequences q
            WHERE q.workspace_id = $1 AND q.created_at >= $2 AND q.created_at < $3 AND q.variant IS NOT NULL
              AND q.variant_source = 'random' AND q.arm IS DISTINCT FROM 'holdout' AND q.status <> 'drafting'
              AND ($5::bigint IS NULL OR (q.variant_of = 'play' AND q.play_id = $5)))
         SELECT seq.variant_of, seq.owner_id, seq.variant,
                coalesce(max(p.name), max(t.name), '?') AS owner_name,
                max(p.experiment::text)::jsonb AS experiment, max(t.steps::text)::jsonb AS template_steps, ${SUMS}
           FROM seq
           LEFT JOIN plays p ON seq.variant_of = 'play' AND p.id = seq.owner_id
           LEFT JOIN sequence_templates t ON seq.variant_of = 'template' AND t.id = seq.owner_id
          GROUP BY seq.variant_of, seq.owner_id, seq.variant
          ORDER BY seq.variant_of, owner_name, seq.owner_id, seq.variant`,
  values: [workspaceId, from, to, POSITIVE_INTENTS, playId],
});

export interface ArmOutcomeRow extends OutcomeCounts {
  play_id: number;
  play_name: string;
  signal_type: string;
  arm: 'treated' | 'holdout';
  experiment: unknown;
}

/** Outcomes per play, signal type and hold-out arm, for sequences created in [from, to). */
/** `crm`: only sequences on accounts whose CRM fields hold these (the dashboard's filter). */
export const armOutcomes = (workspaceId: number, from: Date, to: Date, crm: CrmFilter = null): Sql<ArmOutcomeRow> => ({
  text: `WITH seq AS (
           SELECT q.play_id, sig.type AS signal_type, q.arm, ${OUTCOMES}
             FROM sequences q JOIN signals sig ON sig.id = q.signal_id
            WHERE q.workspace_id = $1 AND q.created_at >= $2 AND q.created_at < $3 AND q.arm IS NOT NULL
              AND q.play_id IS NOT NULL AND q.status <> 'drafting' AND ${crmAccountMatch('sig.account_id', 5)})
         SELECT seq.play_id, p.name AS play_name, seq.signal_type, seq.arm, p.experiment, ${SUMS}
           FROM seq JOIN plays p ON p.id = seq.play_id
          GROUP BY seq.play_id, p.name, p.experiment, seq.signal_type, seq.arm
          ORDER BY p.name, seq.play_id, seq.signal_type, seq.arm DESC`,
  values: [workspaceId, from, to, POSITIVE_INTENTS, crmParam(crm)],
});

export interface StepVariantRow {
  template_id: number;
  /** The step's rank in its sequence, 1 for the opener. */
  step: number;
  variant: number;
  sent: number;
  replied: number;
  positive: number;
}

/**
 * Per template step and variant (template experiments only): sequences that sent the step, and
 * replies attributed to it (the last step sent before the reply), as the dashboard's per-step
 * replies count them.
 */
export const stepVariantOutcomes = (workspaceId: number, from: Date, to: Date): Sql<StepVariantRow> => ({
  text: `WITH seq AS (
           SELECT q.id, q.template_id, q.variant FROM sequences q
            WHERE q.workspace_id = $1 AND q.created_at >= $2 AND q.created_at < $3 AND q.variant_of = 'template'
              AND q.variant_source = 'random' AND q.arm IS DISTINCT FROM 'holdout'),
         numbered AS (
           SELECT st.id, (SELECT count(*) FROM sequence_steps e
                           WHERE e.sequence_id = st.sequence_id AND e.position <= st.position)::int AS step
             FROM sequence_steps st JOIN seq ON seq.id = st.sequence_id),
         sent AS (
           SELECT DISTINCT e.sequence_id, n.step FROM events e JOIN numbered n ON n.id = e.step_id WHERE e.type = 'sent'),
         replies AS (
           SELECT r.sequence_id, r.data->>'intent' = ANY($4::text[]) AS positive,
                  (SELECT n.step FROM events s2 JOIN numbered n ON n.id = s2.step_id
                    WHERE s2.sequence_id = r.sequence_id AND s2.type = 'sent' AND s2.occurred_at <= r.occurred_at
                    ORDER BY s2.occurred_at DESC, s2.id DESC LIMIT 1) AS step
             FROM events r JOIN seq ON seq.id = r.sequence_id WHERE r.type = 'reply'),
         rep AS (SELECT sequence_id, step, bool_or(positive) AS positive FROM replies GROUP BY sequence_id, step)
         SELECT seq.template_id, s.step, seq.variant, count(*)::int AS sent, count(rep.sequence_id)::int AS replied,
                count(*) FILTER (WHERE rep.positive)::int AS positive
           FROM sent s JOIN seq ON seq.id = s.sequence_id LEFT JOIN rep ON rep.sequence_id = s.sequence_id AND rep.step = s.step
          GROUP BY seq.template_id, s.step, seq.variant
          ORDER BY seq.template_id, s.step, seq.variant`,
  values: [workspaceId, from, to, POSITIVE_INTENTS],
});
