-- Mailboxes connected with OAuth (issue 13): a Google Workspace or Microsoft 365 mailbox is a
-- mailbox of kind 'google' or 'microsoft'; its address comes from the provider's ID token, never
-- from a form. `oauth_transport` chooses how it sends and reads: SMTP + IMAP with XOAUTH2 (the
-- default) or the provider's HTTP API (Gmail API / Microsoft Graph) where SMTP AUTH is off.
-- The tokens live in their own table, so refreshing one (under that row's lock, one refresh at a
-- time across processes) never waits on, or holds, the mailbox row the sender claims with.
-- Forward only. Applied in one transaction by db/migrate.ts.
ALTER TABLE mailboxes DROP CONSTRAINT IF EXISTS mailboxes_kind_check;
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_kind_check CHECK (kind IN ('smtp', 'outbox', 'google', 'microsoft'));
ALTER TABLE mailboxes ADD COLUMN oauth_transport text NOT NULL DEFAULT 'smtp' CHECK (oauth_transport IN ('smtp', 'api'));

CREATE TABLE mailbox_oauth (
  mailbox_id        bigint PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
  provider          text NOT NULL CHECK (provider IN ('google', 'microsoft')),
  subject           text NOT NULL,               -- the provider's stable user id (ID token `sub`)
  scope             text NOT NULL DEFAULT '',
  refresh_token_enc text,                        -- AES-GCM with APP_SECRET; null once disconnected
  access_token_enc  text,                        -- AES-GCM with APP_SECRET
  access_expires_at timestamptz,
  refreshed_at      timestamptz,
  consent_error     text,                        -- in words, when the provider refused the saved sign-in
  consent_error_at  timestamptz,
  api_cursor        text,                        -- Gmail historyId / Graph delta link (API read path)
  connected_by      bigint REFERENCES users(id),
  connected_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mailbox_oauth_subject_idx ON mailbox_oauth (provider, subject, mailbox_id);
