-- The CRM of record, both ways (issue 14): one HubSpot or Salesforce connection per workspace,
-- the CRM ids of the accounts/contacts it feeds us, its open deals (for the hold-out rules), each
-- sync run, each record that failed (with the CRM's words), and the activity writes going out.
-- Tokens are sealed with APP_SECRET (ctx.secrets), never stored in the clear.
-- Forward only. Applied in one transaction by db/migrate.ts.

-- The connect flow of a CRM's OAuth app keeps its state in oauth_flows like the mailboxes do.
ALTER TABLE oauth_flows DROP CONSTRAINT IF EXISTS oauth_flows_provider_check;
ALTER TABLE oauth_flows ADD CONSTRAINT oauth_flows_provider_check
  CHECK (provider IN ('google', 'microsoft', 'hubspot', 'salesforce'));

CREATE TABLE crm_connections (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id       bigint NOT NULL UNIQUE REFERENCES workspaces(id) ON DELETE CASCADE,
  kind               text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  auth               text NOT NULL CHECK (auth IN ('oauth', 'private_app')),
  access_token_enc   text,                     -- sealed; null once disconnected
  refresh_token_enc  text,                     -- sealed; OAuth only
  access_expires_at  timestamptz,
  instance_url       text,                     -- Salesforce instance / HubSpot API base the token belongs to
  external_account   text,                     -- HubSpot portal (hub) id / Salesforce org id
  status             text NOT NULL DEFAULT 'connected'
                     CHECK (status IN ('connected', 'revoked', 'error', 'disconnected')),
  status_reason      text,                     -- in words, shown on the CRM pages
  status_at          timestamptz NOT NULL DEFAULT now(),
  cursors            jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"in:company": {"since": iso, "after": "..."}, ...}
  mapping            jsonb NOT NULL DEFAULT '{}'::jsonb,   -- Prospector field -> CRM property, per object
  target_filter      jsonb NOT NULL DEFAULT '{"type": "all"}'::jsonb,
  rules              jsonb NOT NULL DEFAULT '{}'::jsonb,   -- held-out deal stages/types, customers
  create_contacts    boolean NOT NULL DEFAULT false,
  connected_by       bigint REFERENCES users(id),
  connected_at       timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Idempotency of the sync in: one row per CRM record we have seen. A merged-away record points at
-- its survivor (merged_into); a record deleted in the CRM keeps its row (deleted_at), so history
-- stays linked and a deleted account's signals stop.
CREATE TABLE crm_external_ids (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id      bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind              text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  object            text NOT NULL CHECK (object IN ('company', 'contact')),
  external_id       text NOT NULL,
  local_id          bigint,                    -- accounts.id / contacts.id
  merged_into       text,                      -- the surviving record's external id
  deleted_at        timestamptz,
  is_customer       boolean NOT NULL DEFAULT false,
  lifecycle         text,
  crm_modified_at   timestamptz,
  synced_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crm_external_ids_uq ON crm_external_ids (workspace_id, kind, object, external_id);
CREATE INDEX crm_external_ids_local_idx ON crm_external_ids (workspace_id, object, local_id);

-- Open deals/opportunities, for the RevOps rule that holds an account out of new sequences.
CREATE TABLE crm_deals (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id        bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind                text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  external_id         text NOT NULL,
  company_external_id text,
  name                text NOT NULL DEFAULT '',
  stage               text NOT NULL DEFAULT '',
  deal_type           text,
  is_closed           boolean NOT NULL DEFAULT false,
  deleted_at          timestamptz,
  crm_modified_at     timestamptz,
  synced_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crm_deals_uq ON crm_deals (workspace_id, kind, external_id);
CREATE INDEX crm_deals_company_idx ON crm_deals (workspace_id, kind, company_external_id);

CREATE TABLE crm_sync_runs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id   bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind           text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  direction      text NOT NULL CHECK (direction IN ('in', 'out')),
  mode           text NOT NULL DEFAULT 'incremental' CHECK (mode IN ('incremental', 'full')),
  dry_run        boolean NOT NULL DEFAULT false,
  status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'stopped')),
  records_in     integer NOT NULL DEFAULT 0,   -- CRM records read (in) / activities written (out)
  records_out    integer NOT NULL DEFAULT 0,   -- local rows created or changed (in) / CRM writes (out)
  failed         integer NOT NULL DEFAULT 0,
  summary        jsonb NOT NULL DEFAULT '{}'::jsonb,   -- what changed / would change (dry run)
  error          text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
CREATE INDEX crm_sync_runs_workspace_idx ON crm_sync_runs (workspace_id, direction, started_at DESC);

-- A record the CRM (or our side) refused, in words, with a retry button on the status page.
CREATE TABLE crm_sync_failures (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  direction     text NOT NULL CHECK (direction IN ('in', 'out')),
  object        text NOT NULL,                 -- company / contact / email / meeting / status / opt_out
  record_key    text NOT NULL,                 -- the CRM's external id (in) or our outbox key (out)
  label         text NOT NULL DEFAULT '',      -- a name or address a person recognises
  error         text NOT NULL,                 -- the CRM's error in words
  attempts      integer NOT NULL DEFAULT 1,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'retrying', 'resolved')),
  run_id        bigint REFERENCES crm_sync_runs(id) ON DELETE SET NULL,
  first_at      timestamptz NOT NULL DEFAULT now(),
  last_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crm_sync_failures_uq ON crm_sync_failures (workspace_id, kind, direction, object, record_key);

-- Activity writes going out, keyed by our own id (message id, event id, contact+status) so a
-- retry never writes twice: a row is done once the CRM answered with its id.
CREATE TABLE crm_outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id     bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('hubspot', 'salesforce')),
  idempotency_key  text NOT NULL,              -- 'email:msg:<messages.id>', 'meeting:event:<events.id>', ...
  activity         text NOT NULL CHECK (activity IN ('email', 'meeting', 'status', 'opt_out', 'contact')),
  contact_id       bigint REFERENCES contacts(id) ON DELETE SET NULL,
  payload          jsonb NOT NULL DEFAULT '{}'::jsonb,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  external_id      text,                       -- the CRM's id for what we wrote
  created_at       timestamptz NOT NULL DEFAULT now(),
  done_at          timestamptz
);
CREATE UNIQUE INDEX crm_outbox_key_uq ON crm_outbox (workspace_id, kind, idempotency_key);
CREATE INDEX crm_outbox_due_idx ON crm_outbox (status, next_attempt_at) WHERE status = 'pending';
