-- Acquisition becomes a signal type of its own (issue 18): an account buying, an account being
-- bought, a competitor being bought. Its facts carry acquirer, target and the account's role.
-- Forward only. Applied in one transaction by db/migrate.ts.
ALTER TABLE signals DROP CONSTRAINT signals_type_check;
ALTER TABLE signals ADD CONSTRAINT signals_type_check
  CHECK (type IN ('funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual', 'inbound'));
