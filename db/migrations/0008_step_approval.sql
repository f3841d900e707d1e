-- Per-step approval: in an `each_step` sequence every step after the opener comes back to its
-- owner's queue before it is due and goes out only with an approval of its own.

-- When the step came back to the queue (approval latency counts from here), why a step was
-- skipped as a stable code ('not_approved' for lack of approval), and the gates' verdict on a
-- step redrafted on its own ("refresh this step").
ALTER TABLE sequence_steps ADD COLUMN returned_at timestamptz;
ALTER TABLE sequence_steps ADD COLUMN skip_code text;
ALTER TABLE sequence_steps ADD COLUMN gate_failures jsonb NOT NULL DEFAULT '[]'::jsonb;

CREATE INDEX sequence_steps_awaiting_idx ON sequence_steps (scheduled_at) WHERE status = 'awaiting_approval';

-- The last line of defence behind the claim's own re-check: a step of an each_step sequence
-- cannot move to `sending` without an approval of its own, whatever code tries.
CREATE FUNCTION sequence_steps_require_own_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'sending' AND OLD.status IS DISTINCT FROM 'sending' AND NEW.approved_at IS NULL
     AND EXISTS (SELECT 1 FROM sequences s WHERE s.id = NEW.sequence_id AND s.approval_mode = 'each_step') THEN
    RAISE EXCEPTION 'step % of an each_step sequence has no approval of its own', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER sequence_steps_own_approval BEFORE UPDATE OF status ON sequence_steps
  FOR EACH ROW EXECUTE FUNCTION sequence_steps_require_own_approval();
