// Prospector → CRM (issue 14). `collectOutbound` turns new events (sent, reply, meeting booked,
// unsubscribe, hard bounce) into crm_outbox rows keyed by our own ids ('email:msg:42',
// 'meeting:event:7', 'opt_out:contact:9'), so the same event is enqueued once however often it is
// read. `flushOutbox` writes due rows to the CRM in batches and marks each done only once the CRM
// gave its id: a 429 waits for Retry-After, a 5xx backs off, a revoked token stops the connection
// with the rows kept pending, a record the CRM refuses is a failure in words with a retry button.
// Each activity carries our key (activityMarker), and one tried before is first looked up in the CRM
// (findWritten), so a write the CRM committed but whose answer was lost is not made twice; that
// lookup waits out the CRM's index lag (CrmProvider.lookupLagMs), and an activity found deleted in
// the CRM since (Salesforce's recycle bin) counts as written, not written again. Opt-outs
// and the status field are idempotent by nature (setting a value again changes nothing).
import type { AppContext } from '../context.js';
import { one, run, type Queryable } from '../db/index.js';
import { saveCrmCursor, type CrmConnectionRow } from '../db/queries/crm.js';
import {
  claimDueCrmWrites,
  crmWriteDone,
  crmWriteFailed,
  crmWriteLater,
  enqueueCrmWrite,
  finishCrmRun,
  insertCrmRun,
  outboundEvents,
  recordCrmFailure,
  type CrmOutboxRow,
  type OutboundEventRow,
} from '../db/queries/crm-runs.js';
import { markRevoked, openCrm } from './connection.js';
import { enqueueContactCreate, flushContactCreates } from './create-contacts.js';
import { effectiveMapping } from './mapping.js';
import {
  CRM_NAMES,
  isCrmError,
  type ActivityResult,
  type ActivityWrite,
  type CrmActivity,
  type CrmError,
  type CrmProvider,
} from './provider.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log'>;

const BATCH = 100;
const LEASE_MS = 5 * 60_000;

/** 30 s, 1 min, 2 min … capped at an hour. */
const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** Math.max(0, attempts), 3_600_000);

const STATUS_WORDS: Record<OutboundEventRow['type'], string> = {
  sent: 'emailed',
  reply: 'replied',
  meeting_booked: 'meeting booked',
  unsubscribe: 'unsubscribed',
  bounce: 'bounced',
};

function writesFor(e: OutboundEventRow, statusField: string) {
  const out: { key: string; activity: string; payload: unknown }[] = [];
  const ids = { contactExternalId: e.contact_external_id!, companyExternalId: e.company_external_id };
  if ((e.type === 'sent' || e.type === 'reply') && e.message_id) {
    const activity: CrmActivity = {
      type: 'email',
      direction: e.type === 'sent' ? 'out' : 'in',
      subject: e.subject ?? '',
      body: (e.body ?? '').slice(0, 60_000),
      from: e.from_addr ?? '',
      to: e.to_addr ?? '',
      at: e.occurred_at,
      threadId: e.thread,
      messageId: e.rfc_message_id,
      ...ids,
    };
    out.push({ key: `email:msg:${e.message_id}`, activity: 'email', payload: activity });
  }
  if (e.type === 'meeting_booked') {
    const start = new Date(e.occurred_at);
    const activity: CrmActivity = {
      type: 'meeting',
      title: `Meeting booked with ${e.email}`,
      body: `Booked from a Prospector sequence${typeof e.data.source === 'string' ? ` (${e.data.source})` : ''}.`,
      startAt: start,
      endAt: new Date(start.getTime() + 30 * 60_000),
      ...ids,
    };
    out.push({ key: `meeting:event:${e.id}`, activity: 'meeting', payload: activity });
  }
  if (e.type === 'unsubscribe' || (e.type === 'bounce' && e.data.hard === true))
    out.push({
      key: `opt_out:contact:${e.contact_id}`,
      activity: 'opt_out',
      payload: {
        ...ids,
        email: e.email,
        reason: e.type === 'bounce' ? 'hard bounce in Prospector' : 'unsubscribed in Prospector',
      },
    });
  if (statusField)
    out.push({
      key: `status:event:${e.id}`,
      activity: 'status',
      payload: { ...ids, field: statusField, value: STATUS_WORDS[e.type] },
    });
  return out;
}

/** Queues the CRM writes one event calls for; returns how many were not queued already. */
async function enqueueWrites(tx: Queryable, conn: CrmConnectionRow, e: OutboundEventRow, statusField: string) {
  let added = 0;
  for (const w of writesFor(e, statusField)) {
    const row = await one(
      tx,
      enqueueCrmWrite({
        workspaceId: conn.workspace_id,
        kind: conn.kind,
        key: w.key,
        activity: w.activity,
        contactId: e.contact_id,
        payload: w.payload,
      }),
    );
    if (row) added++;
  }
  return added;
}

/** Enqueues the CRM writes for events since the last collection; returns how many rows were new. */
export async function collectOutbound(ctx: Ctx, conn: CrmConnectionRow, provider: CrmProvider): Promise<number> {
  const statusField = effectiveMapping(provider.defaultMapping(), conn.mapping).contact.sequenceStatus;
  let lastId = (conn.cursors['out:events']?.lastId as number | undefined) ?? null;
  let added = 0;
  for (;;) {
    const events = await run(
      ctx.db,
      outboundEvents(conn.workspace_id, conn.kind, lastId, new Date(conn.connected_at), 500),
    );
    if (!events.length) return added;
    await ctx.db.transaction(async (tx) => {
      for (const e of events) {
        // A contact the CRM does not know: created there only when the workspace says so (create-contacts.ts).
        if (!e.contact_external_id) {
          added += await enqueueContactCreate(tx, conn, e);
          continue;
        }
        added += await enqueueWrites(tx, conn, e, statusField);
      }
      lastId = events[events.length - 1]!.id;
      await run(tx, saveCrmCursor(conn.workspace_id, 'out:events', { lastId }));
    });
  }
}

/** JSON turned the dates into strings: back to Dates for the provider. */
function activityOf(row: CrmOutboxRow): CrmActivity {
  const a = row.payload as unknown as CrmActivity & Record<string, unknown>;
  return a.type === 'email'
    ? { ...a, at: new Date(a.at) }
    : { ...a, startAt: new Date(a.startAt), endAt: new Date(a.endAt) };
}

interface FlushResult {
  claimed: number;
  done: number;
  later: number;
  failed: number;
  /** Retried activities the CRM turned out to hold already (committed, answer lost): marked done, not rewritten. */
  foundWritten: number;
  stopped: string | null;
}

/** Writes due outbox rows; `now` is the clock the due times are read against. */
export async function flushOutbox(ctx: Ctx, workspaceId: number, now = new Date()): Promise<FlushResult> {
  const res: FlushResult = { claimed: 0, done: 0, later: 0, failed: 0, foundWritten: 0, stopped: null };
  const open = await openCrm(ctx, workspaceId);
  if (!open) return res;
  const { connection: conn, provider } = open;
  if (conn.status !== 'connected') return { ...res, stopped: conn.status_reason ?? conn.status };
  const rows = await run(ctx.db, claimDueCrmWrites(workspaceId, now, new Date(now.getTime() + LEASE_MS), BATCH));
  res.claimed = rows.length;
  if (!rows.length) return res;
  const runRow = (await one(
    ctx.db,
    insertCrmRun({ workspaceId, kind: conn.kind, direction: 'out', mode: 'incremental', dryRun: false }),
  ))!;

  const settle = async (row: CrmOutboxRow, outcome: { externalId: string } | { error: CrmError }) => {
    if ('externalId' in outcome) {
      res.done++;
      return run(ctx.db, crmWriteDone(row.id, outcome.externalId));
    }
    const e = outcome.error;
    if (e.code === 'invalid') {
      res.failed++;
      await run(ctx.db, crmWriteFailed(row.id, 'failed', e.message));
      const label = String(
        (row.payload as { email?: string; to?: string }).email ?? (row.payload as { to?: string }).to ?? '',
      );
      return run(
        ctx.db,
        recordCrmFailure({
          workspaceId,
          kind: conn.kind,
          direction: 'out',
          object: row.activity,
          recordKey: row.idempotency_key,
          label,
          error: e.message,
          runId: runRow.id,
        }),
      );
    }
    res.later++;
    // An activity whose write failed without a clear no (a 5xx, a timeout, a dropped connection) may
    // be in the CRM already: its retry looks it up first, and not before the CRM's lookup can see it
    // (HubSpot's search index lags), so a write made but not searchable yet is not made twice.
    const uncertain = (row.activity === 'email' || row.activity === 'meeting') && e.code === 'unavailable';
    const wait =
      e.code === 'rate_limited'
        ? (e.retryAfterMs ?? 10_000)
        : e.code === 'unauthorized'
          ? 0
          : uncertain
            ? Math.max(backoffMs(row.attempts - 1), provider.lookupLagMs ?? 0)
            : backoffMs(row.attempts - 1);
    return run(ctx.db, crmWriteLater(row.id, e.message, new Date(now.getTime() + wait)));
  };
  const whole = async (batch: CrmOutboxRow[], err: unknown) => {
    if (!isCrmError(err)) throw err;
    if (err.code === 'unauthorized' && !res.stopped)
      res.stopped = await markRevoked(ctx, workspaceId, conn.kind, err.message);
    for (const row of batch) await settle(row, { error: err });
  };

  const creates = rows.filter((r) => r.activity === 'contact');
  if (creates.length) {
    await flushContactCreates(ctx, conn, provider, creates, settle, whole, enqueueWrites);
  }
  const activities = rows.filter((r) => r.activity === 'email' || r.activity === 'meeting');
  if (activities.length) {
    try {
      const writes: ActivityWrite[] = activities.map((r) => ({ key: r.idempotency_key, activity: activityOf(r) }));
      // Tried before (the claim counts attempts): the CRM may have committed it and lost the answer, or
      // this process died before marking it done. What the CRM already holds is done, not written again.
      const retried = writes.filter((_, i) => activities[i]!.attempts > 1);
      const found = retried.length ? await provider.findWritten(retried) : new Map<string, string>();
      const results = new Map<string, ActivityResult>(
        [...found].map(([key, externalId]) => [key, { key, externalId }]),
      );
      res.foundWritten += found.size;
      const fresh = writes.filter((w) => !found.has(w.key));
      if (fresh.length) for (const r of await provider.writeActivities(fresh)) results.set(r.key, r);
      for (const row of activities) {
        const r = results.get(row.idempotency_key);
        await settle(
          row,
          r ?? { error: { code: 'unavailable', message: `${CRM_NAMES[conn.kind]} gave no answer for it` } as CrmError },
        );
      }
    } catch (err) {
      await whole(activities, err);
    }
  }
  for (const row of rows.filter((r) => r.activity === 'opt_out' || r.activity === 'status')) {
    if (res.stopped) {
      await settle(row, { error: { code: 'unauthorized', message: res.stopped } as CrmError });
      continue;
    }
    const p = row.payload as {
      contactExternalId: string;
      email?: string;
      reason?: string;
      field?: string;
      value?: string;
    };
    try {
      if (row.activity === 'opt_out') await provider.setOptOut(p.contactExternalId, p.email!, p.reason!);
      else await provider.updateContactField(p.contactExternalId, p.field!, p.value!);
      await settle(row, { externalId: p.contactExternalId });
    } catch (err) {
      await whole([row], err);
    }
  }
  await run(
    ctx.db,
    finishCrmRun({
      id: runRow.id,
      status: res.stopped ? 'stopped' : 'done',
      recordsIn: res.claimed,
      recordsOut: res.done,
      failed: res.failed,
      summary: { later: res.later, foundWritten: res.foundWritten },
      error: res.stopped,
    }),
  );
  ctx.log.info({ workspaceId, ...res, stopped: !!res.stopped }, 'crm.outbox.flushed');
  return res;
}

/** Collect then flush, for the queue and the CLI. */
export async function syncOut(ctx: Ctx, workspaceId: number, now = new Date()) {
  const open = await openCrm(ctx, workspaceId);
  if (!open || open.connection.status !== 'connected') return { collected: 0, flush: null };
  const collected = await collectOutbound(ctx, open.connection, open.provider);
  return { collected, flush: await flushOutbox(ctx, workspaceId, now) };
}
