// First run without the demo: the admin's home shows what is left to set up (a sending mailbox,
// accounts, a signal source, a rep, the playbook), each ticked from the workspace's data and
// linked to the page that does it. Gone once everything is done; never shown in the demo.

import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { firstRunState, type ChecklistRow } from '../../db/queries/checklist.js';
import { AuthedRequest } from '../authed.js';
import { html, safeUrl, type Html } from '../html.js';

const STEPS: { key: keyof Omit<ChecklistRow, 'demo'>; text: string; href: string }[] = [
  { key: 'mailbox', text: 'Add a mailbox to send from', href: '/mailboxes' },
  { key: 'accounts', text: 'Import your accounts', href: '/imports' },
  { key: 'source', text: 'Add a signal source', href: '/settings/sources' },
  { key: 'rep', text: 'Invite a rep', href: '/users' },
  { key: 'playbook', text: 'Set the playbook (who you are, what you offer)', href: '/settings/workspace' },
];

export async function firstRunChecklist(ctx: Pick<AppContext, 'db'>, req: AuthedRequest): Promise<Html | ''> {
  if (req.user.role !== 'admin') return '';
  const s = await one(ctx.db, firstRunState(req.user.workspaceId));
  if (!s || s.demo || STEPS.every((x) => s[x.key])) return '';
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
