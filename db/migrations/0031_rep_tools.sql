-- What reps and RevOps expect from the tools they know (issue 20): answering a reply in the app,
-- a sender name and signature per user, merging two accounts or two contacts.

-- Per user: null means the mailbox's From name and the workspace signature.
ALTER TABLE users ADD COLUMN sender_name text, ADD COLUMN signature text;

-- An answer written in the app is an outbound message with no step: who wrote it.
ALTER TABLE messages ADD COLUMN sent_by bigint REFERENCES users(id);

-- A merged contact's other addresses (an account keeps them in accounts.aliases).
ALTER TABLE contacts ADD COLUMN aliases text[] NOT NULL DEFAULT '{}';

-- Each merge: the merged-away row is gone, its id points at the one kept (old links redirect),
-- with what it was and what moved.
CREATE TABLE merges (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id),
  kind        text NOT NULL CHECK (kind IN ('account', 'contact')),
  from_id     bigint NOT NULL,
  into_id     bigint NOT NULL,
  snapshot    jsonb NOT NULL DEFAULT '{}'::jsonb,
  moved       jsonb NOT NULL DEFAULT '{}'::jsonb,
  merged_by   bigint REFERENCES users(id),
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX merges_from_uq ON merges (workspace_id, kind, from_id);
