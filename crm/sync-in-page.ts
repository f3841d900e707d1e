// The pieces the sync in's page writers share (crm/sync-in-companies.ts, sync-in-contacts.ts): the
// run's state, a failure in words, the CRM ids we already know for a page, and saving them back.
import type { AppContext } from '../context.js';
import { run, type Queryable } from '../db/index.js';
import { findExternalIds, markExternalRemoved, upsertExternalIds, type CrmConnectionRow } from '../db/queries/crm.js';
import { recordCrmFailure, resolveCrmFailures } from '../db/queries/crm-runs.js';
import { effectiveMapping } from './mapping.js';
import type { CrmKind, CrmProvider } from './provider.js';
import { notePreview, type PreviewList } from './sync-preview.js';

export type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log'>;

export interface Counts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  merged: number;
  failed: number;
}
export interface SyncInSummary {
  companies: Counts;
  contacts: Counts;
  deals: number;
  optOuts: number;
  removed: number;
  failures: { object: string; key: string; label: string; error: string }[];
  /** Approved sequences stopped because the CRM now holds their account out (crm/guards.ts). */
  heldOut?: number;
  /** Dry runs only: each record that would be new, change or fail (crm/sync-preview.ts). */
  records?: PreviewList;
}
export interface SyncInResult {
  runId: number | null;
  status: 'done' | 'failed' | 'stopped';
  dryRun: boolean;
  summary: SyncInSummary;
  error: string | null;
}

export const counts = (): Counts => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  merged: 0,
  failed: 0,
});

export interface Job {
  ctx: Ctx;
  workspaceId: number;
  kind: CrmKind;
  conn: CrmConnectionRow;
  provider: CrmProvider;
  dryRun: boolean;
  full: boolean;
  runId: number | null;
  owners: Map<string, string>;
  users: Map<string, number>;
  summary: SyncInSummary;
}

async function fail(db: Queryable, job: Job, object: string, key: string, label: string, error: string) {
  job.summary.failures.push({ object, key, label, error });
  notePreview(job, { object, key, label, action: 'fail', changes: [], error });
  if (!job.dryRun)
    await run(
      db,
      recordCrmFailure({
        workspaceId: job.workspaceId,
        kind: job.kind,
        direction: 'in',
        object,
        recordKey: key,
        label,
        error,
        runId: job.runId,
      }),
    );
}

/** The mapping and the CRM ids we already know for one page of records. */
export async function pageStart(db: Queryable, job: Job, object: string, records: { externalId: string }[]) {
  const ids = records.map((r) => r.externalId);
  const rows = ids.length ? await run(db, findExternalIds(job.workspaceId, job.kind, object, ids)) : [];
  const mapping = effectiveMapping(job.provider.defaultMapping(), job.conn.mapping);
  return { mapping, ext: new Map(rows.map((r) => [r.external_id, r])) };
}

export interface ExtRow {
  id: string;
  local: number | null;
  deleted: boolean;
  customer: boolean;
  lifecycle: string | null;
  at: Date;
  /** A new record's domain/email, which gives it its new local id. */
  key?: string;
  /** Records merged into this one. */
  merged?: string[];
  /** Companies: the mapped segment/industry as JSON, when it differs from what is stored. */
  crm?: string;
}

export async function saveExternal(
  db: Queryable,
  job: Job,
  object: 'company' | 'contact',
  rows: ExtRow[],
  made: { id: number; key: string }[],
) {
  const counts = object === 'company' ? job.summary.companies : job.summary.contacts;
  const merges = rows.flatMap((r) => (r.merged ?? []).map((from) => ({ from, into: r.id })));
  counts.merged += merges.length;
  if (job.dryRun) return;
  const ids = new Map(made.map((x) => [x.key, x.id]));
  for (const row of rows) if (row.local === null && row.key) row.local = ids.get(row.key) ?? null;
  if (rows.length)
    await run(
      db,
      upsertExternalIds({
        workspaceId: job.workspaceId,
        kind: job.kind,
        object,
        externalIds: rows.map((r) => r.id),
        localIds: rows.map((r) => r.local),
        mergedInto: rows.map(() => null),
        deleted: rows.map((r) => r.deleted),
        isCustomer: rows.map((r) => r.customer),
        lifecycle: rows.map((r) => r.lifecycle),
        modifiedAt: rows.map((r) => r.at),
      }),
    );
  for (const m of merges) await run(db, markExternalRemoved(job.workspaceId, job.kind, object, m.from, m.into));
  const ok = rows.map((r) => r.id);
  if (ok.length) await run(db, resolveCrmFailures(job.workspaceId, job.kind, 'in', object, ok));
}

/** A record deleted in the CRM keeps its link (history stays); one the mapping refuses is a failure in words. */
export async function settleEarly(
  db: Queryable,
  job: Job,
  object: 'company' | 'contact',
  rows: ExtRow[],
  row: ExtRow,
  m: { ok: true } | { ok: false; error: string },
  label: string,
) {
  const c = object === 'company' ? job.summary.companies : job.summary.contacts;
  if (m.ok || row.deleted) {
    c.deleted++;
    rows.push(row);
  } else {
    c.failed++;
    await fail(db, job, object, row.id, label, m.error);
  }
}
