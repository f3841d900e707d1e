// Deleting a mailbox: the confirmation (what happens to its history and to the sequences sending from it) and
// the flash once it is gone. Pure: the mailbox, its impact and its rep's other mailboxes in.
import type { Request } from 'express';
import type { MailboxImpactRow, Sibling } from '../../db/queries/mailboxes.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField } from '../layout.js';

export const deletedFlash = (address: string) =>
  address ? html`<p class="flash ok" role="status">Deleted ${address}.</p>` : '';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The default pause reason: says what happened and what to do. */
export const defaultReason = (m: MailboxRow) =>
  `mailbox ${m.from_email} was deleted; resume to send from the rep's other mailboxes`;

export function affected(i: MailboxImpactRow): number {
  return i.bound_sequences + i.orphaned_sequences;
}

/** The confirmation before deleting a mailbox: what happens to its history and to the sequences sending from it. */
export function confirmDeletePage(
  req: Request,
  m: MailboxRow,
  i: MailboxImpactRow,
  siblings: Sibling[],
  back: string,
): Html {
  const history = i.referenced
    ? html`<p id="delete-history">
        Sent history is kept: ${plural(i.sent_messages, 'message')} sent from it stay in the outbox and on their
        sequences. The mailbox is <strong>archived</strong>: it leaves every list, never sends again, and its stored
        passwords are dropped.
      </p>`
    : html`<p id="delete-history">Nothing was sent from it and no sequence uses it: it is removed.</p>`;
  if (i.in_flight)
    return html`${history}
      <p class="bad" role="alert" id="delete-blocked">
        ${plural(i.in_flight, 'step is', 'steps are')} being sent from this mailbox or waiting for a person's decision
        in the <a href="/outbox">outbox</a>. Delete it once they are settled.
      </p>
      <p><a href="${safeUrl(back)}">← Back</a></p>`;
  const n = affected(i);
  const open = siblings.filter((s) => !s.paused_at);
  const steps = html`<p id="delete-steps">
    ${
      n
        ? html`<strong>${plural(n, 'open sequence')}</strong> would send from this mailbox
            (${plural(i.bound_steps, 'unsent step')} on ${plural(i.bound_sequences, 'sequence')} bound to
            it${
              i.orphaned_sequences
                ? html`, and ${plural(i.orphaned_sequences, 'sequence')} of its rep, who has no other mailbox`
                : ''
            }).
            Choose what happens to them:`
        : 'No open sequence sends from this mailbox.'
    }
  </p>`;
  const choices = n
    ? html`<fieldset>
        <legend>Their scheduled steps</legend>
        ${
          siblings.length
            ? html`<label class="check"
                  ><input type="radio" name="then" value="move" ${open.length ? html`checked` : ''} required /> Move
                  them to another of the rep's mailboxes (later steps of a thread then come from that address):</label
                >
                <label
                  >Mailbox
                  <select name="to">
                    ${siblings.map(
                      (s) =>
                        html`<option value="${s.id}">
                          ${s.from_name}
                          &lt;${s.from_email}&gt;${s.paused_at ? ` (paused: ${s.pause_reason ?? ''})` : ''}
                        </option>`,
                    )}
                  </select></label
                >`
            : html`<p class="muted">The rep has no other mailbox to move them to.</p>`
        }
        <label class="check"
          ><input type="radio" name="then" value="pause" ${open.length ? '' : html`checked`} required /> Pause them; the
          reason below shows on each sequence and on its waiting steps until someone resumes it:</label
        >
        <label>Reason <input name="reason" value="${defaultReason(m)}" maxlength="300" /></label>
      </fieldset>`
    : '';
  return html`${history} ${steps}
    <form method="post" action="${safeUrl(`/settings/mailboxes/${m.id}/delete`)}" class="wide" id="delete-form">
      ${csrfField(req)} ${choices}
      <button type="submit" class="danger">Delete ${m.from_email}</button>
      <a href="${safeUrl(back)}">Cancel</a>
    </form>`;
}
