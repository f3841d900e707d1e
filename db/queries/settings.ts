// RevOps settings: account and contact edits, import mapping, signal sources, templates,
// mailboxes, users and workspace settings. Every statement is scoped to a workspace.
import type { Sql } from '../types.js';

export const updateAccount = (
  workspaceId: number,
  id: number,
  a: {
    name: string;
    domain: string | null;
    aliases: string[];
    ownerId: number | null;
    timeZone: string | null;
    country: string | null;
    tags: string[];
    notes: string;
  },
): Sql => ({
  text: `UPDATE accounts SET name = $3, domain = $4, aliases = $5, owner_id = $6, time_zone = $7, country = $8, tags = $9, notes = $10, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, a.name, a.domain, a.aliases, a.ownerId, a.timeZone, a.country, a.tags, a.notes],
});

export const findContact = (workspaceId: number, id: number): Sql => ({
  text: `SELECT * FROM contacts WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const accountChoices = (workspaceId: number): Sql => ({
  text: `SELECT id, name, domain FROM accounts WHERE workspace_id = $1 ORDER BY lower(name), id LIMIT 2000`,
  values: [workspaceId],
});

export const setImportMapping = (
  workspaceId: number,
  id: number,
  mapping: Record<string, string>,
  emptyCells: 'keep' | 'clear',
): Sql => ({
  text: `UPDATE imports SET mapping = $3, empty_cells = $4
          WHERE workspace_id = $1 AND id = $2 AND status = 'queued' RETURNING id`,
  values: [workspaceId, id, JSON.stringify(mapping), emptyCells],
});

export interface SourceRow {
  id: number;
  kind: string;
  name: string;
  url: string | null;
  config: Record<string, unknown>;
  enabled: boolean;
  poll_interval_minutes: number;
  last_polled_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  consecutive_failures: number;
  next_poll_at: Date | null;
  etag: string | null;
  last_modified: string | null;
  snapshot: unknown;
}

export const listSources = (workspaceId: number): Sql => ({
  text: `SELECT src.*, (SELECT count(*) FROM signal_observations o WHERE o.source_id = src.id)::int AS observations
           FROM signal_sources src WHERE src.workspace_id = $1 ORDER BY src.enabled DESC, lower(src.name), src.id`,
  values: [workspaceId],
});

export const findSource = (workspaceId: number, id: number): Sql => ({
  text: `SELECT * FROM signal_sources WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const insertSource = (
  workspaceId: number,
  s: { kind: string; name: string; url: string | null; config: Record<string, unknown>; pollIntervalMinutes: number },
): Sql => ({
  text: `INSERT INTO signal_sources (workspace_id, kind, name, url, config, poll_interval_minutes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
  values: [workspaceId, s.kind, s.name, s.url, JSON.stringify(s.config), s.pollIntervalMinutes],
});

/** Enabling starts afresh, as the API's patch does: no failure count, no flag, polled at the next tick. */
export const setSourceEnabled = (workspaceId: number, id: number, enabled: boolean): Sql => ({
  text: `UPDATE signal_sources SET enabled = $3, consecutive_failures = CASE WHEN $3 THEN 0 ELSE consecutive_failures END,
                flagged_at = CASE WHEN $3 THEN NULL ELSE flagged_at END,
                next_poll_at = CASE WHEN $3 THEN now() ELSE next_poll_at END
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, enabled],
});

export const listAllTemplates = (workspaceId: number): Sql => ({
  text: `SELECT * FROM sequence_templates WHERE workspace_id = $1 ORDER BY archived_at NULLS FIRST, is_default DESC, lower(name), id`,
  values: [workspaceId],
});

export const findTemplate = (workspaceId: number, id: number): Sql => ({
  text: `SELECT * FROM sequence_templates WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export interface TemplateInput {
  name: string;
  description: string;
  steps: unknown[];
  window: unknown;
  fallback: unknown;
  fallbackAfterDays: number;
  isDefault: boolean;
}

export const insertTemplateRow = (workspaceId: number, t: TemplateInput): Sql => ({
  text: `INSERT INTO sequence_templates (workspace_id, name, description, steps, sending_window, fallback_window, fallback_after_days, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
  values: [
    workspaceId,
    t.name,
    t.description,
    JSON.stringify(t.steps),
    JSON.stringify(t.window),
    t.fallback ? JSON.stringify(t.fallback) : null,
    t.fallbackAfterDays,
    t.isDefault,
  ],
});

/** Bumps the template's version so sequences drafted from the old one can tell. */
export const updateTemplateRow = (workspaceId: number, id: number, t: TemplateInput): Sql => ({
  text: `UPDATE sequence_templates SET name = $3, description = $4, steps = $5, sending_window = $6, fallback_window = $7,
                fallback_after_days = $8, is_default = $9, version = version + 1, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [
    workspaceId,
    id,
    t.name,
    t.description,
    JSON.stringify(t.steps),
    JSON.stringify(t.window),
    t.fallback ? JSON.stringify(t.fallback) : null,
    t.fallbackAfterDays,
    t.isDefault,
  ],
});

export const clearDefaultTemplate = (workspaceId: number, exceptId: number): Sql => ({
  text: `UPDATE sequence_templates SET is_default = false WHERE workspace_id = $1 AND id <> $2 AND is_default`,
  values: [workspaceId, exceptId],
});

export interface MailboxRow {
  id: number;
  user_id: number | null;
  kind: 'smtp' | 'outbox';
  from_name: string;
  from_email: string;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_secure: boolean;
  smtp_user: string | null;
  smtp_pass_enc: string | null;
  imap_host: string | null;
  imap_port: number | null;
  imap_secure: boolean;
  imap_user: string | null;
  imap_pass_enc: string | null;
  daily_cap: number;
  min_gap_seconds: number;
  max_gap_seconds: number;
  paused_at: Date | null;
  pause_reason: string | null;
  last_sent_at: Date | null;
  imap_error?: string | null;
  imap_synced_at?: Date | null;
  owner_email?: string | null;
}

export const listMailboxRows = (workspaceId: number): Sql => ({
  text: `SELECT m.*, u.email AS owner_email FROM mailboxes m LEFT JOIN users u ON u.id = m.user_id
          WHERE m.workspace_id = $1 AND m.archived_at IS NULL ORDER BY m.id`,
  values: [workspaceId],
});

export const findMailbox = (workspaceId: number, id: number): Sql => ({
  text: `SELECT * FROM mailboxes WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL`,
  values: [workspaceId, id],
});

export interface MailboxInput {
  userId: number | null;
  kind: 'smtp' | 'outbox';
  fromName: string;
  fromEmail: string;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpSecure: boolean;
  smtpUser: string | null;
  smtpPassEnc: string | null;
  imapHost: string | null;
  imapPort: number | null;
  imapSecure: boolean;
  imapUser: string | null;
  imapPassEnc: string | null;
  dailyCap: number;
  minGapSeconds: number;
  maxGapSeconds: number;
}

const MAILBOX_COLS = `user_id, kind, from_name, from_email, smtp_host, smtp_port, smtp_secure, smtp_user, smtp_pass_enc,
  imap_host, imap_port, imap_secure, imap_user, imap_pass_enc, daily_cap, min_gap_seconds, max_gap_seconds`;
const mailboxValues = (m: MailboxInput) => [
  m.userId,
  m.kind,
  m.fromName,
  m.fromEmail,
  m.smtpHost,
  m.smtpPort,
  m.smtpSecure,
  m.smtpUser,
  m.smtpPassEnc,
  m.imapHost,
  m.imapPort,
  m.imapSecure,
  m.imapUser,
  m.imapPassEnc,
  m.dailyCap,
  m.minGapSeconds,
  m.maxGapSeconds,
];

export const insertMailbox = (workspaceId: number, m: MailboxInput): Sql => ({
  text: `INSERT INTO mailboxes (workspace_id, ${MAILBOX_COLS}) VALUES ($1, ${Array.from({ length: 17 }, (_, i) => `$${i + 2}`).join(', ')}) RETURNING *`,
  values: [workspaceId, ...mailboxValues(m)],
});

/** A null sealed password keeps the stored one: the form never shows or resends it. */
export const updateMailbox = (workspaceId: number, id: number, m: MailboxInput): Sql => ({
  text: `UPDATE mailboxes SET user_id = $3, kind = $4, from_name = $5, from_email = $6, smtp_host = $7, smtp_port = $8, smtp_secure = $9,
                smtp_user = $10, smtp_pass_enc = coalesce($11, smtp_pass_enc), imap_host = $12, imap_port = $13, imap_secure = $14,
                imap_user = $15, imap_pass_enc = coalesce($16, imap_pass_enc), daily_cap = $17, min_gap_seconds = $18, max_gap_seconds = $19
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, ...mailboxValues(m)],
});

export const setMailboxPaused = (workspaceId: number, id: number, reason: string | null): Sql => ({
  text: `UPDATE mailboxes SET paused_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, pause_reason = $3
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, reason],
});

export const updateUserRole = (
  workspaceId: number,
  id: number,
  role: string,
  timeZone: string,
  disabled: boolean,
): Sql => ({
  text: `UPDATE users SET role = $3, time_zone = $4,
                disabled_at = CASE WHEN $5 THEN coalesce(disabled_at, now()) ELSE NULL END
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, role, timeZone, disabled],
});

export const countAdmins = (workspaceId: number): Sql => ({
  text: `SELECT count(*)::int AS n FROM users WHERE workspace_id = $1 AND role = 'admin' AND disabled_at IS NULL`,
  values: [workspaceId],
});

export const updateWorkspaceSettings = (workspaceId: number, name: string, settings: Record<string, unknown>): Sql => ({
  text: `UPDATE workspaces SET name = $2, settings = settings || $3::jsonb WHERE id = $1 RETURNING *`,
  values: [workspaceId, name, JSON.stringify(settings)],
});

/** Once only: the caller that gets the row enqueues the job. */
export const markImportStarted = (workspaceId: number, id: number): Sql => ({
  text: `UPDATE imports SET started_at = now() WHERE workspace_id = $1 AND id = $2 AND started_at IS NULL AND status = 'queued' RETURNING id`,
  values: [workspaceId, id],
});
