// Clicks, opens and unsubscribes from links in sent mail.
import type { Sql } from '../types.js';

/** The sent step a tracking token names, with what an event row needs. */
interface StepRef {
  step_id: number;
  body: string;
  sent_at: Date | null;
  status: string;
  sequence_id: number;
  workspace_id: number;
  contact_id: number;
  account_id: number | null;
  signal_id: number | null;
}

export const trackedStep = (stepId: number): Sql<StepRef> => ({
  text: `SELECT st.id AS step_id, st.body, st.sent_at, st.status, s.id AS sequence_id, s.workspace_id, s.contact_id,
                s.account_id, s.signal_id
           FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id WHERE st.id = $1`,
  values: [stepId],
});

export const contactForUnsubscribe = (
  contactId: number,
): Sql<{ id: number; workspace_id: number; email: string; status: string }> => ({
  text: `SELECT id, workspace_id, email, status FROM contacts WHERE id = $1`,
  values: [contactId],
});
