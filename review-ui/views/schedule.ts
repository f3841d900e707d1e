// The upcoming-sends page: filters, the list (with each step's window and why it waits) and a week
// grid (days across, hours down) drawn on the server. Pure: rows, mailbox states and `now` in.
import type { Request } from 'express';
import { DateTime } from 'luxon';
import type { MailboxStateRow, UpcomingRow } from '../../db/queries/schedule.js';
import { schedulePolicyOf } from '../../sequencing/approve.js';
import { describeWindow, waitingReason, type Waiting } from '../../sequencing/waiting.js';
import { isoInput, zoneOf } from '../format.js';
import { html, safeUrl, type Html, thead } from '../html.js';
import { csrfField, pager, type Paging } from '../layout.js';
import { when } from './time.js';

export interface ScheduleItem {
  row: UpcomingRow;
  zone: string;
  window: string;
  waiting: Waiting;
  mailbox: string;
  canAct: boolean;
}

/** Joins a step with the mailboxes it may go from and says why it waits. */
export function scheduleItem(row: UpcomingRow, boxes: MailboxStateRow[], now: Date, canAct: boolean): ScheduleItem {
  const { zone, policy } = schedulePolicyOf(row);
  const from = row.mailbox_id
    ? boxes.filter((m) => m.id === row.mailbox_id)
    : boxes.filter((m) => m.user_id === row.owner_id);
  const waiting = waitingReason(
    {
      status: row.status,
      scheduledAt: row.scheduled_at,
      lastError: row.last_error,
      sequenceStatus: row.sequence_status,
      stopReason: row.stop_reason,
      earlierUnsettled: row.earlier_unsettled,
      zone,
      policy,
      mailboxes: from.map((m) => ({
        id: m.id,
        paused: !!m.paused_at,
        pauseReason: m.pause_reason,
        nextSendAt: m.next_send_at,
        sent24h: m.sent_24h,
        dailyCap: m.daily_cap,
        rampPerDay: m.ramp_per_day,
        createdAt: m.created_at,
        oldestClaim24h: m.oldest_24h,
      })),
    },
    now,
  );
  const window = `${describeWindow(policy.window)}${policy.fallback ? `, else ${describeWindow(policy.fallback)}` : ''}`;
  return { row, zone, window, waiting, mailbox: from.map((m) => m.from_email).join(', ') || '—', canAct };
}

const who = (r: UpcomingRow) => [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email;

/** The reason line: what holds it and when it is expected. */
export function waitingLine(w: Waiting, zone: string, now: Date): Html {
  return html`<span class="waiting-reason" data-code="${w.code}">${w.text}</span>;
    ${w.expected ? html`expected ${when(w.expected, zone, now)}` : html`<strong>needs a person</strong>`}`;
}

function stepActions(req: Request, it: ScheduleItem, back: string): Html {
  if (!it.canAct) return html``;
  const tz = zoneOf(req.user!.timeZone);
  const id = it.row.id;
  return html`<form method="post" action="${safeUrl(`/schedule/steps/${id}/reschedule`)}" class="inline reschedule">
      ${csrfField(req)}<input type="hidden" name="back" value="${back}" />
      <label
        >New time (${tz})
        <input
          type="datetime-local"
          name="at"
          required
          value="${it.row.scheduled_at ? isoInput(it.row.scheduled_at, tz) : ''}" /></label
      ><button type="submit" class="secondary">Reschedule</button>
    </form>
    <form method="post" action="${safeUrl(`/schedule/steps/${id}/skip`)}" class="inline skip-step">
      ${csrfField(req)}<input type="hidden" name="back" value="${back}" />
      <label>Why skip <input name="reason" required maxlength="300" /></label
      ><button type="submit" class="secondary">Skip step</button>
    </form>`;
}

function scheduleList(req: Request, items: ScheduleItem[], now: Date, back: string): Html {
  const tz = zoneOf(req.user!.timeZone);
  if (!items.length) return html`<p class="empty">No step is waiting to go out.</p>`;
  return html`<table class="list schedule">
    ${thead(`When (${tz})`, 'Recipient', 'Step', 'Rep · mailbox', 'Window', 'Status', 'Actions')}
    <tbody>
      ${items.map(
        (it) =>
          html`<tr data-step-id="${it.row.id}">
            <td>
              ${when(it.row.scheduled_at, tz, now, { zoneLabel: false, empty: 'no time yet' })}
              ${
                it.row.scheduled_at && it.zone !== tz
                  ? html`<div class="muted">${when(it.row.scheduled_at, it.zone, now, { relative: false })}</div>`
                  : ''
              }
            </td>
            <td>
              ${who(it.row)}
              <div class="muted">${it.row.account_name ?? ''}</div>
            </td>
            <td><a href="${safeUrl(`/drafts/${it.row.sequence_id}`)}">Step ${it.row.step_no}</a></td>
            <td>
              ${it.row.owner_email ?? '—'}
              <div class="muted">${it.mailbox}</div>
            </td>
            <td>${it.window}</td>
            <td>${waitingLine(it.waiting, tz, now)}</td>
            <td class="row-actions">${stepActions(req, it, back)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Monday 00:00 of the week holding `day`, in `zone`. */
export function weekStart(day: string | undefined, zone: string, now: Date): DateTime {
  const parsed = day ? DateTime.fromISO(day, { zone }) : null;
  return (parsed?.isValid ? parsed : DateTime.fromJSDate(now, { zone })).startOf('week');
}

/** Days across, the hours that have a step down; each cell lists its steps. */
export function scheduleWeek(req: Request, items: ScheduleItem[], start: DateTime, now: Date, query: string): Html {
  const tz = start.zoneName ?? 'UTC';
  const days = Array.from({ length: 7 }, (_, i) => start.plus({ days: i }));
  const cell = new Map<string, ScheduleItem[]>();
  for (const it of items) {
    if (!it.row.scheduled_at) continue;
    const t = DateTime.fromJSDate(it.row.scheduled_at, { zone: tz });
    const key = `${t.toFormat('yyyy-LL-dd')}|${t.hour}`;
    cell.set(key, [...(cell.get(key) ?? []), it]);
  }
  const hours = [...new Set([...cell.keys()].map((k) => Number(k.split('|')[1])))].sort((a, b) => a - b);
  const link = (d: DateTime) => `/schedule?${query ? `${query}&` : ''}view=week&week=${d.toFormat('yyyy-LL-dd')}`;
  return html`<nav class="pager week-nav" aria-label="Weeks">
      <a href="${safeUrl(link(start.minus({ weeks: 1 })))}" rel="prev">← Previous week</a>
      <span>Week of ${start.toFormat('ccc d LLL yyyy')} (${tz})</span>
      <a href="${safeUrl(link(start.plus({ weeks: 1 })))}" rel="next">Next week →</a>
    </nav>
    ${
      hours.length
        ? html`<table class="week-grid">
            <thead>
              <tr>
                <th scope="col">Hour</th>
                ${days.map((d) => html`<th scope="col">${d.toFormat('ccc d LLL')}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${hours.map(
                (h) =>
                  html`<tr>
                    <th scope="row">${String(h).padStart(2, '0')}:00</th>
                    ${days.map(
                      (d) =>
                        html`<td>
                          ${(cell.get(`${d.toFormat('yyyy-LL-dd')}|${h}`) ?? []).map(
                            (it) =>
                              html`<div class="slot" data-step-id="${it.row.id}" data-code="${it.waiting.code}">
                                ${DateTime.fromJSDate(it.row.scheduled_at!, { zone: tz }).toFormat('HH:mm')}
                                <a href="${safeUrl(`/drafts/${it.row.sequence_id}`)}">${who(it.row)}</a> · step
                                ${it.row.step_no}
                                <div class="muted">${it.waiting.text}</div>
                              </div>`,
                          )}
                        </td>`,
                    )}
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">Nothing is due this week.</p>`
    }`;
}

/** The list view's page of steps with its pager. */
export function scheduleListPage(
  req: Request,
  items: ScheduleItem[],
  now: Date,
  back: string,
  params: Record<string, string | undefined>,
  paging: Paging,
): Html {
  return html`${scheduleList(req, items, now, back)} ${pager('/schedule', params, paging)}`;
}

interface ScheduleFilters {
  flash: string;
  /** Reps see their own steps: no rep filter. */
  owners: { id: number; name: string; email: string }[] | null;
  boxes: { id: number; from_email: string }[];
  rep: number | null;
  mailbox: number | null;
  view: 'list' | 'week';
}

export function schedulePage(f: ScheduleFilters, body: Html): Html {
  return html`${f.flash ? html`<p class="flash ok" role="status">${f.flash}</p>` : ''}
    <form method="get" action="/schedule" class="filters row-actions" aria-label="Filters">
      ${
        f.owners
          ? html`<label
              >Rep
              <select name="rep">
                <option value="">Everyone</option>
                ${f.owners.map((o) => html`<option value="${o.id}" ${f.rep === o.id ? html`selected` : ''}>${o.name || o.email}</option>`)}
              </select></label
            >`
          : ''
      }
      <label
        >Mailbox
        <select name="mailbox">
          <option value="">Any</option>
          ${f.boxes.map((b) => html`<option value="${b.id}" ${f.mailbox === b.id ? html`selected` : ''}>${b.from_email}</option>`)}
        </select></label
      >
      <label
        >View
        <select name="view">
          <option value="list" ${f.view === 'list' ? html`selected` : ''}>List</option>
          <option value="week" ${f.view === 'week' ? html`selected` : ''}>Week</option>
        </select></label
      >
      <button type="submit">Show</button>
    </form>
    ${body}`;
}
