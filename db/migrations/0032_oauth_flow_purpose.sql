-- oauth_flows was made for the mailbox connect (0021); the CRM sign-ins (0025) had to pose as a
-- mailbox flow: transport 'api', and Salesforce's login host kept in `nonce`. A flow now says what
-- it connects (`purpose`): a mailbox flow has its transport and OIDC nonce; a CRM flow has neither,
-- and a Salesforce one has its login host (production or sandbox) in a column of its own.
-- Forward only. Applied in one transaction by db/migrate.ts.
ALTER TABLE oauth_flows ADD COLUMN purpose text NOT NULL DEFAULT 'mailbox';
ALTER TABLE oauth_flows ADD COLUMN login_host text;
ALTER TABLE oauth_flows ALTER COLUMN transport DROP NOT NULL;
ALTER TABLE oauth_flows ALTER COLUMN nonce DROP NOT NULL;
ALTER TABLE oauth_flows DROP CONSTRAINT IF EXISTS oauth_flows_provider_check;
ALTER TABLE oauth_flows DROP CONSTRAINT IF EXISTS oauth_flows_transport_check;

-- CRM flows still in progress (ten minutes at most) become what they are.
UPDATE oauth_flows
   SET purpose = 'crm',
       login_host = CASE WHEN provider = 'salesforce' THEN CASE WHEN nonce = 'sandbox' THEN 'sandbox' ELSE 'production' END END,
       transport = NULL,
       nonce = NULL
 WHERE provider IN ('hubspot', 'salesforce');

-- coalesce: a NULL inside IN would make the whole check unknown, and a check that is unknown passes.
ALTER TABLE oauth_flows ADD CONSTRAINT oauth_flows_purpose_check CHECK (coalesce(
  (purpose = 'mailbox' AND provider IN ('google', 'microsoft') AND transport IN ('smtp', 'api')
     AND nonce IS NOT NULL AND login_host IS NULL)
  OR (purpose = 'crm' AND transport IS NULL AND nonce IS NULL
     AND ((provider = 'hubspot' AND login_host IS NULL)
          OR (provider = 'salesforce' AND login_host IN ('production', 'sandbox')))),
  false));
