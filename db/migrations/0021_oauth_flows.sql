-- Connect flows in progress (issue 13): one row per "Connect Google / Microsoft" click, kept
-- server-side so the callback can check the `state` against the session that started it. The
-- state itself is only stored as its sha256; the PKCE code verifier is sealed with APP_SECRET.
-- A flow is used once (consumed_at) and expires after ten minutes.
-- Forward only. Applied in one transaction by db/migrate.ts.
CREATE TABLE oauth_flows (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  state_hash        text NOT NULL UNIQUE,
  session_id        text NOT NULL,                -- sessions.id (the session token's sha256)
  workspace_id      bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id           bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider          text NOT NULL CHECK (provider IN ('google', 'microsoft')),
  transport         text NOT NULL CHECK (transport IN ('smtp', 'api')),
  code_verifier_enc text NOT NULL,
  nonce             text NOT NULL,
  expires_at        timestamptz NOT NULL,
  consumed_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_flows_expires_idx ON oauth_flows (expires_at);
