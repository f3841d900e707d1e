-- Plays: versions, which play a signal and a sequence belong to, explicit targets for manual
-- enrollment, staggered starts, and the workspace secret that signs inbound events.

CREATE TABLE play_versions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  play_id     bigint NOT NULL REFERENCES plays(id) ON DELETE CASCADE,
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  created_by  bigint REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (play_id, version)
);

ALTER TABLE plays ADD COLUMN description text NOT NULL DEFAULT '';
CREATE INDEX plays_workspace_idx ON plays (workspace_id) WHERE enabled;

-- The play that chose a signal's contacts, and (manual enrollment) the contacts a rep picked.
ALTER TABLE signals ADD COLUMN play_id bigint REFERENCES plays(id);
ALTER TABLE signals ADD COLUMN target_contact_ids bigint[] NOT NULL DEFAULT '{}';

-- Which persona a contact met (the drafting angle), and how many hours after approval their
-- first step may go at the earliest, so contacts at one account are not all emailed the same morning.
ALTER TABLE dossiers ADD COLUMN persona text;
ALTER TABLE dossiers ADD COLUMN stagger_hours integer NOT NULL DEFAULT 0;
ALTER TABLE sequences ADD COLUMN persona text;
ALTER TABLE sequences ADD COLUMN stagger_hours integer NOT NULL DEFAULT 0;
CREATE INDEX sequences_play_idx ON sequences (play_id);

ALTER TABLE workspaces ADD COLUMN inbound_secret_enc text;   -- AES-GCM with APP_SECRET
