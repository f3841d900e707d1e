// The page that asks before approving what the gates flagged (a whole draft or one returned
// step): every failure by name, and a box to tick that says they were read.
import type { Request } from 'express';
import { failedGates } from '../../drafting/confirm-gates.js';
import { html, safeUrl } from '../html.js';
import { csrfField, page } from '../layout.js';
import { gateText } from './draft-actions.js';

export function confirmFailuresPage(
  req: Request,
  o: { what: string; action: string; back: string; failures: unknown; hidden: Record<string, string | number> },
): string {
  const list = Array.isArray(o.failures) ? o.failures : [];
  const gates = failedGates(o.failures);
  return page(
    req,
    `Approve ${o.what} despite ${list.length} gate failure${list.length === 1 ? '' : 's'}?`,
    html`<section class="gates" role="alert" aria-labelledby="confirm-h">
        <h2 id="confirm-h">The ${gates.join(', ')} gate${gates.length === 1 ? '' : 's'} flagged ${o.what}</h2>
        <ul>
          ${list.map((g) => html`<li>${gateText(g)}</li>`)}
        </ul>
      </section>
      <form method="post" action="${safeUrl(o.action)}" class="stack" id="confirm-failures-form">
        ${csrfField(req)}${Object.entries(o.hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}
        <input type="hidden" name="confirm_gates" value="${gates.join(',')}" />
        <label class="check"
          ><input type="checkbox" name="confirm_failures" value="yes" required id="confirm-failures" /> I read these
          failures and approve it as it is</label
        >
        <div>
          <button type="submit" class="primary">Approve despite ${gates.join(', ')}</button>
          <a href="${safeUrl(o.back)}">Back</a>
        </div>
      </form>`,
  );
}

/** The gates a confirmation form names, counted only when its box was ticked. */
export function confirmedGates(body: Record<string, unknown> | undefined): string[] {
  return body?.confirm_failures === 'yes'
    ? String(body?.confirm_gates ?? '')
        .split(',')
        .filter(Boolean)
    : [];
}
