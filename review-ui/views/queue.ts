// The review queue's pieces as pure functions of loaded rows: filters with their counts, one row
// per draft, the page body, and the bulk approval's confirmation and result lists. Every value
// goes through `html`.
import { AGES, SEARCH_CAP, SIGNAL_TYPES, type BulkApproveRow, type QueueRow } from '../../db/queries/review-queue.js';
import { ago, inZone, label } from '../format.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { QUEUE_KEY_HELP } from './draft-actions.js';

/** The filters as chosen (the page's query string, parsed). */
export interface QueueChoice {
  type?: string;
  owner?: number;
  age?: string;
  flagged?: '1';
  q?: string;
}

/** Counts per facet value: `counts.type.funding`, `counts.owner['7']`, `counts.flagged.true`. */
export type Counts = Record<string, Record<string, number>>;

const AGE_LABEL: Record<string, string> = { '1d': 'last 24 h', '7d': '1–7 days', '30d': '7–30 days', older: 'older' };

export const anyFilter = (q: QueueChoice) => !!(q.type || q.owner || q.age || q.flagged || q.q);

export function queueFilters(
  query: QueueChoice,
  counts: Counts,
  owners: { id: number; name: string; email: string }[],
  showOwner: boolean,
  /** More matches than a search counts: no counts shown (they would be of a sample). */
  capped = false,
): Html {
  const n = (facet: string, v: string) => counts[facet]?.[v] ?? 0;
  const opt = (value: string, text: string, selected: boolean, count: number) =>
    html`<option value="${value}" ${selected ? html`selected` : ''}>${text}${capped ? '' : ` (${count})`}</option>`;
  const totalFlagged = capped ? '' : ` (${n('flagged', 'true')})`;
  return html`<form method="get" action="/queue" class="filters" role="search" aria-label="Filter drafts">
    <label
      >Signal type
      <select name="type">
        <option value="">Any</option>
        ${SIGNAL_TYPES.map((t) => opt(t, label(t), query.type === t, n('type', t)))}
      </select></label
    >
    ${
      showOwner
        ? html`<label
            >Owner
            <select name="owner">
              <option value="">Anyone</option>
              ${owners.map((o) => opt(String(o.id), o.name || o.email, query.owner === o.id, n('owner', String(o.id))))}
            </select></label
          >`
        : ''
    }
    <label
      >Signal age
      <select name="age">
        <option value="">Any</option>
        ${AGES.map((a) => opt(a, AGE_LABEL[a]!, query.age === a, n('age', a)))}
      </select></label
    >
    <label class="check"
      ><input type="checkbox" name="flagged" value="1" ${query.flagged ? html`checked` : ''} /> Flagged by
      gates${totalFlagged}</label
    >
    <label
      >Search
      <input
        type="search"
        name="q"
        maxlength="200"
        value="${query.q ?? ''}"
        placeholder="account, contact, subject, signal"
    /></label>
    <button type="submit">Filter</button>
    ${anyFilter(query) ? html`<a href="/queue">Clear filters</a>` : ''}
  </form>`;
}

export function queueRow(r: QueueRow, now: Date, canBulk: boolean): Html {
  return html`<tr data-queue-row data-id="${r.id}">
    ${
      canBulk
        ? html`<td>
            ${
              r.gate_failure_count
                ? html`<span class="muted" title="Flagged drafts are approved one at a time">—</span>`
                : html`<input
                    type="checkbox"
                    name="ids"
                    value="${r.id}:${r.version}"
                    form="bulk"
                    aria-label="Select draft ${r.id}"
                  />`
            }
          </td>`
        : ''
    }
    <td><span class="badge t-${r.signal_type}">${label(r.signal_type)}</span></td>
    <td>
      <a href="/drafts/${r.id}" class="row-link">${r.signal_title}</a>
      <div class="muted">${r.subject ? html`Subject: ${r.subject}` : ''}</div>
    </td>
    <td>
      ${r.account_name ?? '—'}
      <div class="muted">${r.contact_name ?? r.contact_email ?? ''}</div>
    </td>
    <td>${r.owner_name ?? '—'}</td>
    <td>
      <time datetime="${r.detected_at.toISOString()}" title="${inZone(r.detected_at, 'UTC')}"
        >${ago(r.detected_at, now)}</time
      >
    </td>
    <td>
      ${r.gate_failure_count ? html`<span class="flag" title="Failed quality or grounding gates">⚑ ${r.gate_failure_count}</span>` : ''}
      ${r.drafter === 'offline' ? html`<span class="badge">offline drafter</span>` : ''}
    </td>
  </tr>`;
}

export interface QueueBody {
  query: QueueChoice;
  /** Blocks above the list: status line, drafts needing a contact, steps returned for approval. */
  above: Html[];
  filters: Html;
  rows: QueueRow[];
  now: Date;
  total: number;
  /** `total` is SEARCH_CAP + 1 of more matches. */
  capped?: boolean;
  canBulk: boolean;
  /** The CSRF field of the bulk approve form. */
  csrf: Html;
  pager: Html;
}

/** The queue page's body: blocks, filters, keyboard help, the bulk form, the table, the pager. */
export function queueBody(b: QueueBody): Html {
  return html` ${b.above} ${b.filters}
    <p class="muted" id="queue-help">
      ${b.capped ? `${(b.total - 1).toLocaleString('en-US')}+ drafts` : `${b.total} draft${b.total === 1 ? '' : 's'}`}
      waiting. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>a</kbd> approves,
      <kbd>x</kbd> selects, <kbd>?</kbd> help.
    </p>
    ${QUEUE_KEY_HELP}
    ${
      b.canBulk
        ? html`<form method="post" action="/queue/approve" id="bulk" class="bulk">
            ${b.csrf} <button type="submit">Approve selected…</button>
            <span class="muted">You confirm on the next page.</span>
          </form>`
        : ''
    }
    <table class="queue" aria-describedby="queue-help">
      ${thead(
        b.canBulk && html`<span class="sr-only">Select</span>`,
        'Signal',
        'What happened',
        'Account · contact',
        'Owner',
        'Detected',
        'Flags',
      )}
      <tbody>
        ${b.rows.map((x) => queueRow(x, b.now, b.canBulk))}
      </tbody>
    </table>
    ${b.rows.length || b.total ? '' : html`<p class="empty">Nothing waiting${anyFilter(b.query) ? ' with these filters' : ''}. New drafts appear here as signals fire.</p>`}
    ${b.pager}`;
}

/**
 * Pages of a search with more matches than it counts: previous and next, no page count. `lastWithRows`,
 * given when this page has no rows: the last page known to have some, which the pager links back to.
 */
export function cappedPager(
  base: string,
  params: Record<string, string | undefined>,
  page: number,
  full: boolean,
  lastWithRows?: number,
): Html {
  const link = (n: number) =>
    `${base}?${new URLSearchParams(Object.entries({ ...params, page: String(n) }).filter(([, v]) => v) as [string, string][])}`;
  if (lastWithRows !== undefined && page > 1) {
    // Past the end (an old link, a typed page=999999): link a page with rows, not page - 1.
    const back = Math.min(page - 1, Math.max(1, lastWithRows));
    return html`<nav class="pager" aria-label="Pages">
      <span>There is no page ${page} of this search: it has fewer matches.</span>
      <a href="${safeUrl(link(back))}" rel="prev">← Page ${back}</a>
    </nav>`;
  }
  return html`<nav class="pager" aria-label="Pages">
    ${page > 1 ? html`<a href="${safeUrl(link(page - 1))}" rel="prev">← Previous</a>` : ''}
    <span>Page ${page} · more than ${SEARCH_CAP.toLocaleString('en-US')} match; narrow the search to count them</span>
    ${full ? html`<a href="${safeUrl(link(page + 1))}" rel="next">Next →</a>` : ''}
  </nav>`;
}

/** The bulk approval's confirmation: what each draft will start, and the form that confirms. */
export function bulkConfirm(listed: BulkApproveRow[], picked: Map<number, number | undefined>, csrf: Html): Html {
  const ids = [...picked.keys()];
  return html` <p>
      Each sequence starts and its first email is scheduled in the recipient's sending window. Nothing else changes.
    </p>
    <ul class="bulk-list">
      ${listed.map(
        (d) =>
          html`<li data-id="${d.id}">
            <strong>${d.contact_name || d.contact_email || 'no contact'}</strong> at ${d.account_name ?? '—'}:
            ${d.signal_title ?? ''}${d.subject ? html` <span class="muted">— ${d.subject}</span>` : ''}
          </li>`,
      )}
    </ul>
    <form method="post" action="/queue/approve" class="stack">
      ${csrf} ${ids.map((id) => html`<input type="hidden" name="ids" value="${id}:${picked.get(id) ?? ''}" />`)}
      <input type="hidden" name="confirm" value="yes" />
      <button type="submit" autofocus>Yes, approve ${ids.length}</button> <a href="/queue">Cancel</a>
    </form>`;
}

/** One line of a bulk approval's result: approved (with the first send time) or why not. */
export const bulkApproved = (id: number, firstSend: string | null): Html =>
  html`<li>
    Draft
    <a href="/drafts/${id}">#${id}</a>
    approved${firstSend ? html` — first email ${firstSend}` : ''}.
  </li>`;
export const bulkNotApproved = (id: number, why: string): Html =>
  html`<li class="bad">Draft <a href="/drafts/${id}">#${id}</a> not approved: ${why}</li>`;

export const bulkResults = (results: Html[]): Html =>
  html`<ul role="status">
      ${results}
    </ul>
    <p><a href="/queue">Back to the queue</a></p>`;
