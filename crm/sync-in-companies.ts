// CRM companies → accounts for one page of records, through the account writers the CSV import uses;
// new accounts of a page in one statement. A dry run plans the same way and writes nothing.
import { one, run, type Queryable } from '../db/index.js';
import { insertAccount, insertAccountsByDomain, type AccountInput } from '../db/queries/accounts.js';
import { accountsForCrmPage } from '../db/queries/crm.js';
import { accountCrmFields, saveAccountCrmFields } from '../db/queries/crm-fields.js';
import { updateAccount } from '../db/queries/settings.js';
import type { Fields } from '../accounts/import-plan.js';
import { CRM_FIELDS, mapCompany } from './mapping.js';
import type { CrmCompany } from './provider.js';
import { diffFields, notePreview } from './sync-preview.js';
import { pageStart, saveExternal, settleEarly, type ExtRow, type Job } from './sync-in-page.js';

/** Segment/industry as stored: empty ones left out, in CRM_FIELDS order, so equal values compare equal. */
const crmJson = (crm: Partial<Record<string, string | null>> | undefined) =>
  JSON.stringify(Object.fromEntries(CRM_FIELDS.flatMap((k) => (crm?.[k] ? [[k, crm[k]]] : []))));

export async function applyCompanies(db: Queryable, job: Job, records: CrmCompany[]) {
  const c = job.summary.companies;
  const { mapping, ext } = await pageStart(db, job, 'company', records);
  const mapped = records.map((r) => ({ r, m: mapCompany(mapping, r, job.owners) }));
  const domains = mapped.flatMap((x) => (x.m.ok && x.m.value.domain ? [x.m.value.domain] : []));
  const localIds = [...ext.values()].flatMap((e) => (e.local_id ? [e.local_id] : []));
  const accounts = await run(db, accountsForCrmPage(job.workspaceId, localIds, domains));
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const byDomain = new Map(accounts.filter((a) => a.domain).map((a) => [a.domain!.toLowerCase(), a]));
  const stored = accounts.length
    ? await run(
        db,
        accountCrmFields(
          job.workspaceId,
          accounts.map((a) => a.id),
        ),
      )
    : [];
  const crmOf = new Map(stored.map((x) => [x.account_id, x.fields]));
  const emailOf = new Map([...job.users].map(([email, id]) => [id, email]));
  /** An account as the preview shows it (and as the change check compares it). */
  const view = (a: Omit<AccountInput, 'aliases'>, crm: Partial<Record<string, string | null>> | undefined): Fields => ({
    name: a.name,
    domain: a.domain,
    owner: a.ownerId === null ? null : (emailOf.get(a.ownerId) ?? `user #${a.ownerId}`),
    time_zone: a.timeZone,
    country: a.country,
    tags: a.tags,
    ...Object.fromEntries(CRM_FIELDS.map((k) => [k, crm?.[k] ?? null])),
  });
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
    const crm = crmJson(v.crm);
    const crmChanged = crm !== crmJson(acct ? crmOf.get(acct.id) : undefined);
    const current = acct
      ? view(
          {
            name: acct.name,
            domain: acct.domain,
            ownerId: acct.owner_id,
            timeZone: acct.time_zone,
            country: acct.country,
            tags: acct.tags,
          },
          crmOf.get(acct.id),
        )
      : undefined;
    const changes = diffFields(current, view(input, v.crm));
    const note = { object: 'company', key: r.externalId, label: v.name, changes };
    let local = acct?.id ?? null;
    if (!acct && input.domain && pending.has(input.domain)) {
      c.unchanged++;
    } else if (!acct) {
      c.created++;
      notePreview(job, { ...note, action: 'new' });
      if (input.domain) pending.set(input.domain, { ...input, domain: input.domain });
      else if (!job.dryRun) local = (await one(db, insertAccount(job.workspaceId, input)))!.id;
    } else if (changes.length) {
      c.updated++;
      notePreview(job, { ...note, action: 'changed' });
      // Segment/industry alone are written below, with the page's others.
      if (!job.dryRun && changes.some((x) => !(CRM_FIELDS as readonly string[]).includes(x.field)))
        await run(db, updateAccount(job.workspaceId, acct.id, { ...input, notes: acct.notes }));
    } else c.unchanged++;
    rows.push({
      ...base,
      local,
      deleted: false,
      key: local ? undefined : (input.domain ?? undefined),
      merged: r.mergedIds,
      crm: crmChanged ? crm : undefined,
    });
  }
  // New accounts of the page in one statement; their rows learn their ids by domain.
  const made =
    pending.size && !job.dryRun ? await run(db, insertAccountsByDomain(job.workspaceId, [...pending.values()])) : [];
  await saveExternal(
    db,
    job,
    'company',
    rows,
    made.map((x) => ({ id: x.id, key: x.domain! })),
  );
  // Segment/industry once every row knows its account (new ones learnt theirs above).
  const crmRows = new Map(rows.flatMap((x) => (x.local && x.crm ? [[x.local, x.crm] as const] : [])));
  if (crmRows.size && !job.dryRun)
    await run(db, saveAccountCrmFields(job.workspaceId, [...crmRows.keys()], [...crmRows.values()]));
}
