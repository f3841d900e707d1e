-- Experiments (issue 19): A/B variants of a play or of template steps, and a hold-out group per
-- play that measures the lift a signal brings. The configuration lives on the play (`experiment`,
-- null = no variants and no hold-out) and on the template steps' jsonb (`variants` per step).
-- What each sequence was assigned is stored on the sequence when it is created, before any
-- drafting, so it is random once and stable for the whole sequence; nothing lets a rep change it.
-- Forward only. Applied in one transaction by db/migrate.ts.
ALTER TABLE plays ADD COLUMN experiment jsonb;

-- 0-based index into the play's variants (variant_of = 'play') or the template steps' variants
-- (variant_of = 'template'); null when neither has variants.
ALTER TABLE sequences ADD COLUMN variant smallint CHECK (variant BETWEEN 0 AND 3);
ALTER TABLE sequences ADD COLUMN variant_of text CHECK (variant_of IN ('play', 'template'));
-- 'random': drawn at assignment (only these enter the comparison); 'promoted': a clear winner
-- rolled out to a new enrolment.
ALTER TABLE sequences ADD COLUMN variant_source text CHECK (variant_source IN ('random', 'promoted'));
-- Hold-out arm for plays that measure lift: 'treated' got the signal-specific sequence,
-- 'holdout' the evergreen one (or nothing: status 'stopped', stop_reason 'holdout'). Null: no hold-out.
ALTER TABLE sequences ADD COLUMN arm text CHECK (arm IN ('treated', 'holdout'));

CREATE INDEX sequences_experiment_idx ON sequences (workspace_id, play_id, variant) WHERE variant IS NOT NULL;
CREATE INDEX sequences_arm_idx ON sequences (workspace_id, play_id, arm) WHERE arm IS NOT NULL;
