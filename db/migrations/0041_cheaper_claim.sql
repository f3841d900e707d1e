-- The claim made cheaper on its common path (issue 17 item 2). Measured per claim on PostgreSQL:
-- reading every candidate mailbox (claim_candidates, about 0.35 ms) is needed only when nothing
-- was claimed; when a mailbox was reserved, the rules need only that mailbox as it was before the
-- reservation (ready, with room), which decides the same. crm_hold_out() (about 0.1 ms of
-- PL/pgSQL entry even with no CRM) runs only for a workspace with a CRM connection. The order and
-- own-approval triggers (0008, 0009) act only on a move into `sending`: a WHEN clause now says so,
-- so recording `sent` and every other status change no longer enters their functions.
-- claim_step() is otherwise 0040's.

DROP TRIGGER sequence_steps_in_order ON sequence_steps;
CREATE TRIGGER sequence_steps_in_order BEFORE UPDATE OF status ON sequence_steps
  FOR EACH ROW WHEN (NEW.status = 'sending' AND OLD.status IS DISTINCT FROM 'sending')
  EXECUTE FUNCTION sequence_steps_in_order();
DROP TRIGGER sequence_steps_own_approval ON sequence_steps;
CREATE TRIGGER sequence_steps_own_approval BEFORE UPDATE OF status ON sequence_steps
  FOR EACH ROW WHEN (NEW.status = 'sending' AND OLD.status IS DISTINCT FROM 'sending' AND NEW.approved_at IS NULL)
  EXECUTE FUNCTION sequence_steps_require_own_approval();

CREATE OR REPLACE FUNCTION claim_step(p_step bigint, p_now timestamptz, p_random double precision, p_message_id text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  f record;
  cand record;
  v_ok boolean;
  v_tag text;
  v_clicks jsonb := '[]'::jsonb;
  v_thread jsonb;
  v_mailboxes jsonb;
  v_claimed jsonb;
  v_prev jsonb;
  v_message_id text;
  v_gap integer;
BEGIN
  SELECT st.id AS step_id, st.status AS step_status, st.position, st.subject, st.body, st.new_thread, st.branch,
         st.attempts, st.scheduled_at, st.delay_days, s.id AS sequence_id, s.status AS sequence_status, s.paused_until,
         s.workspace_id, s.owner_id, s.mailbox_id AS sequence_mailbox_id, s.account_id, s.signal_id,
         c.id AS contact_id, c.email AS contact_email, trim(c.first_name || ' ' || c.last_name) AS contact_name,
         c.status AS contact_status, w.settings, c.time_zone AS contact_tz,
         -- The owner's own signature and sender name (migration 0031), read by name from the row.
         to_jsonb(u)->>'signature' AS owner_signature, to_jsonb(u)->>'sender_name' AS owner_sender_name, a.time_zone AS account_tz, u.time_zone AS owner_tz,
         a.country, t.sending_window, t.fallback_window, t.fallback_after_days, s.approval_mode,
         (st.approved_at IS NOT NULL AND st.approved_by IS NOT NULL) AS own_approval,
         NOT EXISTS (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = s.id AND e.position < st.position) AS is_first,
         EXISTS (SELECT 1 FROM suppressions x WHERE x.workspace_id = s.workspace_id
                   AND ((x.kind = 'email' AND lower(x.value) = lower(c.email))
                     OR (x.kind = 'domain' AND lower(x.value) = lower(split_part(c.email, '@', 2))))) AS suppressed,
         EXISTS (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = s.id AND e.position < st.position
                   AND e.status NOT IN ('sent', 'skipped', 'cancelled')) AS earlier_pending,
         (SELECT max(e.scheduled_at) FROM sequence_steps e WHERE e.sequence_id = s.id AND e.position < st.position
                   AND e.status IN ('scheduled', 'awaiting_approval')) AS earlier_planned_at,
         EXISTS (SELECT 1 FROM sequence_steps e WHERE e.sequence_id = s.id AND e.position < st.position
                   AND e.status IN ('awaiting_approval', 'draft')) AS earlier_awaiting,
         -- The CRM's RevOps rule at this moment (0040): the reason the account is held out, or null.
         CASE WHEN EXISTS (SELECT 1 FROM crm_connections k WHERE k.workspace_id = s.workspace_id)
              THEN crm_hold_out(s.workspace_id, coalesce(s.account_id, c.account_id)) END AS crm_held_out
    INTO f
    FROM sequence_steps st
    JOIN sequences s ON s.id = st.sequence_id
    JOIN contacts c ON c.id = s.contact_id
    JOIN workspaces w ON w.id = s.workspace_id
    LEFT JOIN accounts a ON a.id = coalesce(s.account_id, c.account_id)
    LEFT JOIN users u ON u.id = s.owner_id
    LEFT JOIN sequence_templates t ON t.id = s.template_id
   WHERE st.id = p_step
     FOR UPDATE OF st, s;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  SELECT coalesce(jsonb_agg(jsonb_build_object('position', e.position, 'subject', e.subject, 'new_thread', e.new_thread,
                                               'message_id', e.message_id, 'status', e.status) ORDER BY e.position), '[]'::jsonb)
    INTO v_thread FROM sequence_steps e WHERE e.sequence_id = f.sequence_id AND e.position < f.position;

  -- The branch condition as sequencing/branch.ts reads it: anything but a valid condition holds.
  v_ok := true;
  IF jsonb_typeof(f.branch) = 'object' AND f.branch->>'when' IN ('clicked', 'not_clicked')
     AND (NOT (f.branch ? 'tag') OR (jsonb_typeof(f.branch->'tag') = 'string' AND f.branch->>'tag' <> '')) THEN
    SELECT coalesce(jsonb_agg(DISTINCT ev.data->>'url'), '[]'::jsonb) INTO v_clicks
      FROM events ev WHERE ev.sequence_id = f.sequence_id AND ev.type = 'click' AND NOT ev.is_bot AND ev.data->>'url' IS NOT NULL;
    v_tag := lower(f.branch->>'tag');
    v_ok := (f.branch->>'when' = 'clicked') = EXISTS (SELECT 1 FROM jsonb_array_elements_text(v_clicks) u
                                                       WHERE v_tag IS NULL OR strpos(lower(u), v_tag) > 0);
  END IF;

  v_ok := coalesce(v_ok AND f.step_status = 'scheduled' AND f.sequence_status = 'active' AND f.contact_status = 'active'
                   AND NOT f.suppressed AND f.crm_held_out IS NULL AND NOT f.earlier_pending
                   AND NOT (f.approval_mode = 'each_step' AND NOT f.is_first AND NOT f.own_approval), false);

  IF v_ok THEN
    -- Rotation: the least used mailbox today, then the one idle longest. Each try is one
    -- conditional update of the mailbox row; a concurrent claim that took the room wins.
    FOR cand IN
      SELECT m.id, m.min_gap_seconds, m.max_gap_seconds, m.next_send_at, m.last_sent_at, d.day, m.daily_cap,
             m.ramp_per_day, m.created_at, CASE WHEN m.sent_day = d.day THEN m.sent_on_day ELSE 0 END AS sent_today
        FROM mailboxes m
       CROSS JOIN LATERAL (SELECT mailbox_day(m.user_id, p_now) AS day) d
       WHERE m.workspace_id = f.workspace_id
         AND (m.id = f.sequence_mailbox_id OR (f.sequence_mailbox_id IS NULL AND m.user_id = f.owner_id))
         AND m.paused_at IS NULL AND (m.next_send_at IS NULL OR m.next_send_at <= p_now)
         AND CASE WHEN m.sent_day = d.day THEN m.sent_on_day ELSE 0 END < mailbox_cap(m.daily_cap, m.ramp_per_day, m.created_at, p_now)
       ORDER BY CASE WHEN m.sent_day = d.day THEN m.sent_on_day ELSE 0 END, m.next_send_at NULLS FIRST, m.id
    LOOP
      -- randomGap() of claim-rules.ts: uniform in [min, max] seconds; none configured leaves next_send_at empty.
      v_gap := greatest(0, least(cand.min_gap_seconds, cand.max_gap_seconds));
      v_gap := v_gap + floor(p_random * (greatest(v_gap, cand.max_gap_seconds) - v_gap + 1))::integer;
      UPDATE mailboxes m
         SET sent_on_day = CASE WHEN m.sent_day = cand.day THEN m.sent_on_day + 1 ELSE 1 END, sent_day = cand.day,
             last_sent_at = p_now, next_send_at = CASE WHEN v_gap > 0 THEN p_now + v_gap * interval '1 second' END
       WHERE m.id = cand.id AND m.paused_at IS NULL AND (m.next_send_at IS NULL OR m.next_send_at <= p_now)
         AND CASE WHEN m.sent_day = cand.day THEN m.sent_on_day ELSE 0 END < mailbox_cap(m.daily_cap, m.ramp_per_day, m.created_at, p_now)
      RETURNING to_jsonb(m.*) INTO v_claimed;
      IF v_claimed IS NOT NULL THEN
        v_prev := jsonb_build_object('next_send_at', cand.next_send_at, 'last_sent_at', cand.last_sent_at, 'day', cand.day);
        -- The reserved mailbox as the rules must see it: ready before this claim took its room.
        v_mailboxes := jsonb_build_array(jsonb_build_object('id', cand.id, 'paused_at', NULL, 'next_send_at', cand.next_send_at,
                                           'sent_today', cand.sent_today, 'daily_cap', cand.daily_cap,
                                           'ramp_per_day', cand.ramp_per_day, 'created_at', cand.created_at));
        EXIT;
      END IF;
    END LOOP;

    IF v_claimed IS NOT NULL THEN
      v_message_id := p_message_id || coalesce(nullif(lower(substring(v_claimed->>'from_email' FROM '[^@]*$')), ''), 'localhost') || '>';
      -- The order trigger (migration 0009) and the approval trigger (0008) still check this update.
      UPDATE sequence_steps SET status = 'sending', claimed_at = p_now, mailbox_id = (v_claimed->>'id')::bigint,
             message_id = v_message_id, attempts = attempts + 1, handed_at = NULL, reconcile_at = NULL, updated_at = p_now
       WHERE id = p_step AND status = 'scheduled';
      IF f.sequence_mailbox_id IS NULL THEN
        UPDATE sequences SET mailbox_id = (v_claimed->>'id')::bigint WHERE id = f.sequence_id AND mailbox_id IS NULL;
      END IF;
    END IF;
  END IF;

  IF v_claimed IS NULL THEN
    -- Nothing claimed: the caller decides from what the sender's mailboxes look like now.
    v_mailboxes := claim_candidates(f.workspace_id, f.sequence_mailbox_id, f.owner_id, p_now);
  END IF;

  RETURN to_jsonb(f) || jsonb_build_object('thread', v_thread, 'clicks', v_clicks, 'mailboxes', v_mailboxes,
                                           'claimed_mailbox', v_claimed, 'message_id', v_message_id, 'reserved', v_prev);
END $$;
