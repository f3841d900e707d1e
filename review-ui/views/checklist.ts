// The admin's first-run checklist: what is left to set up, each step ticked from the workspace's data.
import type { ChecklistRow } from '../../db/queries/checklist.js';
import { html, safeUrl, type Html } from '../html.js';

const STEPS: { key: keyof Omit<ChecklistRow, 'demo'>; text: string; href: string }[] = [
  { key: 'mailbox', text: 'Add a mailbox to send from', href: '/mailboxes' },
  { key: 'accounts', text: 'Import your accounts', href: '/imports' },
  { key: 'source', text: 'Add a signal source', href: '/settings/sources' },
  { key: 'rep', text: 'Invite a rep', href: '/users' },
  { key: 'playbook', text: 'Set the playbook (who you are, what you offer)', href: '/settings/workspace' },
];

/** The checklist card, or nothing in the demo or once every step is done. */
export function checklistCard(s: ChecklistRow): Html | '' {
  if (s.demo || STEPS.every((x) => s[x.key])) return '';
  const left = STEPS.filter((x) => !s[x.key]).length;
  return html`<section class="card" aria-labelledby="first-run-h">
    <h2 id="first-run-h">Getting started: ${left} of ${STEPS.length} left</h2>
    <ul class="checklist">
      ${STEPS.map((x) =>
        s[x.key]
          ? html`<li data-done="true">
              <span aria-hidden="true">✓</span> <s>${x.text}</s> <span class="sr-only">(done)</span>
            </li>`
          : html`<li data-done="false">
              <span aria-hidden="true">○</span> <a href="${safeUrl(x.href)}">${x.text}</a>
            </li>`,
      )}
    </ul>
  </section>`;
}
