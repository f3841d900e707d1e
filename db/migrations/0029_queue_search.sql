-- Review queue search over one column (issue 17 item 3). Migration 0013 searched five columns of
-- four tables through one trigram index each, then joined what matched back to the drafts: a
-- term found in 10% of a 100k queue gathered every match in every table, active sequences and all
-- steps included (0.5–1 s). Now each sequence carries what the queue searches — account name,
-- contact name and email, signal title, every step's subject — kept by triggers in the
-- transactions that change any of them, and one trigram index covers pending drafts only.
ALTER TABLE sequences ADD COLUMN search_text text;

-- Fields one per line, so a term never matches across two of them.
CREATE FUNCTION sequence_search_text(account bigint, contact bigint, signal bigint, seq bigint) RETURNS text
  LANGUAGE sql STABLE AS $$
  SELECT concat_ws(E'\n',
    (SELECT name FROM accounts WHERE id = account),
    (SELECT concat_ws(E'\n', nullif(trim(first_name || ' ' || last_name), ''), email) FROM contacts WHERE id = contact),
    (SELECT title FROM signals WHERE id = signal),
    (SELECT string_agg(subject, E'\n' ORDER BY position) FROM sequence_steps WHERE sequence_id = seq))
$$;

CREATE FUNCTION sequences_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := sequence_search_text(NEW.account_id, NEW.contact_id, NEW.signal_id, NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER sequences_search_text BEFORE INSERT OR UPDATE OF account_id, contact_id, signal_id ON sequences
  FOR EACH ROW EXECUTE FUNCTION sequences_search_text();

-- Steps written or removed: their sequences' text again, once per statement (a drafter's
-- or an import's many steps cost one pass); a deleted sequence's steps find no row to update.
CREATE FUNCTION sequence_steps_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id)
     WHERE s.id IN (SELECT sequence_id FROM changed_steps);
  ELSE
    UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id)
     WHERE s.id IN (SELECT sequence_id FROM removed_steps);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sequence_steps_search_text_insert AFTER INSERT ON sequence_steps
  REFERENCING NEW TABLE AS changed_steps FOR EACH STATEMENT EXECUTE FUNCTION sequence_steps_search_text();
CREATE TRIGGER sequence_steps_search_text_delete AFTER DELETE ON sequence_steps
  REFERENCING OLD TABLE AS removed_steps FOR EACH STATEMENT EXECUTE FUNCTION sequence_steps_search_text();

-- A subject edited (or a step moved): row by row, and only when one of them changed, so the
-- sender's status updates never fire it.
CREATE FUNCTION sequence_step_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id)
   WHERE s.id IN (NEW.sequence_id, OLD.sequence_id);
  RETURN NULL;
END $$;
CREATE TRIGGER sequence_steps_search_text_update AFTER UPDATE OF subject, position, sequence_id ON sequence_steps
  FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.position IS DISTINCT FROM NEW.position
                     OR OLD.sequence_id IS DISTINCT FROM NEW.sequence_id)
  EXECUTE FUNCTION sequence_step_search_text();

-- A renamed account, contact or signal: the text of every sequence that shows it.
CREATE FUNCTION sequences_search_text_of() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'accounts' THEN
    UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id)
     WHERE s.account_id = NEW.id;
  ELSIF TG_TABLE_NAME = 'contacts' THEN
    UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id)
     WHERE s.contact_id = NEW.id;
  ELSE
    UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id)
     WHERE s.signal_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER accounts_search_text AFTER UPDATE OF name ON accounts
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION sequences_search_text_of();
CREATE TRIGGER contacts_search_text AFTER UPDATE OF first_name, last_name, email ON contacts
  FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
                     OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION sequences_search_text_of();
CREATE TRIGGER signals_search_text AFTER UPDATE OF title ON signals
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION sequences_search_text_of();

UPDATE sequences s SET search_text = sequence_search_text(s.account_id, s.contact_id, s.signal_id, s.id);

CREATE INDEX sequences_pending_search_trgm ON sequences USING gin (search_text gin_trgm_ops)
  WHERE status = 'pending_review';

-- Only the queue's search read these two; a step's index entry was written on every send.
DROP INDEX signals_title_trgm;
DROP INDEX sequence_steps_subject_trgm;
