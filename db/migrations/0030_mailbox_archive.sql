-- Deleting a mailbox (issue 20): one that sent mail or carries sequences is archived, not erased,
-- so sent history keeps its sender. An archived mailbox is off every list, owned by nobody (no
-- claim picks it for an unbound sequence) and paused; its sequences were moved or paused first.
ALTER TABLE mailboxes ADD COLUMN archived_at timestamptz;
