-- Review UI: a CSV import waits for its column mapping before it runs, and the queue, replies
-- and dashboard read through indexes rather than scans.

-- Set when a person (or the API) starts the import; until then the UI offers the column mapper.
ALTER TABLE imports ADD COLUMN started_at timestamptz;
UPDATE imports SET started_at = created_at;

-- The review queue: pending drafts of a workspace, joined to their signal for "newest first".
CREATE INDEX sequences_pending_signal_idx ON sequences (workspace_id, signal_id) WHERE status = 'pending_review';
CREATE INDEX signals_detected_idx ON signals (workspace_id, detected_at DESC, id DESC);

-- Replies to my sequences, newest first.
CREATE INDEX messages_inbound_idx ON messages (workspace_id, at DESC) WHERE direction = 'in';
