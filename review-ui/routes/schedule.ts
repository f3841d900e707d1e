// Upcoming sends (issue 20): every step not gone yet, per rep and per mailbox, as a list or a week
// grid, each with its window and why it waits; a person reschedules one step (never before the
// step ahead of it; later steps move to keep their delays) or skips it (audited; later steps are
// planned again from the skip, as an unapproved skip does).
import { Router, type Request } from 'express';
import { DateTime } from 'luxon';
import type { AppContext } from '../../context.js';
import { one, run, type Queryable } from '../../db/index.js';
import { listOwners } from '../../db/queries/review.js';
import {
  countUpcoming,
  lockStepForChange,
  mailboxStates,
  rescheduleStepRow,
  skipStepByHand,
  upcomingSteps,
  type StepLockRow,
  type UpcomingFilter,
} from '../../db/queries/schedule.js';
import { listMailboxes } from '../../db/queries/mailboxes.js';
import { completeIfDone } from '../../db/queries/sending.js';
import { laterOpenSteps, setStepTime } from '../../db/queries/step-approval.js';
import { AppError } from '../../errors.js';
import { loadSchedulePolicy } from '../../sequencing/approve.js';
import { moveLaterSteps } from '../../sequencing/order.js';
import { isSendableAt, nextSlot } from '../../sequencing/schedule.js';
import { replanLater } from '../../sequencing/step-approval-rules.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { assertCanAct, canActOnDraft, queueViewer } from '../access.js';
import { auditRequest } from '../audit.js';
import { intParam, zoneOf } from '../format.js';
import { page, pageParams } from '../layout.js';
import {
  scheduleItem,
  scheduleListPage,
  schedulePage,
  scheduleWeek,
  weekStart,
  type ScheduleItem,
} from '../views/schedule.js';

/** The upcoming steps of a filter with why each waits, as pages show them. */
export async function loadUpcoming(
  db: Queryable,
  req: AuthedRequest,
  f: Omit<UpcomingFilter, 'workspaceId' | 'viewer'>,
  limit: number,
  offset: number,
  now: Date,
): Promise<ScheduleItem[]> {
  const u = req.user;
  const filter = { ...f, workspaceId: u.workspaceId, viewer: queueViewer(u) };
  const [rows, boxes] = await Promise.all([
    run(db, upcomingSteps(filter, limit, offset)),
    run(db, mailboxStates(u.workspaceId, now)),
  ]);
  return rows.map((r) => scheduleItem(r, boxes, now, canActOnDraft(u, r)));
}

/** Back to the page the form came from, only within the app's own schedule and draft pages. */
function backTo(req: Request): string {
  const b = String(req.body?.back ?? '');
  return /^\/(schedule|drafts\/\d+)(\?[\w=&%.-]*)?$/.test(b) ? b : '/schedule';
}

function withFlash(url: string, key: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

export function scheduleRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/schedule', async (req, res, u) => {
    const now = new Date();
    const tz = zoneOf(u.timeZone);
    const rep = u.role === 'rep' ? null : (intParam(req.query.rep) ?? null);
    const mailbox = intParam(req.query.mailbox) ?? null;
    const view = req.query.view === 'week' ? 'week' : 'list';
    const params = { rep: rep ? String(rep) : undefined, mailbox: mailbox ? String(mailbox) : undefined };
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v) as [string, string][]).toString();
    const p = pageParams(req.query, 50);
    let body;
    if (view === 'week') {
      const start = weekStart(typeof req.query.week === 'string' ? req.query.week : undefined, tz, now);
      const f = { repId: rep, mailboxId: mailbox, from: start.toJSDate(), to: start.plus({ weeks: 1 }).toJSDate() };
      body = scheduleWeek(req, await loadUpcoming(ctx.db, req, f, 1000, 0, now), start, now, query);
    } else {
      const f = { repId: rep, mailboxId: mailbox };
      const [items, total] = await Promise.all([
        loadUpcoming(ctx.db, req, f, p.perPage, p.offset, now),
        one(ctx.db, countUpcoming({ ...f, workspaceId: u.workspaceId, viewer: queueViewer(u) })),
      ]);
      const back = `/schedule${query || p.page > 1 ? `?${[query, p.page > 1 ? `page=${p.page}` : ''].filter(Boolean).join('&')}` : ''}`;
      body = scheduleListPage(req, items, now, back, params, {
        page: p.page,
        perPage: p.perPage,
        total: total?.n ?? 0,
      });
    }
    const [owners, boxes] = await Promise.all([
      u.role === 'rep' ? [] : run(ctx.db, listOwners(u.workspaceId)),
      run(ctx.db, listMailboxes(u.workspaceId)),
    ]);
    const flash = typeof req.query.done === 'string' ? req.query.done.slice(0, 300) : '';
    res.type('html').send(
      page(
        req,
        'Upcoming sends',
        schedulePage(
          {
            flash,
            owners: u.role === 'rep' ? null : owners,
            boxes: u.role === 'rep' ? boxes.filter((b) => b.user_id === u.id) : boxes,
            rep,
            mailbox,
            view,
          },
          body,
        ),
      ),
    );
  });

  const lockStep = async (tx: Queryable, req: AuthedRequest): Promise<StepLockRow> => {
    const st = await one(tx, lockStepForChange(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!st) throw new AppError('NOT_FOUND', 'No such step.');
    assertCanAct(req.user, st);
    if (!['scheduled', 'awaiting_approval'].includes(st.status))
      throw new AppError('STATE', `This step is ${st.status.replace('_', ' ')}; only a step not sent yet can change.`);
    return st;
  };

  r.post('/schedule/steps/:id/reschedule', async (req, res, u) => {
    const tz = zoneOf(u.timeZone);
    const inTz = (d: Date, format: string) => DateTime.fromJSDate(d, { zone: tz }).toFormat(format);
    const parsed = DateTime.fromISO(String(req.body?.at ?? ''), { zone: tz });
    if (!parsed.isValid) throw new AppError('VALIDATION', 'Give the new time as a date and time.');
    const at = parsed.toJSDate();
    const now = new Date();
    const out = await ctx.db.transaction(async (tx) => {
      const st = await lockStep(tx, req);
      if (at <= now) throw new AppError('VALIDATION', 'The new time must be in the future.');
      if (st.earlier_at && at < st.earlier_at)
        throw new AppError(
          'VALIDATION',
          `A step cannot go before the step ahead of it (${inTz(st.earlier_at, 'ccc d LLL yyyy, HH:mm')}).`,
        );
      if (!(await one(tx, rescheduleStepRow(st.id, at, now))))
        throw new AppError('STATE', 'This step changed meanwhile.');
      const { zone, policy } = await loadSchedulePolicy(tx, st.sequence_id);
      const moved = await moveLaterSteps(
        tx,
        { sequenceId: st.sequence_id, position: st.position, at },
        zone,
        policy,
        now,
      );
      await auditRequest(
        tx,
        req,
        'step.rescheduled',
        { type: 'sequence_step', id: st.id },
        {
          sequenceId: st.sequence_id,
          from: st.scheduled_at?.toISOString() ?? null,
          to: at.toISOString(),
          laterMoved: moved,
        },
      );
      return { moved, inWindow: isSendableAt(at, zone, policy), next: nextSlot(at, zone, policy), zone };
    });
    const note = out.inWindow
      ? ''
      : ` It is outside the recipient's sending window, so it goes at the next opening${out.next ? ` (${inTz(out.next, 'ccc d LLL, HH:mm')})` : ''}.`;
    const later = out.moved ? ` ${out.moved} later step${out.moved === 1 ? '' : 's'} moved to keep their delays.` : '';
    res.redirect(303, withFlash(backTo(req), 'done', `Rescheduled.${note}${later}`));
  });

  r.post('/schedule/steps/:id/skip', async (req, res) => {
    const reason = String(req.body?.reason ?? '')
      .trim()
      .slice(0, 300);
    if (!reason) throw new AppError('VALIDATION', 'Say why the step is skipped; it is kept with the step.');
    const now = new Date();
    await ctx.db.transaction(async (tx) => {
      const st = await lockStep(tx, req);
      if (!(await one(tx, skipStepByHand(st.id, reason, now))))
        throw new AppError('STATE', 'This step changed meanwhile.');
      const { zone, policy } = await loadSchedulePolicy(tx, st.sequence_id);
      const later = await run(tx, laterOpenSteps(st.sequence_id, st.position));
      // The sequence goes on: the next step's delay counts from the skip.
      const plan = replanLater(
        now,
        later.map((s) => ({ id: s.id, delayDays: s.delay_days, at: s.scheduled_at })),
        zone,
        policy,
        'skip',
      );
      for (const p of plan) await run(tx, setStepTime(p.id, p.at, now));
      await run(tx, completeIfDone(st.sequence_id, now));
      await auditRequest(
        tx,
        req,
        'step.skipped',
        { type: 'sequence_step', id: st.id },
        { sequenceId: st.sequence_id, reason },
      );
    });
    res.redirect(303, withFlash(backTo(req), 'done', 'Step skipped; the steps after it were planned again from now.'));
  });

  return r.router;
}
