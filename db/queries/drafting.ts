// SQL for drafting: creating a signal's sequences, loading what a drafter needs, saving drafts,
// their versions and the cost of every model call, and the rows behind edit statistics.
import type { Sql } from '../types.js';
import { crmAccountMatch, crmParam, type CrmFilter } from './dashboard-crm.js';
import type { DossierRow } from './research.js';
import type { SequenceRow, SequenceStatus } from './sequencing.js';
import type { SignalRow } from './signals.js';
import type { SequenceTemplateRow } from './templates.js';

export const lockSignal = (id: number): Sql<SignalRow> => ({
  text: `SELECT * FROM signals WHERE id = $1 FOR UPDATE`,
  values: [id],
});

export const setSignalStatus = (
  id: number,
  from: string[],
  to: string,
  error: string | null = null,
): Sql<{ id: number }> => ({
  text: `UPDATE signals SET status = $3, error = $4, updated_at = now() WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
  values: [id, from, to, error],
});

export const setSignalError = (id: number, error: string | null): Sql => ({
  text: `UPDATE signals SET error = $2, updated_at = now() WHERE id = $1`,
  values: [id, error],
});

export const findDossier = (signalId: number, contactId: number): Sql<DossierRow> => ({
  text: `SELECT * FROM dossiers WHERE signal_id = $1 AND contact_id = $2`,
  values: [signalId, contactId],
});

export const findSequenceForSignalContact = (signalId: number, contactId: number): Sql<SequenceRow> => ({
  text: `SELECT * FROM sequences WHERE signal_id = $1 AND contact_id = $2 ORDER BY id LIMIT 1`,
  values: [signalId, contactId],
});

export const sequencesForSignal = (signalId: number): Sql<SequenceRow> => ({
  text: `SELECT * FROM sequences WHERE signal_id = $1 ORDER BY id`,
  values: [signalId],
});

/** The account owner when active, else an active rep, else an active admin. */
export const pickOwner = (workspaceId: number, accountOwnerId: number | null): Sql<{ id: number }> => ({
  text: `SELECT id FROM users WHERE workspace_id = $1 AND disabled_at IS NULL AND (id = $2 OR role IN ('rep', 'admin'))
          ORDER BY (id = $2) DESC NULLS LAST, (role = 'rep') DESC, id LIMIT 1`,
  values: [workspaceId, accountOwnerId],
});

export const firstMailboxOf = (userId: number): Sql<{ id: number }> => ({
  text: `SELECT id FROM mailboxes WHERE user_id = $1 ORDER BY id LIMIT 1`,
  values: [userId],
});

export const insertSequence = (s: {
  workspaceId: number;
  signalId: number;
  accountId: number | null;
  contactId: number;
  templateId: number | null;
  ownerId: number | null;
  mailboxId: number | null;
  approvalMode: string;
  playId?: number | null;
  persona?: string | null;
  staggerHours?: number;
  /** Stored once, before drafting (experiments/assign.ts). */
  experiment?: { variant: number | null; variantOf: string | null; variantSource: string | null; arm: string | null };
  /** A held-out contact who gets nothing: the sequence is born stopped, with no steps. */
  stoppedAs?: string;
}): Sql<SequenceRow> => ({
  text: `INSERT INTO sequences (workspace_id, signal_id, account_id, contact_id, template_id, owner_id, mailbox_id,
                                approval_mode, status, play_id, persona, stagger_hours,
                                variant, variant_of, variant_source, arm, stop_reason, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $16::text IS NULL THEN 'drafting' ELSE 'stopped' END, $9, $10, $11,
                 $12, $13, $14, $15, $16, CASE WHEN $16::text IS NULL THEN NULL ELSE now() END) RETURNING *`,
  values: [
    s.workspaceId,
    s.signalId,
    s.accountId,
    s.contactId,
    s.templateId,
    s.ownerId,
    s.mailboxId,
    s.approvalMode,
    s.playId ?? null,
    s.persona ?? null,
    s.staggerHours ?? 0,
    s.experiment?.variant ?? null,
    s.experiment?.variantOf ?? null,
    s.experiment?.variantSource ?? null,
    s.experiment?.arm ?? null,
    s.stoppedAs ?? null,
  ],
});

/** The template a play's sequences are drafted from, with the play's approval mode. */
type TemplateForPlayRow = SequenceTemplateRow & { play_approval_mode: string | null };

/** What drafting reads about a sequence: its account, contact, owner, mailbox and workspace settings. */
interface DraftContextRow {
  sequence_id: number;
  workspace_id: number;
  signal_id: number | null;
  status: SequenceStatus;
  version: number;
  persona: string | null;
  account_id: number | null;
  account_name: string | null;
  account_domain: string | null;
  account_aliases: string[] | null;
  account_country: string | null;
  contact_id: number;
  first_name: string;
  last_name: string;
  contact_title: string;
  contact_email: string;
  owner_name: string | null;
  owner_email: string | null;
  booking_url: string | null;
  owner_signature: string | null;
  owner_sender_name: string | null;
  mailbox_email: string | null;
  workspace_settings: Record<string, unknown> | null;
}

/** A row of draft_versions: every drafted, edited or refreshed text of a sequence. */
interface DraftVersionRow {
  id: number;
  sequence_id: number;
  version: number;
  source: 'llm' | 'offline' | 'edit' | 'refresh';
  instruction: string | null;
  steps: { subject: string; body: string; citedFactIds: number[] }[];
  gate_results: unknown;
  created_by: number | null;
  created_at: Date;
}

/** A play's own template, else the workspace default. */
export const templateForPlay = (workspaceId: number, playId: number | null): Sql<TemplateForPlayRow> => ({
  text: `SELECT t.*, p.approval_mode AS play_approval_mode
           FROM sequence_templates t LEFT JOIN plays p ON p.id = $2 AND p.workspace_id = $1
          WHERE t.workspace_id = $1 AND t.archived_at IS NULL
          ORDER BY (t.id = p.template_id) IS TRUE DESC, t.is_default DESC, t.id LIMIT 1`,
  values: [workspaceId, playId],
});

export const insertStep = (
  sequenceId: number,
  position: number,
  s: { kind: string; delayDays: number; newThread?: boolean; branch?: unknown },
): Sql => ({
  text: `INSERT INTO sequence_steps (sequence_id, position, kind, delay_days, new_thread, branch) VALUES ($1, $2, $3, $4, $5, $6)`,
  values: [
    sequenceId,
    position,
    s.kind,
    s.delayDays,
    !!s.newThread,
    s.branch === undefined ? null : JSON.stringify(s.branch),
  ],
});

/** Everything about a sequence's people and workspace a drafter needs, in one row. */
export const draftContext = (sequenceId: number): Sql<DraftContextRow> => ({
  text: `SELECT s.id AS sequence_id, s.workspace_id, s.signal_id, s.status, s.version, s.persona,
                a.id AS account_id, a.name AS account_name, a.domain AS account_domain, a.aliases AS account_aliases,
                a.country AS account_country,
                c.id AS contact_id, c.first_name, c.last_name, c.title AS contact_title, c.email AS contact_email,
                u.name AS owner_name, u.email AS owner_email, u.booking_url, u.signature AS owner_signature,
                u.sender_name AS owner_sender_name, m.from_email AS mailbox_email,
                w.settings AS workspace_settings
           FROM sequences s
           JOIN contacts c ON c.id = s.contact_id
           LEFT JOIN accounts a ON a.id = s.account_id
           LEFT JOIN users u ON u.id = s.owner_id
           LEFT JOIN mailboxes m ON m.id = s.mailbox_id
           JOIN workspaces w ON w.id = s.workspace_id
          WHERE s.id = $1`,
  values: [sequenceId],
});

/** A drafted step: the editable text and the drafted text start equal. */
export const saveDraftedStep = (
  sequenceId: number,
  position: number,
  s: { subject: string; body: string; citedFactIds: number[] },
): Sql => ({
  text: `UPDATE sequence_steps SET subject = $3, body = $4, drafted_subject = $3, drafted_body = $4, cited_fact_ids = $5, updated_at = now()
          WHERE sequence_id = $1 AND position = $2 AND status = 'draft'`,
  values: [sequenceId, position, s.subject, s.body, s.citedFactIds],
});

export const insertDraftVersion = (v: {
  sequenceId: number;
  source: string;
  instruction: string | null;
  steps: unknown;
  gateResults: unknown;
  createdBy: number | null;
}): Sql<{ id: number; version: number }> => ({
  text: `INSERT INTO draft_versions (sequence_id, version, source, instruction, steps, gate_results, created_by)
         SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6 FROM draft_versions WHERE sequence_id = $1
         RETURNING id, version`,
  values: [v.sequenceId, v.source, v.instruction, JSON.stringify(v.steps), JSON.stringify(v.gateResults), v.createdBy],
});

export const draftVersions = (sequenceId: number): Sql<DraftVersionRow> => ({
  text: `SELECT * FROM draft_versions WHERE sequence_id = $1 ORDER BY version`,
  values: [sequenceId],
});

export const findDraftVersion = (sequenceId: number, version: number): Sql<DraftVersionRow> => ({
  text: `SELECT * FROM draft_versions WHERE sequence_id = $1 AND version = $2`,
  values: [sequenceId, version],
});

/**
 * Moves a sequence to review with its drafter and failures. `expectVersion` guards a rewrite
 * against a rep's edit made meanwhile (null skips the check).
 */
export const finishDraft = (
  sequenceId: number,
  d: { from: string[]; drafter: string; promptVersion: string; gateFailures: unknown; expectVersion: number | null },
): Sql<SequenceRow> => ({
  text: `UPDATE sequences SET status = 'pending_review', drafter = $3, prompt_version = $4, gate_failures = $5,
                version = version + 1, updated_at = now()
          WHERE id = $1 AND status = ANY($2::text[]) AND ($6::int IS NULL OR version = $6) RETURNING *`,
  values: [sequenceId, d.from, d.drafter, d.promptVersion, JSON.stringify(d.gateFailures), d.expectVersion],
});

/** What the gates say about a sequence's current text (after an edit or a restore). */
export const setGateFailures = (sequenceId: number, failures: unknown): Sql => ({
  text: `UPDATE sequences SET gate_failures = $2, updated_at = now() WHERE id = $1`,
  values: [sequenceId, JSON.stringify(failures)],
});

export const usageForSequence = (
  sequenceId: number,
): Sql<{
  purpose: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
}> => ({
  text: `SELECT purpose, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd::float8 AS cost_usd
           FROM llm_usage WHERE sequence_id = $1 ORDER BY id`,
  values: [sequenceId],
});

/** Drafted and final text of every step of approved sequences, for edit statistics. */
export interface ApprovedStepText {
  sequence_id: number;
  prompt_version: string | null;
  drafter: string | null;
  template_id: number | null;
  template_name: string | null;
  position: number;
  drafted_subject: string | null;
  drafted_body: string | null;
  subject: string;
  body: string;
}

export const approvedStepTexts = (
  workspaceId: number,
  since: Date | null,
  crm: CrmFilter = null,
): Sql<ApprovedStepText> => ({
  text: `SELECT s.id AS sequence_id, s.prompt_version, s.drafter, s.template_id, t.name AS template_name,
                st.position, st.drafted_subject, st.drafted_body, st.subject, st.body
           FROM sequences s
           JOIN sequence_steps st ON st.sequence_id = s.id
           LEFT JOIN sequence_templates t ON t.id = s.template_id
          WHERE s.workspace_id = $1 AND s.approved_at IS NOT NULL AND st.drafted_body IS NOT NULL
            AND ($2::timestamptz IS NULL OR s.approved_at >= $2) AND ${crmAccountMatch('s.account_id', 3)}
          ORDER BY s.id, st.position`,
  values: [workspaceId, since, crmParam(crm)],
});

export const accountOwner = (accountId: number): Sql<{ owner_id: number | null }> => ({
  text: `SELECT owner_id FROM accounts WHERE id = $1`,
  values: [accountId],
});

export const lockReviewSequence = (id: number): Sql<SequenceRow> => ({
  text: `SELECT * FROM sequences WHERE id = $1 AND status = 'pending_review' FOR UPDATE`,
  values: [id],
});

/** Puts text back on a step without touching what was drafted (that stays for edit statistics). */
export const setStepText = (
  sequenceId: number,
  position: number,
  s: { subject: string; body: string; citedFactIds: number[] },
): Sql => ({
  text: `UPDATE sequence_steps SET subject = $3, body = $4, cited_fact_ids = $5, updated_at = now()
          WHERE sequence_id = $1 AND position = $2 AND status = 'draft'`,
  values: [sequenceId, position, s.subject, s.body, s.citedFactIds],
});

export const bumpSequenceVersion = (id: number): Sql<{ version: number }> => ({
  text: `UPDATE sequences SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version`,
  values: [id],
});
