-- A mailbox's inbound-mail webhook secret can be rotated (issue 21). Null keeps the secret derived
-- from APP_SECRET (`inboundWebhookSecret`), so providers configured before this keep working; a
-- rotation stores a random secret, sealed with APP_SECRET, and the derived one stops verifying.
-- Forward only. Applied in one transaction by db/migrate.ts.
ALTER TABLE mailboxes ADD COLUMN inbound_secret_enc text;
