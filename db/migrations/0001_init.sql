-- Prospector schema, version 1: the whole product's tables, so later work adds columns.
-- Forward only. Applied in one transaction by db/migrate.ts.

CREATE TABLE workspaces (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id   bigint NOT NULL REFERENCES workspaces(id),
  email          text NOT NULL,
  name           text NOT NULL DEFAULT '',
  role           text NOT NULL CHECK (role IN ('admin', 'revops', 'manager', 'rep')),
  password_hash  text,
  time_zone      text NOT NULL DEFAULT 'UTC',
  booking_url    text,
  disabled_at    timestamptz,
  last_login_at  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_uq ON users (lower(email));

CREATE TABLE sessions (
  id            text PRIMARY KEY,            -- sha256 of the cookie token; the token itself is never stored
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name          text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

CREATE TABLE login_attempts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email      text NOT NULL,
  ip         text NOT NULL,
  succeeded  boolean NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (lower(email), at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);

CREATE TABLE accounts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id),
  name          text NOT NULL,
  domain        text,
  aliases       text[] NOT NULL DEFAULT '{}',
  owner_id      bigint REFERENCES users(id),
  time_zone     text,
  country       text,
  tags          text[] NOT NULL DEFAULT '{}',
  needs_browser boolean NOT NULL DEFAULT false,
  notes         text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_domain_uq ON accounts (workspace_id, lower(domain)) WHERE domain IS NOT NULL;
CREATE INDEX accounts_owner_idx ON accounts (workspace_id, owner_id);
CREATE INDEX accounts_name_idx ON accounts (workspace_id, lower(name));

CREATE TABLE contacts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id     bigint NOT NULL REFERENCES workspaces(id),
  account_id       bigint REFERENCES accounts(id),
  first_name       text NOT NULL DEFAULT '',
  last_name        text NOT NULL DEFAULT '',
  email            text NOT NULL,
  title            text NOT NULL DEFAULT '',
  time_zone        text,
  linkedin_url     text,
  status           text NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'replied', 'bounced', 'unsubscribed', 'undeliverable', 'do_not_contact')),
  status_reason    text,
  is_champion      boolean NOT NULL DEFAULT false,
  previous_company text,
  last_contacted_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contacts_email_uq ON contacts (workspace_id, lower(email));
CREATE INDEX contacts_account_idx ON contacts (account_id);

-- Title and employer changes seen on re-import or from job-change signals.
CREATE TABLE contact_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_id  bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  field       text NOT NULL,
  old_value   text,
  new_value   text,
  source      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_changes_contact_idx ON contact_changes (contact_id, at);

CREATE TABLE signal_sources (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id          bigint NOT NULL REFERENCES workspaces(id),
  kind                  text NOT NULL,
  name                  text NOT NULL,
  url                   text,
  config                jsonb NOT NULL DEFAULT '{}'::jsonb,
  secret_enc            text,                 -- webhook HMAC secret, AES-GCM with APP_SECRET
  enabled               boolean NOT NULL DEFAULT true,
  poll_interval_minutes integer NOT NULL DEFAULT 60,
  etag                  text,
  last_modified         text,
  snapshot              jsonb,
  last_polled_at        timestamptz,
  last_success_at       timestamptz,
  last_error            text,
  last_error_at         timestamptz,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  flagged_at            timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE signals (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id),
  account_id    bigint REFERENCES accounts(id),
  contact_id    bigint REFERENCES contacts(id),
  type          text NOT NULL CHECK (type IN ('funding', 'job_change', 'news', 'hiring', 'manual', 'inbound')),
  subtype       text,
  title         text NOT NULL,
  summary       text NOT NULL DEFAULT '',
  url           text,
  facts         jsonb NOT NULL DEFAULT '{}'::jsonb,
  fingerprint   text NOT NULL,
  status        text NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'unmatched', 'ambiguous', 'cooldown', 'researching', 'researched',
                                  'drafting', 'drafted', 'needs_contact', 'dismissed', 'error')),
  match         jsonb NOT NULL DEFAULT '{}'::jsonb,
  error         text,
  occurred_at   timestamptz,
  detected_at   timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX signals_fingerprint_uq ON signals (workspace_id, fingerprint);
CREATE INDEX signals_account_idx ON signals (account_id, detected_at DESC);
CREATE INDEX signals_status_idx ON signals (workspace_id, status, detected_at DESC);

-- Every source that reported a signal: one signal, many observations.
CREATE TABLE signal_observations (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  signal_id    bigint NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
  source_id    bigint REFERENCES signal_sources(id),
  url          text NOT NULL DEFAULT '',
  title        text NOT NULL DEFAULT '',
  raw          jsonb NOT NULL DEFAULT '{}'::jsonb,
  observed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX signal_observations_uq ON signal_observations (signal_id, coalesce(source_id, 0), url);

CREATE TABLE page_cache (
  url            text PRIMARY KEY,
  status         integer NOT NULL,
  content_type   text,
  etag           text,
  last_modified  text,
  body           text,
  rendered       boolean NOT NULL DEFAULT false,
  fetched_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);

CREATE TABLE dossiers (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id),
  signal_id     bigint NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
  account_id    bigint REFERENCES accounts(id),
  contact_id    bigint REFERENCES contacts(id),
  organization  jsonb NOT NULL DEFAULT '{}'::jsonb,
  people        jsonb NOT NULL DEFAULT '[]'::jsonb,
  errors        jsonb NOT NULL DEFAULT '[]'::jsonb,
  stats         jsonb NOT NULL DEFAULT '{}'::jsonb,
  contact_time_zone text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dossiers_signal_contact_uq ON dossiers (signal_id, coalesce(contact_id, 0));

CREATE TABLE facts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dossier_id  bigint NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
  kind        text NOT NULL,
  text        text NOT NULL,
  source_url  text NOT NULL,
  quote       text NOT NULL,
  fetched_at  timestamptz NOT NULL,
  flags       text[] NOT NULL DEFAULT '{}',
  position    integer NOT NULL DEFAULT 0
);
CREATE INDEX facts_dossier_idx ON facts (dossier_id, position);

CREATE TABLE sequence_templates (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id    bigint NOT NULL REFERENCES workspaces(id),
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  steps           jsonb NOT NULL,               -- [{ kind, delayDays, newThread, branch }]
  sending_window  jsonb NOT NULL,               -- { days: [2,3,4], start: '09:00', end: '11:00' }
  fallback_window jsonb,
  fallback_after_days integer NOT NULL DEFAULT 3,
  approval_mode   text CHECK (approval_mode IN ('sequence', 'each_step')),
  is_default      boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1,
  archived_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plays (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id   bigint NOT NULL REFERENCES workspaces(id),
  name           text NOT NULL,
  trigger        jsonb NOT NULL,
  personas       jsonb NOT NULL DEFAULT '[]'::jsonb,
  template_id    bigint REFERENCES sequence_templates(id),
  approval_mode  text CHECK (approval_mode IN ('sequence', 'each_step')),
  limits         jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled        boolean NOT NULL DEFAULT true,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mailboxes (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id     bigint NOT NULL REFERENCES workspaces(id),
  user_id          bigint REFERENCES users(id),
  kind             text NOT NULL CHECK (kind IN ('smtp', 'outbox')),
  from_name        text NOT NULL,
  from_email       text NOT NULL,
  smtp_host        text,
  smtp_port        integer,
  smtp_secure      boolean NOT NULL DEFAULT false,
  smtp_user        text,
  smtp_pass_enc    text,                         -- AES-GCM with APP_SECRET
  imap_host        text,
  imap_port        integer,
  imap_secure      boolean NOT NULL DEFAULT true,
  imap_user        text,
  imap_pass_enc    text,                         -- AES-GCM with APP_SECRET
  imap_uidvalidity bigint,
  imap_last_uid    bigint,
  dkim_domain      text,
  dkim_selector    text,
  dkim_key_enc     text,                         -- AES-GCM with APP_SECRET
  daily_cap        integer NOT NULL DEFAULT 30,
  min_gap_seconds  integer NOT NULL DEFAULT 90,
  max_gap_seconds  integer NOT NULL DEFAULT 180,
  ramp_per_day     integer,
  paused_at        timestamptz,
  pause_reason     text,
  last_sent_at     timestamptz,
  next_send_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailboxes_user_idx ON mailboxes (workspace_id, user_id);

CREATE TABLE sequences (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id    bigint NOT NULL REFERENCES workspaces(id),
  signal_id       bigint REFERENCES signals(id),
  account_id      bigint REFERENCES accounts(id),
  contact_id      bigint REFERENCES contacts(id),
  template_id     bigint REFERENCES sequence_templates(id),
  play_id         bigint REFERENCES plays(id),
  owner_id        bigint REFERENCES users(id),
  mailbox_id      bigint REFERENCES mailboxes(id),
  status          text NOT NULL DEFAULT 'drafting'
                  CHECK (status IN ('drafting', 'pending_review', 'snoozed', 'rejected', 'active', 'paused',
                                    'completed', 'stopped', 'failed')),
  stop_reason     text,
  approval_mode   text NOT NULL DEFAULT 'sequence' CHECK (approval_mode IN ('sequence', 'each_step')),
  drafter         text,                          -- 'llm' or 'offline'
  prompt_version  text,
  gate_failures   jsonb NOT NULL DEFAULT '[]'::jsonb,
  version         integer NOT NULL DEFAULT 1,    -- optimistic lock for edits
  snoozed_until   timestamptz,
  approved_at     timestamptz,
  approved_by     bigint REFERENCES users(id),
  rejected_reason text,
  paused_until    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  ended_at        timestamptz
);
CREATE INDEX sequences_review_idx ON sequences (workspace_id, status, owner_id, created_at DESC);
CREATE INDEX sequences_contact_idx ON sequences (contact_id, status);
CREATE INDEX sequences_account_idx ON sequences (account_id, status);
CREATE INDEX sequences_signal_idx ON sequences (signal_id);

CREATE TABLE sequence_steps (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sequence_id      bigint NOT NULL REFERENCES sequences(id) ON DELETE CASCADE,
  position         integer NOT NULL,
  kind             text NOT NULL DEFAULT 'follow_up' CHECK (kind IN ('opener', 'follow_up', 'breakup')),
  delay_days       integer NOT NULL DEFAULT 0,
  new_thread       boolean NOT NULL DEFAULT false,
  branch           jsonb,
  subject          text NOT NULL DEFAULT '',
  body             text NOT NULL DEFAULT '',
  drafted_subject  text,
  drafted_body     text,
  cited_fact_ids   bigint[] NOT NULL DEFAULT '{}',
  status           text NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'awaiting_approval', 'scheduled', 'sending', 'sent', 'failed',
                                     'skipped', 'cancelled', 'unknown')),
  approved_at      timestamptz,
  approved_by      bigint REFERENCES users(id),
  scheduled_at     timestamptz,
  missed_windows   integer NOT NULL DEFAULT 0,
  claimed_at       timestamptz,
  sent_at          timestamptz,
  message_id       text,
  smtp_response    text,
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  skip_reason      text,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sequence_id, position)
);
CREATE INDEX sequence_steps_due_idx ON sequence_steps (scheduled_at) WHERE status = 'scheduled';
CREATE INDEX sequence_steps_sending_idx ON sequence_steps (claimed_at) WHERE status = 'sending';
CREATE UNIQUE INDEX sequence_steps_message_id_uq ON sequence_steps (message_id) WHERE message_id IS NOT NULL;

-- Every drafted or edited version of a sequence's text, so a rep can go back.
CREATE TABLE draft_versions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sequence_id  bigint NOT NULL REFERENCES sequences(id) ON DELETE CASCADE,
  version      integer NOT NULL,
  source       text NOT NULL CHECK (source IN ('llm', 'offline', 'edit', 'refresh')),
  instruction  text,
  steps        jsonb NOT NULL,
  gate_results jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by   bigint REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sequence_id, version)
);

CREATE TABLE messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id    bigint NOT NULL REFERENCES workspaces(id),
  mailbox_id      bigint REFERENCES mailboxes(id),
  sequence_id     bigint REFERENCES sequences(id),
  step_id         bigint REFERENCES sequence_steps(id),
  contact_id      bigint REFERENCES contacts(id),
  direction       text NOT NULL CHECK (direction IN ('in', 'out')),
  message_id      text,
  in_reply_to     text,
  "references"    text[] NOT NULL DEFAULT '{}',
  from_addr       text NOT NULL DEFAULT '',
  to_addr         text NOT NULL DEFAULT '',
  subject         text NOT NULL DEFAULT '',
  text_body       text NOT NULL DEFAULT '',
  visible_text    text,
  raw             text,
  outbox_path     text,
  classification  text CHECK (classification IN ('reply', 'auto_reply', 'bounce', 'unsubscribe', 'other')),
  classification_details jsonb NOT NULL DEFAULT '{}'::jsonb,
  corrected_by    bigint REFERENCES users(id),
  imap_uid        bigint,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_message_id_idx ON messages (message_id);
CREATE INDEX messages_sequence_idx ON messages (sequence_id, at);
CREATE UNIQUE INDEX messages_in_uq ON messages (mailbox_id, message_id) WHERE direction = 'in' AND message_id IS NOT NULL;

CREATE TABLE events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id),
  type          text NOT NULL CHECK (type IN ('sent', 'click', 'open', 'reply', 'auto_reply', 'bounce',
                                              'unsubscribe', 'meeting_booked')),
  sequence_id   bigint REFERENCES sequences(id),
  step_id       bigint REFERENCES sequence_steps(id),
  contact_id    bigint REFERENCES contacts(id),
  account_id    bigint REFERENCES accounts(id),
  signal_id     bigint REFERENCES signals(id),
  message_ref   bigint REFERENCES messages(id),
  is_bot        boolean NOT NULL DEFAULT false,
  data          jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_funnel_idx ON events (workspace_id, type, occurred_at);
CREATE INDEX events_sequence_idx ON events (sequence_id, type);

CREATE TABLE suppressions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id),
  kind          text NOT NULL CHECK (kind IN ('email', 'domain')),
  value         text NOT NULL,
  reason        text NOT NULL,
  source        text NOT NULL DEFAULT 'manual',
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX suppressions_uq ON suppressions (workspace_id, kind, lower(value));

CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint REFERENCES workspaces(id),
  user_id       bigint REFERENCES users(id),
  action        text NOT NULL,
  entity_type   text,
  entity_id     text,
  data          jsonb NOT NULL DEFAULT '{}'::jsonb,
  ip            text,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, at DESC);

CREATE TABLE llm_usage (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id       bigint REFERENCES workspaces(id),
  sequence_id        bigint REFERENCES sequences(id) ON DELETE SET NULL,
  signal_id          bigint REFERENCES signals(id) ON DELETE SET NULL,
  purpose            text NOT NULL,
  model              text NOT NULL,
  input_tokens       integer NOT NULL DEFAULT 0,
  output_tokens      integer NOT NULL DEFAULT 0,
  cache_read_tokens  integer NOT NULL DEFAULT 0,
  cache_write_tokens integer NOT NULL DEFAULT 0,
  cost_usd           numeric(12, 6) NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_usage_sequence_idx ON llm_usage (sequence_id);

-- CSV imports run as jobs so the UI can show progress and per-row errors.
CREATE TABLE imports (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id   bigint NOT NULL REFERENCES workspaces(id),
  kind           text NOT NULL CHECK (kind IN ('accounts', 'contacts')),
  filename       text NOT NULL DEFAULT '',
  status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  content        text NOT NULL DEFAULT '',      -- the uploaded CSV, so a worker can run it
  mapping        jsonb NOT NULL DEFAULT '{}'::jsonb,
  failure        text,
  total_rows     integer NOT NULL DEFAULT 0,
  processed_rows integer NOT NULL DEFAULT 0,
  created_rows   integer NOT NULL DEFAULT 0,
  updated_rows   integer NOT NULL DEFAULT 0,
  error_rows     integer NOT NULL DEFAULT 0,
  errors         jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by     bigint REFERENCES users(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
