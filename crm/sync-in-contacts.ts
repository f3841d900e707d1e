// CRM contacts → contacts for one page of records, through the contact writers the CSV import uses;
// a CRM opt-out becomes a suppression. A dry run plans the same way and writes nothing.
import { run, type Queryable } from '../db/index.js';
import { fillAccountOwners } from '../db/queries/accounts.js';
import { insertContacts, updateContact, type ContactInput } from '../db/queries/contacts.js';
import { contactsForCrmPage, localIdsForExternal } from '../db/queries/crm.js';
import { addSuppression } from '../db/queries/outcomes.js';
import type { Fields } from '../accounts/import-plan.js';
import { mapContact } from './mapping.js';
import { diffFields, notePreview } from './sync-preview.js';
import { CRM_NAMES, type CrmContact } from './provider.js';
import { pageStart, saveExternal, settleEarly, type ExtRow, type Job } from './sync-in-page.js';

export async function applyContacts(db: Queryable, job: Job, records: CrmContact[]) {
  const c = job.summary.contacts;
  const { mapping, ext } = await pageStart(db, job, 'contact', records);
  const companyIds = [...new Set(records.flatMap((r) => (r.companyExternalId ? [r.companyExternalId] : [])))];
  const companies = companyIds.length
    ? await run(db, localIdsForExternal(job.workspaceId, job.kind, 'company', companyIds))
    : [];
  const accountOf = new Map(companies.map((x) => [x.external_id, x.local_id]));
  const mapped = records.map((r) => ({ r, m: mapContact(mapping, r, job.owners) }));
  const emails = mapped.flatMap((x) => (x.m.ok ? [x.m.value.email] : []));
  const localIds = [...ext.values()].flatMap((e) => (e.local_id ? [e.local_id] : []));
  const contacts = await run(db, contactsForCrmPage(job.workspaceId, localIds, emails));
  const byId = new Map(contacts.map((x) => [x.id, x]));
  const byEmail = new Map(contacts.map((x) => [x.email.toLowerCase(), x]));
  const rows: ExtRow[] = [];
  const pending = new Map<string, ContactInput>();
  /** Account → the first owner its contacts name, for accounts that have none. */
  const accountOwners = new Map<number, number>();
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
    const view = (x: Pick<ContactInput, 'firstName' | 'lastName' | 'title' | 'timeZone' | 'accountId'>): Fields => ({
      first_name: x.firstName,
      last_name: x.lastName,
      title: x.title,
      time_zone: x.timeZone,
      account: x.accountId === null ? null : `#${x.accountId}`,
    });
    const changes = diffFields(
      existing
        ? view({
            firstName: existing.first_name,
            lastName: existing.last_name,
            title: existing.title,
            timeZone: existing.time_zone,
            accountId: existing.account_id,
          })
        : undefined,
      view(input),
    );
    const note = { object: 'contact', key: r.externalId, label: v.email, changes };
    const owner = v.ownerEmail ? job.users.get(v.ownerEmail) : undefined;
    if (owner && accountId && !accountOwners.has(accountId)) accountOwners.set(accountId, owner);
    const local = existing?.id ?? null;
    if (!existing && pending.has(v.email)) {
      c.unchanged++;
    } else if (!existing) {
      c.created++;
      notePreview(job, { ...note, action: 'new' });
      pending.set(v.email, input);
    } else if (changes.length) {
      c.updated++;
      notePreview(job, { ...note, action: 'changed' });
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
  const made = pending.size && !job.dryRun ? await run(db, insertContacts(job.workspaceId, [...pending.values()])) : [];
  if (accountOwners.size && !job.dryRun)
    await run(db, fillAccountOwners(job.workspaceId, [...accountOwners.keys()], [...accountOwners.values()]));
  await saveExternal(
    db,
    job,
    'contact',
    rows,
    made.map((x) => ({ id: x.id, key: x.email! })),
  );
}
