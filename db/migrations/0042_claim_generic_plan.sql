-- claim_step() plans its statements once per connection (issue 17 item 2). Left to plan_cache_mode
-- = auto, each new connection planned the function's statements afresh on its first five calls
-- (custom plans, about 2.3 ms of server CPU each for the facts join and its subqueries) before
-- settling on the generic plans it keeps from then on. Measured on a fresh connection, its first 12
-- claims: 30 ms of server CPU with auto, 10 ms with generic plans from the first call; after
-- warm-up both cost the same per claim (about 0.65 ms), as auto had settled on the same generic
-- plans. Every statement in it finds its rows by primary or foreign key.
ALTER FUNCTION claim_step(bigint, timestamptz, double precision, text) SET plan_cache_mode = force_generic_plan;
