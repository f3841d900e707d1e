-- The CRM hold-out checked where the send is claimed (issue 14). An account the CRM calls a
-- customer, or with an open deal/opportunity in the stages and types RevOps chose, or whose CRM
-- record was deleted, is held out: claim_step() now reads the reason with the other facts and
-- claims nothing while it holds (sequencing/claim.ts then stops the sequence with that reason).
-- crm_hold_out() is the one implementation of the rule: crm/guards.ts calls it too, for plays,
-- approval and the draft page, and crm/sync-in.ts to stop active sequences when a sync learns it.
-- claim_step() is 0035's with one more field and one more condition.

-- Why the workspace's CRM holds this account out, in words, or null (no CRM, or nothing holds it).
-- Rules (crm_connections.rules, crm/mapping.ts RulesInput): holdCustomers (default true),
-- heldStages / heldTypes (empty: every open deal counts).
CREATE FUNCTION crm_hold_out(p_workspace bigint, p_account bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  k record;
  x record;
  v_crm text;
  v_stages jsonb;
  v_types jsonb;
  v_customers boolean;
  v_any boolean := false;
  v_live boolean := false;
  d record;
BEGIN
  IF p_account IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT c.kind, c.rules INTO k FROM crm_connections c WHERE c.workspace_id = p_workspace;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  v_crm := CASE k.kind WHEN 'hubspot' THEN 'HubSpot' WHEN 'salesforce' THEN 'Salesforce' ELSE k.kind END;
  v_stages := CASE WHEN jsonb_typeof(k.rules->'heldStages') = 'array' THEN k.rules->'heldStages' ELSE '[]'::jsonb END;
  v_types := CASE WHEN jsonb_typeof(k.rules->'heldTypes') = 'array' THEN k.rules->'heldTypes' ELSE '[]'::jsonb END;
  v_customers := coalesce(CASE WHEN jsonb_typeof(k.rules->'holdCustomers') = 'boolean'
                               THEN (k.rules->>'holdCustomers')::boolean END, true);
  FOR x IN
    SELECT e.external_id, e.is_customer, e.deleted_at IS NULL AND e.merged_into IS NULL AS live
      FROM crm_external_ids e
     WHERE e.workspace_id = p_workspace AND e.object = 'company' AND e.local_id = p_account AND e.kind = k.kind
     ORDER BY e.id
  LOOP
    v_any := true;
    CONTINUE WHEN NOT x.live;
    v_live := true;
    IF v_customers AND x.is_customer THEN
      RETURN format('held out by the CRM: a customer in %s', v_crm);
    END IF;
    SELECT dl.name, dl.stage INTO d FROM crm_deals dl
     WHERE dl.workspace_id = p_workspace AND dl.kind = k.kind AND dl.company_external_id = x.external_id
       AND NOT dl.is_closed AND dl.deleted_at IS NULL
       AND (jsonb_array_length(v_stages) = 0 OR v_stages ? dl.stage)
       AND (jsonb_array_length(v_types) = 0 OR (dl.deal_type IS NOT NULL AND v_types ? dl.deal_type))
     ORDER BY dl.id LIMIT 1;
    IF FOUND THEN
      RETURN format('held out by the CRM: open deal "%s" in %s (stage %s)', d.name, v_crm, d.stage);
    END IF;
  END LOOP;
  IF v_any AND NOT v_live THEN
    RETURN format('held out by the CRM: deleted in %s', v_crm);
  END IF;
  RETURN NULL;
END $$;

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
         crm_hold_out(s.workspace_id, coalesce(s.account_id, c.account_id)) AS crm_held_out
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

  v_mailboxes := claim_candidates(f.workspace_id, f.sequence_mailbox_id, f.owner_id, p_now);

  IF v_ok THEN
    -- Rotation: the least used mailbox today, then the one idle longest. Each try is one
    -- conditional update of the mailbox row; a concurrent claim that took the room wins.
    FOR cand IN
      SELECT m.id, m.min_gap_seconds, m.max_gap_seconds, m.next_send_at, m.last_sent_at, d.day FROM mailboxes m
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
        EXIT;
      END IF;
    END LOOP;

    IF v_claimed IS NULL THEN
      -- Lost every race: the caller decides from what the mailboxes look like now.
      v_mailboxes := claim_candidates(f.workspace_id, f.sequence_mailbox_id, f.owner_id, p_now);
    ELSE
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

  RETURN to_jsonb(f) || jsonb_build_object('thread', v_thread, 'clicks', v_clicks, 'mailboxes', v_mailboxes,
                                           'claimed_mailbox', v_claimed, 'message_id', v_message_id, 'reserved', v_prev);
END $$;
