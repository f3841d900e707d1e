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
  facetCounts,
  AGES,
  SIGNAL_TYPES,
  nextInQueue,
  pageBlocks,
  queuePage,
  type QueueFilter,
  type QueueRow,
} from '../../db/queries/review-queue.js';
import { signalsNeedingContact, type NeedsContactRow } from '../../db/queries/needs-contact.js';
import { returnedStepWaiting } from '../../db/queries/step-approval.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { queueViewer } from '../access.js';
import { approve } from '../draft-actions.js';
import { inZone, intParam } from '../format.js';
import type { Html } from '../html.js';
import { csrfField, page, pageParams, pager } from '../layout.js';
import { timed } from '../server-timing.js';
import { statusLine } from '../status-line.js';
import {
  bulkApproved,
  bulkConfirm,
  bulkNotApproved,
  bulkResults,
  cappedPager,
  queueBody,
  queueFilters,
  type Counts,
} from '../views/queue.js';

/** The longest search the queue runs; the search box holds no more. */
export const SEARCH_MAX = 200;

export const QueueQuery = z.object({
  type: z.enum(SIGNAL_TYPES).optional().catch(undefined),
  owner: z.coerce.number().int().positive().optional().catch(undefined),
  age: z.enum(AGES).optional().catch(undefined),
  flagged: z.enum(['1']).optional().catch(undefined),
  // A longer search is cut to its first 200 characters (the box shows what was searched), not dropped.
  q: z
    .string()
    .transform((s) => s.slice(0, SEARCH_MAX))
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().positive().optional().catch(undefined),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

export function toFilter(q: QueueQuery): QueueFilter {
  return { type: q.type, ownerId: q.owner, age: q.age, flagged: q.flagged === '1', q: q.q?.trim() || undefined };
}

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
  // The blocks beside the page on a second connection: their planning runs while the page's
  // statement does, instead of after it in the same statement. Steps back for approval are read
  // after, and only when one may be waiting.
  const [got, more] = await Promise.all([
    one(ctx.db, queuePage(u.workspaceId, now, viewer, f, p.perPage, p.offset)),
    blocks
      ? one(
          ctx.db,
          pageBlocks(
            {
              needsContact: signalsNeedingContact(u.workspaceId, u.role === 'rep' ? u.id : null, 10),
              returnedWaiting: returnedStepWaiting(u.workspaceId, now),
            },
            'prospector_queue_page_blocks',
          ),
        )
      : undefined,
  ]);
  if (!got) throw new Error('the queue page statement returned no row');
  const rows: QueueRow[] = got.rows.map((r) => ({ ...r, detected_at: new Date(r.detected_at) }));
  const counts: Counts = { type: {}, owner: {}, age: {}, flagged: {}, total: {} };
  for (const c of facetCounts(got.counts, f)) counts[c.facet]![c.value ?? ''] = c.n;
  const total = counts.total!['']! ?? 0;
  delete counts.total;
  // Past SEARCH_CAP matches the counts are of a sample: none are shown, the total reads "1,000+".
  const capped = got.capped === true;
  if (capped) for (const k of Object.keys(counts)) counts[k] = {};
  const waiting = (more?.returnedWaiting ?? []).length > 0;
  const returned = waiting ? await loadReturned(ctx, u, now, 1, 50) : { total: 0, rows: [] };
  const needsContact = (more?.needsContact ?? []) as (NeedsContactRow & { total: number })[];
  return {
    now,
    rows,
    counts,
    total,
    capped,
    owners: got.owners,
    needsContact,
    returned,
    page: p.page,
    perPage: p.perPage,
  };
}

export function queueRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/queue', async (req, res, u) => {
    const query = QueueQuery.parse(req.query);
    // Every block's queries at once: the page costs its slowest query, not the sum of them.
    const [q, status] = await timed(
      res,
      'db',
      Promise.all([loadQueue(ctx, req, query, 50, true), statusLine(ctx, req)]),
    );
    const needsContact = needsContactSection(q.needsContact);
    const returned = returnedStepsSection(q.returned);
    const canBulk = u.role === 'rep' || u.role === 'admin';
    // The page asked for, when nothing is on it: paging clamps the number (page=999999 reads page
    // 100000), and "There is no page 100000" would name a page nobody asked for.
    const shownPage = q.rows.length || !query.page ? q.page : query.page;
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
        queueBody({
          query,
          above: [status, needsContact, returned],
          filters: queueFilters(query, q.counts, q.owners, u.role !== 'rep', q.capped),
          rows: q.rows,
          now: q.now,
          total: q.total,
          capped: q.capped,
          canBulk,
          csrf: csrfField(req),
          pager: q.capped
            ? cappedPager(
                '/queue',
                params,
                shownPage,
                q.rows.length === q.perPage,
                // No rows here: the capped count's pages are known to have some.
                q.rows.length ? undefined : Math.ceil(q.total / q.perPage),
              )
            : pager('/queue', params, { page: shownPage, perPage: q.perPage, total: q.total }),
        }),
      ),
    );
  });

  // The next draft in queue order: where approve, reject and snooze land, so a rep clears the queue with the keyboard.
  r.get('/queue/next', async (req, res, u) => {
    const skip = String(req.query.skip ?? '')
      .split(',')
      .map((s) => intParam(s))
      .filter((x): x is number => !!x);
    const next = await one(ctx.db, nextInQueue(u.workspaceId, queueViewer(u), skip));
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
      const listed = await run(ctx.db, draftsToApprove(user.workspaceId, ids));
      res
        .type('html')
        .send(
          page(
            req,
            `Approve ${ids.length} draft${ids.length === 1 ? '' : 's'}?`,
            bulkConfirm(listed, picked, csrfField(req)),
          ),
        );
      return;
    }
    const results: Html[] = [];
    for (const id of ids) {
      try {
        const { firstSendAt } = await approve(ctx, user, id, { expectedVersion: picked.get(id), bulk: true });
        results.push(bulkApproved(id, firstSendAt ? inZone(firstSendAt, user.timeZone) : null));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push(bulkNotApproved(id, err.message));
      }
    }
    res.type('html').send(page(req, 'Bulk approve', bulkResults(results)));
  });
  return r.router;
}
