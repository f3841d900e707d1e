-- Exactly once, in order, under the faults of a real deployment.

-- When the transport was ready and about to hand the message over (before MAIL FROM or the API
-- request). A step left in `sending` without it never reached the server: the reconciler puts it
-- back to `scheduled` instead of asking a person.
ALTER TABLE sequence_steps ADD COLUMN handed_at timestamptz;

-- An ambiguous failure (the server may hold the whole message) marks the step `unknown` and asks
-- the reconciler to look its Message-ID up from this time on; cleared once it has looked.
ALTER TABLE sequence_steps ADD COLUMN reconcile_at timestamptz;
CREATE INDEX sequence_steps_reconcile_idx ON sequence_steps (reconcile_at) WHERE status = 'unknown';

-- The last line behind the claim's own re-check: a step goes to `sending` only when every earlier
-- step of its sequence is settled (sent, skipped, or cancelled), whatever code tries.
CREATE FUNCTION sequence_steps_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'sending' AND OLD.status IS DISTINCT FROM 'sending' AND EXISTS (
       SELECT 1 FROM sequence_steps e WHERE e.sequence_id = NEW.sequence_id AND e.position < NEW.position
          AND e.status NOT IN ('sent', 'skipped', 'cancelled')) THEN
    RAISE EXCEPTION 'step % cannot be sent before the earlier steps of its sequence are settled', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER sequence_steps_in_order BEFORE UPDATE OF status ON sequence_steps
  FOR EACH ROW EXECUTE FUNCTION sequence_steps_in_order();
