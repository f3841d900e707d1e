-- Account fields from the CRM kept to filter the managers' funnel by (issue 14): segment and
-- industry as the CRM's company record holds them, through the field mapping (crm/mapping.ts
-- CRM_FIELDS). One row per account the CRM sync gave a value; written only by the sync in
-- (db/queries/crm-fields.ts). Forward only.
CREATE TABLE account_crm_fields (
  account_id    bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  workspace_id  bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  fields        jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"segment": "Enterprise", "industry": "Software"}
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_crm_fields_workspace_idx ON account_crm_fields (workspace_id);
