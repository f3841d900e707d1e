-- Signals, version 2: dedup across sources within a time window, per-source poll schedule,
-- and which contact changes have already been turned into job-change signals.
-- Forward only. Applied in one transaction by db/migrate.ts.

-- The same event from several sources shares a dedup key (account, type, key facts); the
-- unique fingerprint is the key plus the day the first report was seen.
ALTER TABLE signals ADD COLUMN dedup_key text;
CREATE INDEX signals_dedup_idx ON signals (workspace_id, dedup_key, occurred_at);

-- When the poll tick should next enqueue this source (interval, or backoff after failures).
ALTER TABLE signal_sources ADD COLUMN next_poll_at timestamptz;
CREATE INDEX signal_sources_due_idx ON signal_sources (next_poll_at) WHERE enabled;

-- Set once a change (from a CSV re-import) has been looked at by job-change detection.
ALTER TABLE contact_changes ADD COLUMN processed_at timestamptz;
CREATE INDEX contact_changes_pending_idx ON contact_changes (id) WHERE processed_at IS NULL;
