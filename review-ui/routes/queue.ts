// The reps' queue: drafts waiting for review, newest signal first, with filters, counts per
// filter, search, paging, and bulk approve behind a confirmation page.
import { needsContactSection } from './needs-contact.js';
import { loadReturned, returnedStepsSection } from './step-approval.js';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  draftsToApprove,
  type BulkApproveRow,
  AGES,
  SIGNAL_TYPES,
  nextInQueue,
  queuePage,
  type QueueFilter,
  type QueuePageRow,
  type QueueRow,
} from '../../db/queries/review-queue.js';
import { signalsNeedingContact, type NeedsContactRow } from '../../db/queries/needs-contact.js';
import { listReturned, workspaceSettings, type ReturnedStepRow } from '../../db/queries/step-approval.js';
import { AppError } from '../../errors.js';
import { STEP_APPROVAL_DEFAULTS, stepApprovalSettings } from '../../sequencing/step-approval-rules.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { queueViewer } from '../access.js';
import { approve } from '../draft-actions.js';
import { ago, inZone, intParam, label } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField, page, pageParams, pager } from '../layout.js';
import { statusLine } from '../status-line.js';
import { QUEUE_KEY_HELP } from '../views/draft.js';

export const QueueQuery = z.object({
  type: z.enum(SIGNAL_TYPES).optional().catch(undefined),
  owner: z.coerce.number().int().positive().optional().catch(undefined),
  age: z.enum(AGES).optional().catch(undefined),
  flagged: z.enum(['1']).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  page: z.coerce.number().int().positive().optional().catch(undefined),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

const AGE_LABEL: Record<string, string> = { '1d': 'last 24 h', '7d': '1–7 days', '30d': '7–30 days', older: 'older' };

export function toFilter(q: QueueQuery): QueueFilter {
  return { type: q.type, ownerId: q.owner, age: q.age, flagged: q.flagged === '1', q: q.q?.trim() || undefined };
}

export type Counts = Record<string, Record<string, number>>;

// Each workspace's stale-fact days as last read, so the returned-steps block rides in the page's
// statement; the same statement reads the settings, and a change runs that block again.
const staleDaysSeen = new Map<number, number>();

/**
 * Everything the queue page and GET /api/queue show: one statement, whatever the page size. With
 * `blocks`, the page's other blocks too (needs a contact, steps back for approval).
 */
export async function loadQueue(
  ctx: Pick<AppContext, 'db'>,
  req: AuthedRequest,
  query: QueueQuery,
  perPage = 50,
  blocks = false,
) {
  const u = req.user;
  const now = new Date();
  const viewer = queueViewer(u);
  const f = toFilter(query);
  const p = pageParams({ page: query.page }, perPage);
  const stale = staleDaysSeen.get(u.workspaceId) ?? STEP_APPROVAL_DEFAULTS.staleFactDays;
  const got = (await one<QueuePageRow>(
    ctx.db,
    queuePage(
      u.workspaceId,
      now,
      viewer,
      f,
      p.perPage,
      p.offset,
      blocks
        ? {
            needsContact: signalsNeedingContact(u.workspaceId, u.role === 'rep' ? u.id : null, 10),
            returned: listReturned(u.workspaceId, viewer, now, stale, 50, 0),
            settings: workspaceSettings(u.workspaceId),
          }
        : {},
    ),
  ))!;
  const rows: QueueRow[] = got.rows.map((r) => ({ ...r, detected_at: new Date(r.detected_at) }));
  const counts: Counts = { type: {}, owner: {}, age: {}, flagged: {}, total: {} };
  for (const c of got.counts) counts[c.facet]![c.value ?? ''] = c.n;
  const total = counts.total!['']! ?? 0;
  delete counts.total;
  let returned = { total: 0, rows: [] as Pick<ReturnedStepRow, 'changes' | 'flagged'>[] };
  if (blocks) {
    const settings = (got.settings as { settings: Record<string, unknown> }[])[0]?.settings;
    const staleNow = stepApprovalSettings(settings).staleFactDays;
    staleDaysSeen.set(u.workspaceId, staleNow);
    const r = got.returned as (ReturnedStepRow & { total: number })[];
    returned = staleNow === stale ? { total: r[0]?.total ?? 0, rows: r } : await loadReturned(ctx, u, now, 1, 50);
  }
  const needsContact = (blocks ? got.needsContact : []) as (NeedsContactRow & { total: number })[];
  return { now, rows, counts, total, owners: got.owners, needsContact, returned, page: p.page, perPage: p.perPage };
}

function filters(
  query: QueueQuery,
  counts: Counts,
  owners: { id: number; name: string; email: string }[],
  showOwner: boolean,
): Html {
  const n = (facet: string, v: string) => counts[facet]?.[v] ?? 0;
  const opt = (value: string, text: string, selected: boolean, count: number) =>
    html`<option value="${value}" ${selected ? html`selected` : ''}>${text} (${count})</option>`;
  const totalFlagged = n('flagged', 'true');
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
      ><input type="checkbox" name="flagged" value="1" ${query.flagged ? html`checked` : ''} /> Flagged by gates
      (${totalFlagged})</label
    >
    <label
      >Search <input type="search" name="q" value="${query.q ?? ''}" placeholder="account, contact, subject, signal"
    /></label>
    <button type="submit">Filter</button>
    ${query.type || query.owner || query.age || query.flagged || query.q ? html`<a href="/queue">Clear filters</a>` : ''}
  </form>`;
}

function row(r: QueueRow, now: Date, canBulk: boolean): Html {
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

export function queueRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/queue', async (req, res, u) => {
    const query = QueueQuery.parse(req.query);
    // Every block's queries at once: the page costs its slowest query, not the sum of them.
    const [q, status] = await Promise.all([loadQueue(ctx, req, query, 50, true), statusLine(ctx, req)]);
    const needsContact = needsContactSection(q.needsContact);
    const returned = returnedStepsSection(q.returned);
    const canBulk = u.role === 'rep' || u.role === 'admin';
    const params = {
      type: query.type,
      owner: query.owner ? String(query.owner) : undefined,
      age: query.age,
      flagged: query.flagged,
      q: query.q,
    };
    res.type('html').send(
      page(
        req,
        'Review queue',
        html` ${status} ${needsContact} ${returned} ${filters(query, q.counts, q.owners, u.role !== 'rep')}
          <p class="muted" id="queue-help">
            ${q.total} draft${q.total === 1 ? '' : 's'} waiting. Keys: <kbd>j</kbd>/<kbd>k</kbd> move,
            <kbd>Enter</kbd> opens, <kbd>a</kbd> approves, <kbd>x</kbd> selects, <kbd>?</kbd> help.
          </p>
          ${QUEUE_KEY_HELP}
          ${
            canBulk
              ? html`<form method="post" action="/queue/approve" id="bulk" class="bulk">
                  ${csrfField(req)} <button type="submit">Approve selected…</button>
                  <span class="muted">You confirm on the next page.</span>
                </form>`
              : ''
          }
          <table class="queue" aria-describedby="queue-help">
            <thead>
              <tr>
                ${canBulk ? html`<th><span class="sr-only">Select</span></th>` : ''}
                <th>Signal</th>
                <th>What happened</th>
                <th>Account · contact</th>
                <th>Owner</th>
                <th>Detected</th>
                <th>Flags</th>
              </tr>
            </thead>
            <tbody>
              ${q.rows.map((x) => row(x, q.now, canBulk))}
            </tbody>
          </table>
          ${q.rows.length ? '' : html`<p class="empty">Nothing waiting${query.type || query.age || query.flagged || query.q || query.owner ? ' with these filters' : ''}. New drafts appear here as signals fire.</p>`}
          ${pager('/queue', params, { page: q.page, perPage: q.perPage, total: q.total })}`,
      ),
    );
  });

  // The next draft in queue order: where approve, reject and snooze land, so a rep clears the queue with the keyboard.
  r.get('/queue/next', async (req, res, u) => {
    const skip = String(req.query.skip ?? '')
      .split(',')
      .map((s) => intParam(s))
      .filter((x): x is number => !!x);
    const next = await one<{ id: number }>(ctx.db, nextInQueue(u.workspaceId, queueViewer(u), skip));
    const flash = new URLSearchParams();
    for (const k of ['approved', 'rejected', 'snoozed', 'regenerating'])
      if (req.query[k]) flash.set(k, String(req.query[k]));
    const qs = flash.size ? `?${flash}` : '';
    res.redirect(303, next ? `/drafts/${next.id}${qs}` : `/queue${qs}`);
  });

  r.post('/queue/approve', async (req, res, user) => {
    // Each box carries "id:version", so a draft changed since the list was loaded is not approved unseen.
    const raw = req.body?.ids;
    const picked = new Map<number, number | undefined>();
    for (const x of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [id, version] = String(x)
        .split(':')
        .map((n) => intParam(n));
      if (id && picked.size < 200) picked.set(id, version);
    }
    const ids = [...picked.keys()];
    if (!ids.length) throw new AppError('VALIDATION', 'Select at least one draft to approve.');
    if (req.body?.confirm !== 'yes') {
      const listed = await run<BulkApproveRow>(ctx.db, draftsToApprove(user.workspaceId, ids));
      res.type('html').send(
        page(
          req,
          `Approve ${ids.length} draft${ids.length === 1 ? '' : 's'}?`,
          html` <p>
              Each sequence starts and its first email is scheduled in the recipient's sending window. Nothing else
              changes.
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
              ${csrfField(req)}
              ${ids.map((id) => html`<input type="hidden" name="ids" value="${id}:${picked.get(id) ?? ''}" />`)}
              <input type="hidden" name="confirm" value="yes" />
              <button type="submit" autofocus>Yes, approve ${ids.length}</button> <a href="/queue">Cancel</a>
            </form>`,
        ),
      );
      return;
    }
    const results: Html[] = [];
    for (const id of ids) {
      try {
        const { firstSendAt } = await approve(ctx, user, id, { expectedVersion: picked.get(id), bulk: true });
        results.push(
          html`<li>
            Draft
            <a href="/drafts/${id}">#${id}</a>
            approved${firstSendAt ? html` — first email ${inZone(firstSendAt, user.timeZone)}` : ''}.
          </li>`,
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push(html`<li class="bad">Draft <a href="/drafts/${id}">#${id}</a> not approved: ${err.message}</li>`);
      }
    }
    res.type('html').send(
      page(
        req,
        'Bulk approve',
        html`<ul role="status">
            ${results}
          </ul>
          <p><a href="/queue">Back to the queue</a></p>`,
      ),
    );
  });
  return r.router;
}
