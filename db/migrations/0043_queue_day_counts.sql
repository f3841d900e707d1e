-- The queue's facet counts from day rows (issue 17 item 3). Summing the hour rows of migration
-- 0013 was most of the queue page's statement at 100k pending (6,668 rows, 3-5 ms): the age
-- buckets end 1, 7 and 30 days before now, and a day that holds none of those three ends lies
-- wholly in one bucket, so its hours can be counted as one row. The page now sums day rows for
-- such days and hour rows only for the (at most three) days an end falls in: a few hundred rows
-- whatever the history. Both are kept by the same bump, in the transaction that moves the draft.
CREATE TABLE review_queue_day_counts (
  workspace_id     bigint NOT NULL,
  signal_type      text NOT NULL,
  owner_id         bigint NOT NULL,
  account_owner_id bigint NOT NULL,
  flagged          boolean NOT NULL,
  detected_day     timestamptz NOT NULL,
  n                integer NOT NULL,
  PRIMARY KEY (workspace_id, signal_type, owner_id, account_owner_id, flagged, detected_day)
);

INSERT INTO review_queue_day_counts
SELECT workspace_id, signal_type, owner_id, account_owner_id, flagged, date_trunc('day', detected_hour, 'UTC'), sum(n)
  FROM review_queue_counts
 GROUP BY 1, 2, 3, 4, 5, 6;

-- The hours of one day of a workspace, for the days an age bucket ends in.
CREATE INDEX review_queue_counts_hour_idx ON review_queue_counts (workspace_id, detected_hour);

CREATE OR REPLACE FUNCTION review_queue_bump(ws bigint, typ text, owner bigint, account_owner bigint, fl boolean,
                                             at timestamptz, d integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO review_queue_counts AS c
  VALUES (ws, coalesce(typ, ''), coalesce(owner, 0), coalesce(account_owner, 0), fl,
          date_trunc('hour', coalesce(at, 'epoch'::timestamptz), 'UTC'), d)
  ON CONFLICT (workspace_id, signal_type, owner_id, account_owner_id, flagged, detected_hour)
  DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO review_queue_day_counts AS c
  VALUES (ws, coalesce(typ, ''), coalesce(owner, 0), coalesce(account_owner, 0), fl,
          date_trunc('day', coalesce(at, 'epoch'::timestamptz), 'UTC'), d)
  ON CONFLICT (workspace_id, signal_type, owner_id, account_owner_id, flagged, detected_day)
  DO UPDATE SET n = c.n + EXCLUDED.n;
$$;
