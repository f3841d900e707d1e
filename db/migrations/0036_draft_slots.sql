-- LLM drafts in flight per workspace, across every process (issue 16 item 7): DRAFT_CONCURRENCY
-- slots per workspace, one row per slot taken. The primary key makes a slot one holder's; a
-- holder renews its lease while its draft runs and deletes the row when done, so the slot of a
-- process killed mid-draft frees itself when the lease runs out.
CREATE TABLE draft_slots (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  slot         int NOT NULL,
  holder       text NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, slot)
);
