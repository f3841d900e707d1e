-- The first week of real use (issue 20).

-- CSV re-import: what an empty cell in a mapped column does (keep the stored value, or clear
-- it), rows that matched and changed nothing, and rows imported with a warning.
ALTER TABLE imports
  ADD COLUMN empty_cells text NOT NULL DEFAULT 'keep' CHECK (empty_cells IN ('keep', 'clear')),
  ADD COLUMN unchanged_rows integer NOT NULL DEFAULT 0,
  ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'::jsonb;
