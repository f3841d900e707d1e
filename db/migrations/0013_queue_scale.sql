-- A review queue whose cost does not grow with the queue (issue 17).
-- 1. The signal's type and detection time copied onto the sequence (kept by triggers), and
--    whether a gate flagged it, so one partial covering index serves the page in queue order.
-- 2. Facet counts from counter rows kept by the same transactions that change a draft.
-- 3. Search through pg_trgm indexes (PGlite loads the extension in db/pglite.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE sequences
  ADD COLUMN signal_type text,
  ADD COLUMN signal_detected_at timestamptz,
  ADD COLUMN flagged boolean GENERATED ALWAYS AS (gate_failures <> '[]'::jsonb) STORED;

UPDATE sequences s SET signal_type = sig.type, signal_detected_at = sig.detected_at
  FROM signals sig WHERE sig.id = s.signal_id;

CREATE FUNCTION sequences_copy_signal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.signal_id IS DISTINCT FROM OLD.signal_id THEN
    NEW.signal_type := NULL;
    NEW.signal_detected_at := NULL;
    SELECT type, detected_at INTO NEW.signal_type, NEW.signal_detected_at FROM signals WHERE id = NEW.signal_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER sequences_copy_signal BEFORE INSERT OR UPDATE OF signal_id ON sequences
  FOR EACH ROW EXECUTE FUNCTION sequences_copy_signal();

CREATE FUNCTION signals_copy_to_sequences() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sequences SET signal_type = NEW.type, signal_detected_at = NEW.detected_at WHERE signal_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER signals_copy_to_sequences AFTER UPDATE OF type, detected_at ON signals
  FOR EACH ROW WHEN (OLD.type IS DISTINCT FROM NEW.type OR OLD.detected_at IS DISTINCT FROM NEW.detected_at)
  EXECUTE FUNCTION signals_copy_to_sequences();

-- Queue order (flagged first, newest signal first) over pending drafts only, carrying what the
-- filters and the visibility check read, so a page is an index walk that stops at the page.
CREATE INDEX sequences_pending_review_idx
  ON sequences (workspace_id, flagged DESC, signal_detected_at DESC, signal_id DESC, id DESC)
  INCLUDE (owner_id, account_id, signal_type)
  WHERE status = 'pending_review';

-- Pending drafts counted by everything a facet groups or filters on. The age facet buckets by
-- the hour of detection (UTC), so hour rows are enough to count it exactly. Unknown owners and
-- types are stored as 0 and ''. Rows are never deleted; a count of 0 means none.
CREATE TABLE review_queue_counts (
  workspace_id     bigint NOT NULL,
  signal_type      text NOT NULL,
  owner_id         bigint NOT NULL,
  account_owner_id bigint NOT NULL,
  flagged          boolean NOT NULL,
  detected_hour    timestamptz NOT NULL,
  n                integer NOT NULL,
  PRIMARY KEY (workspace_id, signal_type, owner_id, account_owner_id, flagged, detected_hour)
);

CREATE FUNCTION review_queue_bump(ws bigint, typ text, owner bigint, account_owner bigint, fl boolean,
                                  at timestamptz, d integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO review_queue_counts AS c
  VALUES (ws, coalesce(typ, ''), coalesce(owner, 0), coalesce(account_owner, 0), fl,
          date_trunc('hour', coalesce(at, 'epoch'::timestamptz), 'UTC'), d)
  ON CONFLICT (workspace_id, signal_type, owner_id, account_owner_id, flagged, detected_hour)
  DO UPDATE SET n = c.n + EXCLUDED.n
$$;

CREATE FUNCTION sequences_count_review() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was boolean := TG_OP <> 'INSERT' AND OLD.status = 'pending_review' AND OLD.signal_id IS NOT NULL;
  is_now boolean := TG_OP <> 'DELETE' AND NEW.status = 'pending_review' AND NEW.signal_id IS NOT NULL;
BEGIN
  IF was AND is_now AND OLD.workspace_id = NEW.workspace_id AND OLD.signal_type IS NOT DISTINCT FROM NEW.signal_type
     AND OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id AND OLD.account_id IS NOT DISTINCT FROM NEW.account_id
     AND OLD.flagged = NEW.flagged AND OLD.signal_detected_at IS NOT DISTINCT FROM NEW.signal_detected_at THEN
    RETURN NULL;
  END IF;
  IF was THEN
    PERFORM review_queue_bump(OLD.workspace_id, OLD.signal_type, OLD.owner_id,
      (SELECT owner_id FROM accounts WHERE id = OLD.account_id), OLD.flagged, OLD.signal_detected_at, -1);
  END IF;
  IF is_now THEN
    PERFORM review_queue_bump(NEW.workspace_id, NEW.signal_type, NEW.owner_id,
      (SELECT owner_id FROM accounts WHERE id = NEW.account_id), NEW.flagged, NEW.signal_detected_at, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sequences_count_review AFTER INSERT OR DELETE OR UPDATE ON sequences
  FOR EACH ROW EXECUTE FUNCTION sequences_count_review();

-- A rep sees drafts on accounts they own: moving an account moves its drafts' counts.
CREATE FUNCTION accounts_move_review_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT workspace_id, signal_type, owner_id, flagged, signal_detected_at, count(*)::int AS n
             FROM sequences WHERE account_id = NEW.id AND status = 'pending_review' AND signal_id IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5 LOOP
    PERFORM review_queue_bump(r.workspace_id, r.signal_type, r.owner_id, OLD.owner_id, r.flagged, r.signal_detected_at, -r.n);
    PERFORM review_queue_bump(r.workspace_id, r.signal_type, r.owner_id, NEW.owner_id, r.flagged, r.signal_detected_at, r.n);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER accounts_move_review_counts AFTER UPDATE OF owner_id ON accounts
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
  EXECUTE FUNCTION accounts_move_review_counts();

INSERT INTO review_queue_counts
SELECT s.workspace_id, coalesce(s.signal_type, ''), coalesce(s.owner_id, 0), coalesce(a.owner_id, 0), s.flagged,
       date_trunc('hour', coalesce(s.signal_detected_at, 'epoch'::timestamptz), 'UTC'), count(*)
  FROM sequences s LEFT JOIN accounts a ON a.id = s.account_id
 WHERE s.status = 'pending_review' AND s.signal_id IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5, 6;

-- Search: ILIKE '%q%' through trigram indexes (three characters or more), one per searched column.
CREATE INDEX accounts_name_trgm ON accounts USING gin (name gin_trgm_ops);
CREATE INDEX signals_title_trgm ON signals USING gin (title gin_trgm_ops);
CREATE INDEX contacts_email_trgm ON contacts USING gin (email gin_trgm_ops);
CREATE INDEX contacts_name_trgm ON contacts USING gin ((first_name || ' ' || last_name) gin_trgm_ops);
CREATE INDEX sequence_steps_subject_trgm ON sequence_steps USING gin (subject gin_trgm_ops);

-- The maintenance tick wakes snoozed drafts across workspaces every minute (the queue page only reads).
CREATE INDEX sequences_snoozed_idx ON sequences (snoozed_until) WHERE status = 'snoozed';
