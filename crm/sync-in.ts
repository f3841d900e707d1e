// CRM → Prospector (issue 14): companies become accounts and contacts contacts, through the same
// writers the CSV import uses (db/queries/accounts.ts, contacts.ts, settings.ts). One page of
// records per transaction, its cursor saved with it, so a stopped run (revoked token, CRM down)
// resumes at the page it stopped on. Idempotent through crm_external_ids; a dry run reads and
// plans exactly the same way and writes nothing at all.
import { one, run, type Queryable } from '../db/index.js';
import {
  findCrmConnection,
  markExternalRemoved,
  saveCrmCursor,
  upsertDeals,
  workspaceUsersByEmail,
} from '../db/queries/crm.js';
import { finishCrmRun, insertCrmRun } from '../db/queries/crm-runs.js';
import { AppError } from '../errors.js';
import { markRevoked, openCrm } from './connection.js';
import { stopHeldOutSequences } from './guards.js';
import { companyProperties, contactProperties, effectiveFilter, effectiveMapping } from './mapping.js';
import { isCrmError, type CrmProvider } from './provider.js';
import { applyCompanies } from './sync-in-companies.js';
import { applyContacts } from './sync-in-contacts.js';
import { counts, type Ctx, type Job, type SyncInResult, type SyncInSummary } from './sync-in-page.js';

export type { SyncInResult } from './sync-in-page.js';

interface Cursor {
  since?: string;
  after?: string;
  high?: string;
}

/** Reads one object page by page from its cursor; `apply` runs inside the page's transaction. */
async function eachPage<T extends { modifiedAt: Date }>(
  job: Job,
  key: string,
  list: (c: { since?: Date; after?: string }) => Promise<{ records: T[]; next?: string }>,
  apply: (db: Queryable, records: T[]) => Promise<void>,
): Promise<void> {
  const saved = (job.conn.cursors[key] ?? {}) as Cursor;
  const since = job.full ? undefined : saved.since;
  let after = job.full ? undefined : saved.after;
  let high = since;
  for (;;) {
    const page = await list({ since: since ? new Date(since) : undefined, after });
    for (const r of page.records) if (!high || r.modifiedAt.toISOString() > high) high = r.modifiedAt.toISOString();
    after = page.next;
    if (job.dryRun) await apply(job.ctx.db, page.records);
    else
      await job.ctx.db.transaction(async (tx) => {
        await apply(tx, page.records);
        // Mid-run the old `since` stays with the page token; at the end the newest time seen becomes it.
        await run(tx, saveCrmCursor(job.workspaceId, key, after ? { since, after, high } : { since: high }));
      });
    if (!after) return;
  }
}

async function syncDeals(job: Job) {
  await eachPage(
    job,
    'in:deal',
    (cur) => job.provider.listDeals(cur),
    async (db, deals) => {
      job.summary.deals += deals.length;
      if (job.dryRun || !deals.length) return;
      await run(
        db,
        upsertDeals({
          workspaceId: job.workspaceId,
          kind: job.kind,
          externalIds: deals.map((d) => d.externalId),
          companyIds: deals.map((d) => d.companyExternalId),
          names: deals.map((d) => d.name),
          stages: deals.map((d) => d.stage),
          types: deals.map((d) => d.type),
          closed: deals.map((d) => d.isClosed),
          deleted: deals.map((d) => d.deleted ?? false),
          modifiedAt: deals.map((d) => d.modifiedAt),
        }),
      );
    },
  );
}

async function syncRemoved(job: Job, since: Date) {
  for (const object of ['company', 'contact'] as const) {
    const removed = await job.provider.listRemoved(object, since);
    job.summary.removed += removed.length;
    if (job.dryRun) continue;
    for (const r of removed)
      await run(job.ctx.db, markExternalRemoved(job.workspaceId, job.kind, object, r.externalId, r.mergedIntoId));
  }
}

async function ownerMaps(ctx: Ctx, workspaceId: number, provider: CrmProvider) {
  const owners = await provider.getOwners();
  const users = await run(
    ctx.db,
    workspaceUsersByEmail(
      workspaceId,
      owners.map((o) => o.email),
    ),
  );
  return {
    owners: new Map(owners.map((o) => [o.id, o.email.toLowerCase()])),
    users: new Map(users.map((u) => [u.email, u.id])),
  };
}

/** One run of the sync in. A stopped connection (revoked) returns 'stopped' with its reason and reads nothing. */
export async function syncIn(
  ctx: Ctx,
  workspaceId: number,
  opts: { full?: boolean; dryRun?: boolean } = {},
): Promise<SyncInResult> {
  const open = await openCrm(ctx, workspaceId);
  if (!open) throw new AppError('NOT_FOUND', 'No CRM is connected: connect one on Settings → CRM');
  const { connection: conn, provider } = open;
  const dryRun = opts.dryRun ?? false;
  const summary: SyncInSummary = {
    companies: counts(),
    contacts: counts(),
    deals: 0,
    optOuts: 0,
    removed: 0,
    failures: [],
  };
  if (conn.status !== 'connected')
    return { runId: null, status: 'stopped', dryRun, summary, error: conn.status_reason ?? `CRM is ${conn.status}` };
  const full = opts.full ?? !(conn.cursors['in:company'] as Cursor | undefined)?.since;
  const runRow = dryRun
    ? undefined
    : await one(
        ctx.db,
        insertCrmRun({ workspaceId, kind: conn.kind, direction: 'in', mode: full ? 'full' : 'incremental', dryRun }),
      );
  const job: Job = {
    ctx,
    workspaceId,
    kind: conn.kind,
    conn,
    provider,
    dryRun,
    full,
    runId: runRow?.id ?? null,
    owners: new Map(),
    users: new Map(),
    summary,
  };
  let status: SyncInResult['status'] = 'done';
  let error: string | null = null;
  try {
    Object.assign(job, await ownerMaps(ctx, workspaceId, provider));
    const removedSince = (conn.cursors['in:company'] as Cursor | undefined)?.since;
    const mapping = effectiveMapping(provider.defaultMapping(), conn.mapping);
    const filter = effectiveFilter(conn.target_filter);
    await eachPage(
      job,
      'in:company',
      (cur) => provider.listCompanies(cur, { fields: companyProperties(mapping), filter }),
      (db, recs) => applyCompanies(db, job, recs),
    );
    await eachPage(
      job,
      'in:contact',
      (cur) => provider.listContacts(cur, { fields: contactProperties(mapping) }),
      (db, recs) => applyContacts(db, job, recs),
    );
    await syncDeals(job);
    if (removedSince && !full) await syncRemoved(job, new Date(removedSince));
  } catch (err) {
    if (isCrmError(err, 'unauthorized')) {
      status = 'stopped';
      const now = await one(ctx.db, findCrmConnection(workspaceId));
      error =
        now?.status === 'revoked' && now.status_reason
          ? now.status_reason
          : dryRun
            ? err.message
            : await markRevoked(ctx, workspaceId, conn.kind, err.message);
    } else {
      status = 'failed';
      error = isCrmError(err) ? err.message : `sync failed: ${(err as Error).message}`;
      ctx.log.error({ workspaceId, err }, 'crm.sync_in.failed');
    }
  }
  // What this run learnt (a deal opened, a customer, a deletion) stops the sequences it holds out now,
  // so the rep sees the reason before the step is due; the send claim checks the rule again.
  if (!dryRun)
    try {
      summary.heldOut = (await stopHeldOutSequences(ctx.db, workspaceId, new Date())).length;
    } catch (err) {
      ctx.log.error({ workspaceId, err }, 'crm.sync_in.hold_out_failed');
    }
  if (runRow)
    await run(
      ctx.db,
      finishCrmRun({
        id: runRow.id,
        status,
        recordsIn: summary.companies.read + summary.contacts.read,
        recordsOut:
          summary.companies.created + summary.companies.updated + summary.contacts.created + summary.contacts.updated,
        failed: summary.failures.length,
        summary: { ...summary, failures: summary.failures.slice(0, 50) },
        error,
      }),
    );
  ctx.log.info({ workspaceId, status, dryRun, runId: runRow?.id }, 'crm.sync_in.finished');
  return { runId: runRow?.id ?? null, status, dryRun, summary, error };
}
