// The "Export CSV" links on the pages that list exportable tables (routes/export.ts streams the CSV).
import type { ExportKind } from '../../db/queries/export.js';
import type { AuthedRequest } from '../authed.js';
import { html, safeUrl, type Html } from '../html.js';

/** "Export CSV" links for the pages that list these tables, shown to those who may export. */
export function exportLink(req: AuthedRequest, ...kinds: ExportKind[]): Html | '' {
  if (!['admin', 'revops', 'manager'].includes(req.user.role)) return '';
  return html`<p class="muted">
    Export as CSV:
    ${kinds.map((k, i) => html`${i ? ' · ' : ''}<a href="${safeUrl(`/export/${k}.csv`)}" download>${k}</a>`)}
  </p>`;
}
