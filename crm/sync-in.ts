// CRM → Prospector (issue 14): companies become accounts and contacts contacts, through the same
// writers the CSV import uses (db/queries/accounts.ts, contacts.ts, settings.ts). One page of
// records per transaction, its cursor saved with it, so a stopped run (revoked token, CRM down)
// resumes at the page it stopped on. Idempotent through crm_external_ids; a dry run reads and
// plans exactly the same way and writes nothing at all.
import type { AppContext } from '../context.js';
import { one, run, type Queryable } from '../db/index.js';
import { insertAccount, insertAccountsByDomain, type AccountInput, type AccountRow } from '../db/queries/accounts.js';
import { insertContacts, updateContact, type ContactInput, type ContactRow } from '../db/queries/contacts.js';
import {
  accountsForCrmPage,
  contactsForCrmPage,
  findCrmConnection,
  findExternalIds,
  localIdsForExternal,
  markExternalRemoved,
  saveCrmCursor,
  upsertDeals,
  upsertExternalIds,
  workspaceUsersByEmail,
  type CrmConnectionRow,
  type ExternalIdRow,
} from '../db/queries/crm.js';
import { finishCrmRun, insertCrmRun, recordCrmFailure, resolveCrmFailures } from '../db/queries/crm-runs.js';
import { addSuppression } from '../db/queries/outcomes.js';
import { updateAccount } from '../db/queries/settings.js';
import { AppError } from '../errors.js';
import { markRevoked, openCrm } from './connection.js';
import {
  companyProperties,
  contactProperties,
  effectiveFilter,
  effectiveMapping,
  mapCompany,
  mapContact,
} from './mapping.js';
import { CRM_NAMES, isCrmError, type CrmCompany, type CrmContact, type CrmKind, type CrmProvider } from './provider.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log'>;

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
}
export interface SyncInResult {
  runId: number | null;
  status: 'done' | 'failed' | 'stopped';
  dryRun: boolean;
  summary: SyncInSummary;
  error: string | null;
}

const counts = (): Counts => ({ read: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, merged: 0, failed: 0 });

interface Cursor {
  since?: string;
  after?: string;
  high?: string;
}

interface Job {
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

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

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

async function fail(db: Queryable, job: Job, object: string, key: string, label: string, error: string) {
  job.summary.failures.push({ object, key, label, error });
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
async function pageStart(db: Queryable, job: Job, object: string, records: { externalId: string }[]) {
  const ids = records.map((r) => r.externalId);
  const rows = ids.length ? await run<ExternalIdRow>(db, findExternalIds(job.workspaceId, job.kind, object, ids)) : [];
  const mapping = effectiveMapping(job.provider.defaultMapping(), job.conn.mapping);
  return { mapping, ext: new Map(rows.map((r) => [r.external_id, r])) };
}

interface ExtRow {
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
}
type NewRow = { id: number; domain?: string; email?: string };

async function saveExternal(
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
async function settleEarly(
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

async function applyCompanies(db: Queryable, job: Job, records: CrmCompany[]) {
  const c = job.summary.companies;
  const { mapping, ext } = await pageStart(db, job, 'company', records);
  const mapped = records.map((r) => ({ r, m: mapCompany(mapping, r, job.owners) }));
  const domains = mapped.flatMap((x) => (x.m.ok && x.m.value.domain ? [x.m.value.domain] : []));
  const localIds = [...ext.values()].flatMap((e) => (e.local_id ? [e.local_id] : []));
  const accounts = await run<AccountRow>(db, accountsForCrmPage(job.workspaceId, localIds, domains));
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const byDomain = new Map(accounts.filter((a) => a.domain).map((a) => [a.domain!.toLowerCase(), a]));
  const rows: ExtRow[] = [];
  const pending = new Map<string, AccountInput & { domain: string }>();
  for (const { r, m } of mapped) {
    c.read++;
    const e = ext.get(r.externalId);
    const base = { id: r.externalId, customer: r.isCustomer, lifecycle: r.lifecycle, at: r.modifiedAt };
    if (!m.ok || r.deleted) {
      await settleEarly(
        db,
        job,
        'company',
        rows,
        { ...base, local: e?.local_id ?? null, deleted: !!r.deleted },
        m,
        String(r.fields.name ?? r.externalId),
      );
      continue;
    }
    const v = m.value;
    let acct = e?.local_id ? byId.get(e.local_id) : undefined;
    acct ??= v.domain ? byDomain.get(v.domain) : undefined;
    // A domain another account already holds stays there; this one keeps its own.
    const taken = v.domain ? byDomain.get(v.domain) : undefined;
    const domain = taken && acct && taken.id !== acct.id ? acct.domain : (v.domain ?? acct?.domain ?? null);
    const input = {
      name: v.name,
      domain,
      aliases: acct?.aliases ?? [],
      ownerId: (v.ownerEmail ? job.users.get(v.ownerEmail.toLowerCase()) : undefined) ?? acct?.owner_id ?? null,
      timeZone: v.timeZone ?? acct?.time_zone ?? null,
      country: v.country ?? acct?.country ?? null,
      tags: v.tags.length ? v.tags : (acct?.tags ?? []),
    };
    let local = acct?.id ?? null;
    if (!acct && input.domain && pending.has(input.domain)) {
      c.unchanged++;
    } else if (!acct) {
      c.created++;
      if (input.domain) pending.set(input.domain, { ...input, domain: input.domain });
      else if (!job.dryRun) local = (await one<AccountRow>(db, insertAccount(job.workspaceId, input)))!.id;
    } else if (
      acct.name !== input.name ||
      acct.domain !== input.domain ||
      acct.owner_id !== input.ownerId ||
      acct.time_zone !== input.timeZone ||
      acct.country !== input.country ||
      !sameList(acct.tags, input.tags)
    ) {
      c.updated++;
      if (!job.dryRun) await run(db, updateAccount(job.workspaceId, acct.id, { ...input, notes: acct.notes }));
    } else c.unchanged++;
    rows.push({
      ...base,
      local,
      deleted: false,
      key: local ? undefined : (input.domain ?? undefined),
      merged: r.mergedIds,
    });
  }
  // New accounts of the page in one statement; their rows learn their ids by domain.
  const made =
    pending.size && !job.dryRun
      ? await run<NewRow>(db, insertAccountsByDomain(job.workspaceId, [...pending.values()]))
      : [];
  await saveExternal(
    db,
    job,
    'company',
    rows,
    made.map((x) => ({ id: x.id, key: x.domain! })),
  );
}

async function applyContacts(db: Queryable, job: Job, records: CrmContact[]) {
  const c = job.summary.contacts;
  const { mapping, ext } = await pageStart(db, job, 'contact', records);
  const companyIds = [...new Set(records.flatMap((r) => (r.companyExternalId ? [r.companyExternalId] : [])))];
  const companies = companyIds.length
    ? await run<{ external_id: string; local_id: number | null }>(
        db,
        localIdsForExternal(job.workspaceId, job.kind, 'company', companyIds),
      )
    : [];
  const accountOf = new Map(companies.map((x) => [x.external_id, x.local_id]));
  const mapped = records.map((r) => ({ r, m: mapContact(mapping, r, job.owners) }));
  const emails = mapped.flatMap((x) => (x.m.ok ? [x.m.value.email] : []));
  const localIds = [...ext.values()].flatMap((e) => (e.local_id ? [e.local_id] : []));
  const contacts = await run<ContactRow>(db, contactsForCrmPage(job.workspaceId, localIds, emails));
  const byId = new Map(contacts.map((x) => [x.id, x]));
  const byEmail = new Map(contacts.map((x) => [x.email.toLowerCase(), x]));
  const rows: ExtRow[] = [];
  const pending = new Map<string, ContactInput>();
  for (const { r, m } of mapped) {
    c.read++;
    const e = ext.get(r.externalId);
    const base = { id: r.externalId, customer: false, lifecycle: null, at: r.modifiedAt };
    if (!m.ok || r.deleted) {
      await settleEarly(
        db,
        job,
        'contact',
        rows,
        { ...base, local: e?.local_id ?? null, deleted: !!r.deleted },
        m,
        r.email ?? r.externalId,
      );
      continue;
    }
    const v = m.value;
    const existing = (e?.local_id ? byId.get(e.local_id) : undefined) ?? byEmail.get(v.email);
    const accountId =
      (r.companyExternalId ? accountOf.get(r.companyExternalId) : undefined) ?? existing?.account_id ?? null;
    const input = {
      accountId,
      firstName: v.firstName || existing?.first_name || '',
      lastName: v.lastName || existing?.last_name || '',
      email: existing?.email ?? v.email,
      title: v.title || existing?.title || '',
      timeZone: v.timeZone ?? existing?.time_zone ?? null,
      linkedinUrl: existing?.linkedin_url ?? null,
      isChampion: existing?.is_champion ?? false,
    };
    const local = existing?.id ?? null;
    if (!existing && pending.has(v.email)) {
      c.unchanged++;
    } else if (!existing) {
      c.created++;
      pending.set(v.email, input);
    } else if (
      existing.account_id !== input.accountId ||
      existing.first_name !== input.firstName ||
      existing.last_name !== input.lastName ||
      existing.title !== input.title ||
      existing.time_zone !== input.timeZone
    ) {
      c.updated++;
      if (!job.dryRun) await run(db, updateContact(existing.id, input));
    } else c.unchanged++;
    if (r.optedOut) {
      job.summary.optOuts++;
      // The send claim re-checks suppressions, so a step already due stops before its send.
      if (!job.dryRun)
        await run(
          db,
          addSuppression(job.workspaceId, 'email', v.email, `opted out in ${CRM_NAMES[job.kind]}`, `crm:${job.kind}`),
        );
    }
    rows.push({ ...base, local, deleted: false, key: v.email, merged: r.mergedIds });
  }
  const made =
    pending.size && !job.dryRun ? await run<NewRow>(db, insertContacts(job.workspaceId, [...pending.values()])) : [];
  await saveExternal(
    db,
    job,
    'contact',
    rows,
    made.map((x) => ({ id: x.id, key: x.email! })),
  );
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
  const users = await run<{ id: number; email: string }>(
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
    : await one<{ id: number }>(
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
      const now = await one<CrmConnectionRow>(ctx.db, findCrmConnection(workspaceId));
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
