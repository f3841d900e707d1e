// The merge page as a pure function of its preview: the two ids, what moves, and the button.
import type { Request } from 'express';
import type { MergeKind } from '../../db/queries/merge.js';
import { clashMessage, type MergePreview } from '../../accounts/merge.js';
import { html, safeUrl, thead } from '../html.js';
import { csrfField, page } from '../layout.js';

const describe = (kind: MergeKind, r: Record<string, unknown>) =>
  kind === 'account'
    ? `#${String(r.id)} ${String(r.name)}${r.domain ? ` (${String(r.domain)})` : ''}`
    : `#${String(r.id)} ${`${String(r.first_name)} ${String(r.last_name)}`.trim()} <${String(r.email)}>`;

export function mergePage(
  req: Request,
  kind: MergeKind,
  ids: { from?: number; into?: number },
  p?: MergePreview,
  error?: string,
) {
  const plural = `${kind}s`;
  return page(
    req,
    `Merge two ${plural}`,
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <form method="get" action="${safeUrl(`/merge/${kind}`)}" class="stack">
        <label
          >Merge away ${kind} # <input name="from" type="number" min="1" value="${ids.from ?? ''}" required
        /></label>
        <label
          >into ${kind} # (kept) <input name="into" type="number" min="1" value="${ids.into ?? ''}" required
        /></label>
        <button type="submit" class="secondary">Show what moves</button>
      </form>
      ${
        p
          ? html`<section class="card" aria-label="What the merge does">
              <h2>${describe(kind, p.from)} → ${describe(kind, p.into)}</h2>
              <p>
                ${describe(kind, p.into)} is kept. ${describe(kind, p.from)} is removed; its
                ${kind === 'account' ? 'domain and name become aliases' : 'address becomes an alias'} of the kept one,
                and its old links lead there.
              </p>
              <table>
                ${thead(`Moves to the kept ${kind}`, 'Rows')}
                <tbody>
                  ${Object.entries(p.moves).map(
                    ([k, n]) =>
                      html`<tr>
                        <td>${k}</td>
                        <td>${n}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${
                p.clashes.length
                  ? html`<p class="error" role="alert">${clashMessage(p)}</p>`
                  : html`<form method="post" action="${safeUrl(`/merge/${kind}`)}">
                      ${csrfField(req)}<input type="hidden" name="from" value="${String(p.from.id)}" /><input
                        type="hidden"
                        name="into"
                        value="${String(p.into.id)}"
                      />
                      <button type="submit">Merge</button>
                    </form>`
              }
            </section>`
          : ''
      }`,
  );
}
