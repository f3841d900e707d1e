-- Sequencing: which mailbox claimed a step (rolling cap, bounce rate), one outbound message
-- per step, IMAP sync state, webhook replay protection.

ALTER TABLE sequence_steps ADD COLUMN mailbox_id bigint REFERENCES mailboxes(id);
CREATE INDEX sequence_steps_mailbox_idx ON sequence_steps (mailbox_id, claimed_at) WHERE mailbox_id IS NOT NULL;

-- A step is recorded as sent once, whatever retries or reconciliations happen.
CREATE UNIQUE INDEX messages_out_step_uq ON messages (step_id) WHERE direction = 'out' AND step_id IS NOT NULL;
CREATE UNIQUE INDEX events_sent_step_uq ON events (step_id) WHERE type = 'sent' AND step_id IS NOT NULL;
CREATE INDEX events_step_idx ON events (step_id, type) WHERE step_id IS NOT NULL;
CREATE INDEX messages_in_reply_idx ON messages (in_reply_to) WHERE in_reply_to IS NOT NULL;

ALTER TABLE mailboxes ADD COLUMN imap_sent_folder text;        -- null: found by the \Sent special-use flag
ALTER TABLE mailboxes ADD COLUMN imap_synced_at timestamptz;
ALTER TABLE mailboxes ADD COLUMN imap_error text;

-- Inbound and booking webhooks carry an id; a delivery seen twice is acknowledged and ignored.
CREATE TABLE webhook_deliveries (
  source       text NOT NULL,
  delivery_id  text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, delivery_id)
);
