import type { Sql } from '../types.js';

export interface PlayRow {
  id: number;
  workspace_id: number;
  name: string;
  description: string;
  trigger: Record<string, unknown>;
  personas: unknown[];
  template_id: number | null;
  approval_mode: 'sequence' | 'each_step' | null;
  limits: Record<string, unknown>;
  enabled: boolean;
  experiment: unknown;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const listPlays = (workspaceId: number, onlyEnabled = false): Sql<PlayRow> => ({
  text: `SELECT * FROM plays WHERE workspace_id = $1 AND ($2::boolean IS FALSE OR enabled) ORDER BY id`,
  values: [workspaceId, onlyEnabled],
});

export const findPlay = (workspaceId: number, id: number): Sql<PlayRow> => ({
  text: `SELECT * FROM plays WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

interface PlayFields {
  name: string;
  description: string;
  trigger: unknown;
  personas: unknown;
  templateId: number | null;
  approvalMode: string | null;
  limits: unknown;
  enabled: boolean;
  experiment?: unknown;
}

/** A play's fields as query values, in column order: name through experiment. */
const playValues = (d: PlayFields) => [
  d.name,
  d.description,
  JSON.stringify(d.trigger),
  JSON.stringify(d.personas),
  d.templateId,
  d.approvalMode,
  JSON.stringify(d.limits),
  d.enabled,
  d.experiment == null ? null : JSON.stringify(d.experiment),
];

export const insertPlay = (workspaceId: number, d: PlayFields): Sql<PlayRow> => ({
  text: `INSERT INTO plays (workspace_id, name, description, trigger, personas, template_id, approval_mode, limits, enabled, experiment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
  values: [workspaceId, ...playValues(d)],
});

/** Saves a new version only if nobody saved since `expectedVersion` was read. */
export const updatePlay = (workspaceId: number, id: number, expectedVersion: number, d: PlayFields): Sql<PlayRow> => ({
  text: `UPDATE plays SET name = $4, description = $5, trigger = $6, personas = $7, template_id = $8, approval_mode = $9,
                limits = $10, enabled = $11, experiment = $12, version = version + 1, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *`,
  values: [workspaceId, id, expectedVersion, ...playValues(d)],
});

export const insertPlayVersion = (
  playId: number,
  version: number,
  definition: unknown,
  userId: number | null,
): Sql => ({
  text: `INSERT INTO play_versions (play_id, version, definition, created_by) VALUES ($1, $2, $3, $4)`,
  values: [playId, version, JSON.stringify(definition), userId],
});

/** A row of play_versions with its author's email. */
interface PlayVersionRow {
  id: number;
  play_id: number;
  version: number;
  definition: unknown;
  created_by: number | null;
  created_at: Date;
  created_by_email: string | null;
}

export const listPlayVersions = (playId: number): Sql<PlayVersionRow> => ({
  text: `SELECT v.*, u.email AS created_by_email FROM play_versions v LEFT JOIN users u ON u.id = v.created_by
          WHERE v.play_id = $1 ORDER BY v.version DESC`,
  values: [playId],
});

interface CandidateRow {
  id: number;
  email: string;
  title: string;
  status: string;
  is_champion: boolean;
  engagement: number;
  excluded: string | null;
}

/**
 * The account's contacts with the reason each one may not be used now (null = usable): not
 * active, suppressed by address or domain, in an active sequence, or contacted within the cooldown.
 */
export const playCandidates = (
  workspaceId: number,
  accountId: number,
  cooldownDays: number,
  onlyIds: number[] | null,
): Sql<CandidateRow> => ({
  text: `SELECT c.id, c.email, c.title, c.status, c.is_champion,
                (SELECT count(*) FROM events e WHERE e.contact_id = c.id
                  AND e.type IN ('reply', 'click', 'meeting_booked') AND NOT e.is_bot)::int AS engagement,
                CASE
                  WHEN c.status <> 'active' THEN 'contact is ' || c.status
                  WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.workspace_id = c.workspace_id AND
                                ((s.kind = 'email' AND lower(s.value) = lower(c.email))
                                  OR (s.kind = 'domain' AND lower(s.value) = lower(split_part(c.email, '@', 2)))))
                    THEN 'suppressed'
                  WHEN EXISTS (SELECT 1 FROM sequences q WHERE q.contact_id = c.id
                               AND q.status IN ('drafting', 'pending_review', 'snoozed', 'active', 'paused'))
                    THEN 'already in a sequence'
                  WHEN c.last_contacted_at > now() - make_interval(days => $3)
                    OR EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id AND e.type = 'sent'
                               AND e.occurred_at > now() - make_interval(days => $3))
                    THEN 'contacted in the last ' || $3 || ' days'
                  ELSE NULL
                END AS excluded
           FROM contacts c
          WHERE c.workspace_id = $1 AND c.account_id = $2 AND ($4::bigint[] IS NULL OR c.id = ANY($4::bigint[]))
          ORDER BY c.id`,
  values: [workspaceId, accountId, cooldownDays, onlyIds],
});

export const markUndeliverable = (contactId: number, reason: string): Sql => ({
  text: `UPDATE contacts SET status = 'undeliverable', status_reason = $2, updated_at = now() WHERE id = $1 AND status = 'active'`,
  values: [contactId, reason],
});

export const setSignalPlay = (signalId: number, playId: number | null): Sql => ({
  text: `UPDATE signals SET play_id = $2 WHERE id = $1`,
  values: [signalId, playId],
});

/** A signal a play starts by itself (manual enrollment, inbound event): matched, new, idempotent on its fingerprint. */
export const insertPlaySignal = (s: {
  workspaceId: number;
  accountId: number;
  contactId: number | null;
  type: 'manual' | 'inbound';
  subtype: string;
  title: string;
  summary: string;
  facts: Record<string, unknown>;
  fingerprint: string;
  playId: number | null;
  targetContactIds: number[];
  occurredAt: Date;
}): Sql<{ id: number }> => ({
  text: `INSERT INTO signals (workspace_id, account_id, contact_id, type, subtype, title, summary, facts, fingerprint,
                              status, play_id, target_contact_ids, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $12)
         ON CONFLICT (workspace_id, fingerprint) DO NOTHING RETURNING id`,
  values: [
    s.workspaceId,
    s.accountId,
    s.contactId,
    s.type,
    s.subtype,
    s.title,
    s.summary,
    JSON.stringify(s.facts),
    s.fingerprint,
    s.playId,
    s.targetContactIds,
    s.occurredAt,
  ],
});

export const contactsByIds = (
  workspaceId: number,
  ids: number[],
): Sql<{
  id: number;
  account_id: number | null;
  first_name: string;
  last_name: string;
  account_name: string | null;
  account_owner_id: number | null;
}> => ({
  text: `SELECT c.id, c.email, c.account_id, c.first_name, c.last_name, a.name AS account_name,
                a.owner_id AS account_owner_id
           FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.workspace_id = $1 AND c.id = ANY($2::bigint[]) ORDER BY c.id`,
  values: [workspaceId, ids],
});

export const workspaceInboundSecret = (workspaceId: number): Sql<{ inbound_secret_enc: string | null }> => ({
  text: `SELECT inbound_secret_enc FROM workspaces WHERE id = $1`,
  values: [workspaceId],
});

/** Sets the secret only when none exists, so two callers agree on one. */
export const setInboundSecretIfMissing = (
  workspaceId: number,
  sealed: string,
): Sql<{ inbound_secret_enc: string }> => ({
  text: `UPDATE workspaces SET inbound_secret_enc = coalesce(inbound_secret_enc, $2) WHERE id = $1 RETURNING inbound_secret_enc`,
  values: [workspaceId, sealed],
});
