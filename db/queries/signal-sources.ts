// Signal sources: the one writer of signal_sources (the settings page, the API, the CLI and the
// poll job all go through these).
import type { Sql } from '../types.js';

export interface SignalSourceRow {
  id: number;
  workspace_id: number;
  kind: string;
  name: string;
  url: string | null;
  config: Record<string, unknown>;
  secret_enc: string | null;
  enabled: boolean;
  poll_interval_minutes: number;
  etag: string | null;
  last_modified: string | null;
  snapshot: unknown;
  last_polled_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  consecutive_failures: number;
  flagged_at: Date | null;
  next_poll_at: Date | null;
  created_at: Date;
}

/** A source in a list: with the number of observations it produced. */
export type SourceListRow = SignalSourceRow & { observations: number };

interface SourceInput {
  kind: string;
  name: string;
  url: string | null;
  config: Record<string, unknown>;
  secretEnc?: string | null;
  pollIntervalMinutes: number;
  enabled?: boolean;
}

export const insertSource = (workspaceId: number, s: SourceInput): Sql<SignalSourceRow> => ({
  text: `INSERT INTO signal_sources (workspace_id, kind, name, url, config, secret_enc, poll_interval_minutes, enabled, next_poll_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING *`,
  values: [
    workspaceId,
    s.kind,
    s.name,
    s.url,
    JSON.stringify(s.config),
    s.secretEnc ?? null,
    s.pollIntervalMinutes,
    s.enabled ?? true,
  ],
});

export const findSource = (workspaceId: number, id: number): Sql<SignalSourceRow> => ({
  text: `SELECT * FROM signal_sources WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

/**
 * The workspace's other source of this kind at this address (as stored: normalized), if any: adding
 * one, or moving one to it, is refused. `exceptId` is the source being edited.
 */
export const findSourceAtAddress = (
  workspaceId: number,
  kind: string,
  url: string,
  exceptId: number | null = null,
): Sql<SignalSourceRow> => ({
  text: `SELECT * FROM signal_sources WHERE workspace_id = $1 AND kind = $2 AND url = $3
            AND ($4::int IS NULL OR id <> $4::int) ORDER BY id LIMIT 1`,
  values: [workspaceId, kind, url, exceptId],
});

/**
 * Serialises adding (or moving) a source to one address: taken in the transaction that checks
 * findSourceAtAddress and then writes, so two adds at the same moment cannot both find it free.
 * Transaction-scoped: released at commit or rollback, on PostgreSQL and PGlite alike.
 */
export const lockSourceAddress = (workspaceId: number, kind: string, url: string): Sql => ({
  text: `SELECT pg_advisory_xact_lock(hashtext($1))`,
  values: [`signal_source:${workspaceId}:${kind}:${url}`],
});

/** By id alone, for the poll job and the signed webhook, which learn the workspace from the row. */
export const findSourceInAnyWorkspace = (id: number): Sql<SignalSourceRow> => ({
  text: `SELECT * FROM signal_sources WHERE id = $1`,
  values: [id],
});

const SOURCE_ORDER = {
  /** The API and the signals page: flagged sources first. */
  flagged: 's.flagged_at DESC NULLS LAST, s.name, s.id',
  /** The settings page: enabled sources first. */
  enabled: 's.enabled DESC, lower(s.name), s.id',
};

export const listSources = (workspaceId: number, order: keyof typeof SOURCE_ORDER = 'flagged'): Sql<SourceListRow> => ({
  text: `SELECT s.*, (SELECT count(*) FROM signal_observations o WHERE o.source_id = s.id)::int AS observations
           FROM signal_sources s WHERE s.workspace_id = $1 ORDER BY ${SOURCE_ORDER[order]}`,
  values: [workspaceId],
});

/**
 * Enabling starts afresh, from the page and the API alike: no failure count, no flag, polled at the next tick.
 * So does a new address (`url`, given only when it differs), which also drops what was learnt from the
 * old one: validators, snapshot, last error.
 */
export const updateSourceSettings = (
  workspaceId: number,
  id: number,
  s: {
    name?: string;
    url?: string;
    enabled?: boolean;
    pollIntervalMinutes?: number;
    config?: Record<string, unknown>;
  },
): Sql<SignalSourceRow> => ({
  text: `UPDATE signal_sources SET name = coalesce($3, name), enabled = coalesce($4, enabled),
                poll_interval_minutes = coalesce($5, poll_interval_minutes), config = coalesce($6::jsonb, config),
                url = coalesce($7, url),
                etag = CASE WHEN $7::text IS NULL THEN etag END,
                last_modified = CASE WHEN $7::text IS NULL THEN last_modified END,
                snapshot = CASE WHEN $7::text IS NULL THEN snapshot END,
                last_error = CASE WHEN $7::text IS NULL THEN last_error END,
                last_error_at = CASE WHEN $7::text IS NULL THEN last_error_at END,
                flagged_at = CASE WHEN $8 THEN NULL ELSE flagged_at END,
                consecutive_failures = CASE WHEN $8 THEN 0 ELSE consecutive_failures END,
                next_poll_at = CASE WHEN $8 THEN now() ELSE next_poll_at END
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [
    workspaceId,
    id,
    s.name ?? null,
    s.enabled ?? null,
    s.pollIntervalMinutes ?? null,
    s.config ? JSON.stringify(s.config) : null,
    s.url ?? null,
    s.enabled === true || s.url !== undefined,
  ],
});

/**
 * Claims the sources due for a poll and moves their next poll one interval ahead, so a
 * second tick (another process) does not enqueue them again; the poll result resets it.
 */
export const claimDueSources = (kinds: string[], limit = 100): Sql<{ id: number }> => ({
  text: `UPDATE signal_sources s SET next_poll_at = now() + make_interval(mins => s.poll_interval_minutes)
          WHERE s.id IN (SELECT id FROM signal_sources
                          WHERE enabled AND kind = ANY($1::text[]) AND (next_poll_at IS NULL OR next_poll_at <= now())
                          ORDER BY next_poll_at NULLS FIRST LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING s.id`,
  values: [kinds, limit],
});

export const recordPollSuccess = (
  id: number,
  r: {
    etag: string | null | undefined;
    lastModified: string | null | undefined;
    snapshot: unknown;
    notModified: boolean;
  },
  now: Date,
): Sql<SignalSourceRow> => ({
  text: `UPDATE signal_sources SET last_polled_at = $2, last_success_at = $2, last_error = NULL,
                consecutive_failures = 0, flagged_at = NULL,
                etag = CASE WHEN $5 THEN etag ELSE $3 END,
                last_modified = CASE WHEN $5 THEN last_modified ELSE $4 END,
                snapshot = coalesce($6::jsonb, snapshot),
                next_poll_at = $2::timestamptz + make_interval(mins => poll_interval_minutes)
          WHERE id = $1 RETURNING *`,
  values: [
    id,
    now,
    r.etag ?? null,
    r.lastModified ?? null,
    r.notModified,
    r.snapshot === undefined ? null : JSON.stringify(r.snapshot),
  ],
});

/**
 * Backoff: the next poll waits interval × 2^failures (at most a day); after `flagAfter`
 * failures in a row the source is flagged for RevOps — and still polled.
 */
export const recordPollFailure = (id: number, error: string, now: Date, flagAfter = 5): Sql<SignalSourceRow> => ({
  text: `UPDATE signal_sources SET last_polled_at = $2, last_error = $3, last_error_at = $2,
                consecutive_failures = consecutive_failures + 1,
                flagged_at = CASE WHEN consecutive_failures + 1 >= $4 THEN coalesce(flagged_at, $2) ELSE flagged_at END,
                next_poll_at = $2::timestamptz
                  + make_interval(mins => least(1440, poll_interval_minutes * power(2, least(consecutive_failures + 1, 10))::int))
          WHERE id = $1 RETURNING *`,
  values: [id, now, error.slice(0, 2000), flagAfter],
});
