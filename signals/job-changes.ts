// Job changes from people we already know: contact re-imports (contact_changes rows written by
// accounts/import.ts) and provider webhooks. A champion who turns up at another company
// creates a job-change signal there — and the account, when the workspace allows it.
import { one, run } from '../db/index.js';
import { insertAccount } from '../db/queries/accounts.js';
import { insertContactChange } from '../db/queries/contacts.js';
import {
  findContactForJobChange,
  markContactChangesProcessed,
  moveContact,
  pendingContactChanges,
  retitleContact,
  type PendingChange,
} from '../db/queries/signals.js';
import { findWorkspace } from '../db/queries/workspaces.js';
import { normalizeDomain } from '../accounts/normalize.js';
import { accountIndex, ingestItems, type IngestContext, type IngestOutcome } from './ingest.js';
import { domainCandidates, nameCandidates, normalizeName } from './match.js';
import type { JobChangeEvent } from './sources/webhook.js';
import type { RawItem } from './types.js';

const fullName = (c: { first_name: string; last_name: string }) => `${c.first_name} ${c.last_name}`.trim();

/** One item per contact: a new employer wins over a new title seen in the same import. */
function itemsFromChanges(changes: PendingChange[]): { workspaceId: number; item: RawItem }[] {
  const byContact = new Map<number, PendingChange[]>();
  for (const ch of changes) byContact.set(ch.contact_id, [...(byContact.get(ch.contact_id) ?? []), ch]);
  const out: { workspaceId: number; item: RawItem }[] = [];
  for (const list of byContact.values()) {
    const moved = list.find((c) => c.field === 'account_id');
    const retitled = list.find((c) => c.field === 'title');
    const c = moved ?? retitled!;
    if (!c.account_id) continue;
    const person = fullName(c);
    const subtype = moved ? 'new_company' : 'new_title';
    out.push({
      workspaceId: c.workspace_id,
      item: {
        key: `contact-change:${c.id}`,
        title: moved
          ? `${person} moved to ${c.account_name ?? 'a new company'}${c.title ? ` as ${c.title}` : ''}`
          : `${person} is now ${retitled!.new_value} at ${c.account_name ?? 'their company'}`,
        summary: moved
          ? `Previously at ${c.previous_company ?? 'another company'}.`
          : `Previously ${retitled!.old_value ?? 'another title'}.`,
        url: null,
        publishedAt: c.at,
        links: [],
        type: 'job_change',
        subtype,
        facts: {
          person,
          newTitle: c.title || retitled?.new_value || null,
          previousTitle: retitled?.old_value ?? null,
          previousCompany: moved ? c.previous_company : null,
          champion: c.is_champion,
          via: 'import',
        },
        accountId: c.account_id,
        contactId: c.contact_id,
      },
    });
  }
  return out;
}

/** Turns pending re-import changes into signals; safe to run twice (signals dedup on contact). */
export async function processContactChanges(
  ctx: IngestContext,
  now: Date,
): Promise<IngestOutcome & { changes: number }> {
  const total: IngestOutcome & { changes: number } = {
    created: 0,
    merged: 0,
    byStatus: {},
    signalIds: [],
    researchQueued: 0,
    changes: 0,
  };
  for (;;) {
    const changes = await run(ctx.db, pendingContactChanges(500));
    if (!changes.length) return total;
    const byWs = new Map<number, RawItem[]>();
    for (const { workspaceId, item } of itemsFromChanges(changes))
      byWs.set(workspaceId, [...(byWs.get(workspaceId) ?? []), item]);
    for (const [workspaceId, items] of byWs) {
      const r = await ingestItems(ctx, items, { workspaceId, sourceId: null, now });
      total.created += r.created;
      total.merged += r.merged;
      total.researchQueued += r.researchQueued;
      total.signalIds.push(...r.signalIds);
      for (const [k, v] of Object.entries(r.byStatus))
        total.byStatus[k as keyof typeof r.byStatus] = (total.byStatus[k as keyof typeof r.byStatus] ?? 0) + v;
    }
    await run(ctx.db, markContactChangesProcessed(changes.map((c) => c.id)));
    total.changes += changes.length;
  }
}

/** A job change reported by a provider: moves a known contact, then stores the signal. */
export async function handleJobChangeEvent(
  ctx: IngestContext,
  o: { workspaceId: number; sourceId: number | null; now: Date },
  e: JobChangeEvent,
): Promise<IngestOutcome> {
  const ws = await one(ctx.db, findWorkspace(o.workspaceId));
  const index = await accountIndex(ctx.db, ctx.caches, o.workspaceId);
  const domain = e.newCompany.domain ? (normalizeDomain(e.newCompany.domain) ?? null) : null;
  const key = normalizeName(e.newCompany.name);
  const byDomain = domain ? domainCandidates(index, [domain]) : [];
  const byName = nameCandidates(index, e.newCompany.name).filter((c) => normalizeName(c.text) === key);
  let accountId =
    byDomain.length === 1
      ? byDomain[0]!.accountId
      : new Set(byName.map((c) => c.accountId)).size === 1
        ? byName[0]!.accountId
        : undefined;
  const contact = await one(
    ctx.db,
    findContactForJobChange(o.workspaceId, e.person.email ?? null, e.person.linkedinUrl ?? null),
  );
  const autoCreate = !!(ws?.settings as { autoCreateAccountsFromChampions?: boolean } | undefined)
    ?.autoCreateAccountsFromChampions;
  let createdAccount = false;
  if (!accountId && contact?.is_champion && autoCreate && byName.length === 0) {
    const a = await one(
      ctx.db,
      insertAccount(o.workspaceId, {
        name: e.newCompany.name,
        domain,
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: ['from-champion'],
      }),
    );
    accountId = a!.id;
    createdAccount = true;
  }
  let previousCompany = e.previousCompany?.name ?? null;
  // The contact follows the change (a new employer we know, a new title), each step kept in
  // contact_changes; a move to a company we do not know is kept there too, the contact left as is.
  if (contact) {
    const moving = !!accountId && contact.account_id !== accountId;
    const retitled = !!e.newTitle && e.newTitle !== contact.title && (moving || contact.account_id === accountId);
    const elsewhere = !accountId && normalizeName(contact.account_name ?? '') !== key;
    if (moving) previousCompany = previousCompany ?? contact.account_name;
    await ctx.db.transaction(async (tx) => {
      const change = (field: string, from: string | null, to: string | null) =>
        run(tx, insertContactChange(contact.id, field, from, to, 'webhook', true));
      if (moving) {
        await run(tx, moveContact(contact.id, accountId!, e.newTitle ?? null, previousCompany));
        await change('account_id', contact.account_id === null ? null : String(contact.account_id), String(accountId));
      } else if (retitled) await run(tx, retitleContact(contact.id, e.newTitle!));
      if (retitled) await change('title', contact.title, e.newTitle!);
      if (elsewhere) await change('company', contact.account_name, e.newCompany.name);
    });
  }
  const item: RawItem = {
    key: e.id ?? `${e.person.email ?? e.person.linkedinUrl ?? e.person.name}|${e.newCompany.name}`,
    title: `${e.person.name} joined ${e.newCompany.name}${e.newTitle ? ` as ${e.newTitle}` : ''}`,
    summary: previousCompany ? `Previously at ${previousCompany}.` : '',
    url: e.url ?? null,
    publishedAt: e.startDate && !Number.isNaN(Date.parse(e.startDate)) ? new Date(e.startDate) : null,
    links: [],
    type: 'job_change',
    subtype: 'new_company',
    facts: {
      person: e.person.name,
      newTitle: e.newTitle ?? null,
      previousCompany,
      startDate: e.startDate ?? null,
      champion: !!contact?.is_champion,
      accountCreated: createdAccount,
      via: 'webhook',
    },
    accountId,
    contactId: contact?.id,
    company: accountId ? undefined : { name: e.newCompany.name, domain: domain ?? undefined },
  };
  return ingestItems(ctx, [item], {
    workspaceId: o.workspaceId,
    sourceId: o.sourceId,
    now: o.now,
    index: createdAccount ? undefined : index,
  });
}
