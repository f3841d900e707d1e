// The CrmProvider for one Salesforce org (crm/provider.ts says what each method promises).
//
// Reads: SOQL through jsforce, oldest change first (ORDER BY LastModifiedDate, Id), one page per call with
// Salesforce's nextRecordsUrl as the cursor. An incremental read uses queryAll, so records deleted or merged
// away since the cursor come back too (IsDeleted, MasterRecordId); a full resync reads only live records.
// All SOQL text, the RevOps filter's WHERE fragment included, comes from db/soql/salesforce.ts.
// Writes: Tasks (emails) and Events (meetings) in composite sobject collections of up to 200, allOrNone
// false, one result per record; opt-outs set HasOptedOutOfEmail on every contact with the address.
// Contacts a rep emailed (the workspace's create_contacts) are found by Email first, else created.
import type { Connection } from 'jsforce';
import {
  CrmError,
  markedKeys,
  type ActivityResult,
  type ActivityWrite,
  type CrmCompany,
  type CrmContact,
  type CrmDeal,
  type CrmObject,
  type CrmOwner,
  type CrmProvider,
  type CrmTargetFilter,
  type CrmTokenSource,
  type ListCursor,
  type ListOptions,
  type NewCrmContact,
  type Page,
} from '../provider.js';
import { SalesforceSession } from './client.js';
import {
  ACCOUNT_FIELDS,
  CONTACT_FIELDS,
  defaultSalesforceMapping,
  OPPORTUNITY_FIELDS,
  toActivityRecord,
  toCompany,
  toContact,
  toDeal,
  type SfRow,
} from './records.js';
import {
  activitiesSoql,
  checkFieldName,
  contactByEmailSoql,
  modifiedSince,
  optedInContactsSoql,
  OWNERS_SOQL,
  removedSoql,
  selectSoql,
  SoqlFilterError,
  targetWhere as soqlTargetWhere,
} from '../../db/soql/salesforce.js';

/** The SOQL fragment for the RevOps target filter; CrmError('invalid') with the reason when refused. */
function targetWhere(filter: CrmTargetFilter | undefined): string | null {
  if (!filter || filter.type === 'all') return null;
  if (filter.type === 'list')
    throw new CrmError(
      'invalid',
      'Salesforce list views are not supported as a target filter: use a SOQL filter or a checkbox field',
    );
  try {
    return soqlTargetWhere({ type: filter.type, property: filter.property, value: filter.value });
  } catch (err) {
    if (err instanceof SoqlFilterError)
      throw new CrmError('invalid', `The Salesforce target filter was refused: ${err.message}`);
    throw err;
  }
}

/** Salesforce's collections take at most 200 records a call. */
const COLLECTION_MAX = 200;
/** Query pages: Salesforce allows 200–2,000 records a page. */
const PAGE_MIN = 200;
const PAGE_MAX = 2000;

interface QueryPage {
  records: SfRow[];
  done: boolean;
  nextRecordsUrl?: string;
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode?: string; errorCode?: string; message: string; fields?: string[] }[];
}

export class SalesforceProvider implements CrmProvider {
  readonly kind = 'salesforce' as const;
  private readonly session: SalesforceSession;

  constructor(tokens: CrmTokenSource, instanceUrl: string | null) {
    this.session = new SalesforceSession(tokens, instanceUrl);
  }

  async whoAmI(): Promise<{ account: string; label: string }> {
    const me = await this.session.call('Reading who is connected', (c) =>
      c.request<{ organization_id: string; user_id: string; email?: string; name?: string }>(
        '/services/oauth2/userinfo',
      ),
    );
    return {
      account: me.organization_id,
      label: `Salesforce org ${me.organization_id} (${me.email ?? me.name ?? me.user_id})`,
    };
  }

  defaultMapping() {
    return defaultSalesforceMapping();
  }

  private async page(
    what: string,
    soql: string,
    cursor: ListCursor,
    limit: number | undefined,
    scanAll: boolean,
  ): Promise<QueryPage> {
    const size = Math.min(PAGE_MAX, Math.max(PAGE_MIN, limit ?? PAGE_MAX));
    const options = {
      headers: { 'Sforce-Query-Options': `batchSize=${size}` },
      maxFetch: PAGE_MAX,
      autoFetch: false,
      scanAll,
      responseTarget: 'QueryResult' as const,
    };
    const first = async (c: Connection) => (await c.query(soql, options)) as unknown as QueryPage;
    return this.session.call(what, async (c: Connection) => {
      if (!cursor.after) return first(c);
      try {
        return (await c.queryMore(cursor.after, options)) as unknown as QueryPage;
      } catch (err) {
        // A query locator lives about 15 minutes: a run resumed later (after a reconnect) reads its
        // object again from the saved time, which the core applies idempotently.
        if ((err as { errorCode?: string }).errorCode === 'INVALID_QUERY_LOCATOR') return first(c);
        throw err;
      }
    });
  }

  async listCompanies(cursor: ListCursor, opts: ListOptions): Promise<Page<CrmCompany>> {
    const filter = targetWhere(opts.filter);
    const where = [...modifiedSince(cursor.since), ...(filter ? [filter] : [])];
    const soql = selectSoql('Account', ACCOUNT_FIELDS, opts.fields, where);
    const p = await this.page('Reading Accounts', soql, cursor, opts.limit, Boolean(cursor.since));
    return pageOf(p, cursor, (r) => toCompany(r, opts.fields));
  }

  async listContacts(cursor: ListCursor, opts: ListOptions): Promise<Page<CrmContact>> {
    const soql = selectSoql('Contact', CONTACT_FIELDS, opts.fields, modifiedSince(cursor.since));
    const p = await this.page('Reading Contacts', soql, cursor, opts.limit, Boolean(cursor.since));
    return pageOf(p, cursor, (r) => toContact(r, opts.fields));
  }

  async listDeals(cursor: ListCursor): Promise<Page<CrmDeal>> {
    const soql = selectSoql('Opportunity', OPPORTUNITY_FIELDS, [], modifiedSince(cursor.since));
    const p = await this.page('Reading Opportunities', soql, cursor, undefined, Boolean(cursor.since));
    return pageOf(p, cursor, toDeal);
  }

  async listRemoved(object: CrmObject, since: Date): Promise<{ externalId: string; mergedIntoId: string | null }[]> {
    const sobject = object === 'company' ? 'Account' : 'Contact';
    const soql = removedSoql(sobject, since);
    const out: { externalId: string; mergedIntoId: string | null }[] = [];
    let cursor: ListCursor = {};
    for (;;) {
      const p = await this.page(`Reading deleted ${sobject}s`, soql, cursor, undefined, true);
      for (const r of p.records)
        out.push({ externalId: r.Id, mergedIntoId: (r.MasterRecordId as string | null) ?? null });
      if (p.done || !p.nextRecordsUrl) return out;
      cursor = { after: p.nextRecordsUrl };
    }
  }

  async getOwners(): Promise<CrmOwner[]> {
    const owners: CrmOwner[] = [];
    let cursor: ListCursor = {};
    for (;;) {
      const p = await this.page('Reading Users', OWNERS_SOQL, cursor, undefined, false);
      for (const r of p.records) {
        if (typeof r.Email === 'string' && r.Email)
          owners.push({ id: r.Id, email: r.Email.toLowerCase(), name: String(r.Name ?? '') });
      }
      if (p.done || !p.nextRecordsUrl) return owners;
      cursor = { after: p.nextRecordsUrl };
    }
  }

  async writeActivities(writes: ActivityWrite[]): Promise<ActivityResult[]> {
    const bySobject = new Map<'Task' | 'Event', { key: string; record: Record<string, unknown> }[]>();
    for (const w of writes) {
      const { sobject, record } = toActivityRecord(w.activity, w.key);
      bySobject.set(sobject, [...(bySobject.get(sobject) ?? []), { key: w.key, record }]);
    }
    const results: ActivityResult[] = [];
    for (const [sobject, items] of bySobject) {
      for (let i = 0; i < items.length; i += COLLECTION_MAX) {
        const chunk = items.slice(i, i + COLLECTION_MAX);
        const saved = await this.session.call(
          `Logging ${sobject === 'Task' ? 'emails' : 'meetings'} in Salesforce`,
          (c) =>
            c.sobject(sobject).create(
              chunk.map((x) => x.record),
              { allOrNone: false },
            ) as Promise<SaveResult[]>,
          { write: true },
        );
        chunk.forEach((x, n) => results.push(activityResult(x.key, saved[n])));
      }
    }
    return results;
  }

  /**
   * Tasks/Events on these contacts created since the earliest activity (less a day for the two clocks),
   * with our marker in Description (selectable, not filterable in SOQL: matched here, exactly).
   */
  async findWritten(writes: ActivityWrite[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const wanted = new Set(writes.map((w) => w.key));
    for (const sobject of ['Task', 'Event'] as const) {
      const mine = writes.filter((w) => (w.activity.type === 'email') === (sobject === 'Task'));
      if (!mine.length) continue;
      const whos = [...new Set(mine.map((w) => w.activity.contactExternalId))];
      const times = mine.map((w) => (w.activity.type === 'email' ? w.activity.at : w.activity.startAt).getTime());
      const since = new Date(Math.min(...times) - 86_400_000);
      for (let i = 0; i < whos.length; i += COLLECTION_MAX) {
        const soql = activitiesSoql(sobject, whos.slice(i, i + COLLECTION_MAX), since);
        let after: string | undefined;
        do {
          // queryAll: a Task/Event we wrote and someone deleted since is found in the recycle bin and
          // counts as written (deleted by a person in Salesforce: not written again).
          const p = await this.page('Looking up activities already logged', soql, { after }, undefined, true);
          for (const r of p.records)
            for (const key of markedKeys(r.Description as string | null)) if (wanted.has(key)) found.set(key, r.Id);
          after = p.done ? undefined : p.nextRecordsUrl;
        } while (after);
      }
    }
    return found;
  }

  async updateContactField(contactExternalId: string, field: string, value: string): Promise<void> {
    checkField(field);
    const r = await this.session.call(
      'Updating a Salesforce Contact',
      (c) => c.sobject('Contact').update({ Id: contactExternalId, [field]: value }) as Promise<SaveResult>,
      { write: true },
    );
    if (!r.success) throw new CrmError('invalid', saveErrorText(r));
  }

  async setOptOut(contactExternalId: string, email: string, reason: string): Promise<void> {
    void reason; // Salesforce has no reason field on the opt-out; the core keeps ours.
    const soql = optedInContactsSoql(email.trim());
    const ids = new Set([contactExternalId]);
    const p = await this.page('Finding Contacts with the address', soql, {}, undefined, false);
    for (const r of p.records) ids.add(r.Id);
    const updates = [...ids].map((Id) => ({ Id, HasOptedOutOfEmail: true }));
    const saved = await this.session.call(
      'Writing the opt-out to Salesforce',
      (c) => c.sobject('Contact').update(updates, { allOrNone: false }) as Promise<SaveResult[]>,
      { write: true },
    );
    const mine = saved[0];
    if (!mine?.success) throw new CrmError('invalid', saveErrorText(mine));
  }

  /**
   * The Contact with this email (the oldest, when the org holds several), else a new one through the
   * mapping's field names on the account (AccountId). Found first, so a retry after an answer lost once
   * Salesforce created it, or a person someone added meanwhile, links to that Contact instead of a second.
   */
  async createContact(c: NewCrmContact): Promise<string> {
    const email = c.email.trim();
    const soql = contactByEmailSoql(email);
    const found = await this.page('Finding the Contact by email', soql, {}, undefined, false);
    if (found.records[0]) return found.records[0].Id;
    const record: Record<string, string> = {};
    for (const [field, value] of Object.entries(c.properties)) record[checkField(field)] = value;
    const has = (f: string) => Object.keys(record).some((k) => k.toLowerCase() === f.toLowerCase() && record[k]);
    if (!has('Email')) record.Email = email;
    // LastName is required on a Contact; Salesforce's own web-to-lead fills a missing one the same way.
    if (!has('LastName')) record.LastName = NOT_PROVIDED;
    if (c.companyExternalId) record.AccountId = c.companyExternalId;
    const r = await this.session.call(
      'Creating a Salesforce Contact',
      (conn) => conn.sobject('Contact').create(record) as Promise<SaveResult>,
      { write: true },
    );
    if (!r.success || !r.id) throw new CrmError('invalid', saveErrorText(r));
    return r.id;
  }
}

/** What a required name field holds when we do not know it. */
const NOT_PROVIDED = '[not provided]';

/**
 * SOQL compares datetimes to the second, so a read from `since` also returns the rest of that second;
 * what is older than the cursor itself is left out here (the next page token still continues).
 */
function pageOf<T extends { modifiedAt: Date }>(p: QueryPage, cursor: ListCursor, map: (r: SfRow) => T): Page<T> {
  const since = cursor.since?.getTime();
  const records = p.records.map(map).filter((r) => since === undefined || r.modifiedAt.getTime() >= since);
  return { records, next: p.done ? undefined : p.nextRecordsUrl };
}

function checkField(field: string): string {
  try {
    return checkFieldName(field);
  } catch (err) {
    throw new CrmError('invalid', (err as Error).message);
  }
}

function saveErrorText(r: SaveResult | undefined): string {
  if (!r) return 'Salesforce gave no result for this record';
  const e = r.errors[0];
  if (!e) return 'Salesforce did not save this record';
  const fields = e.fields?.length ? ` (${e.fields.join(', ')})` : '';
  return `Salesforce refused it (${e.statusCode ?? e.errorCode ?? 'error'}): ${e.message}${fields}`;
}

function activityResult(key: string, r: SaveResult | undefined): ActivityResult {
  if (r?.success && r.id) return { key, externalId: r.id };
  return { key, error: new CrmError('invalid', saveErrorText(r)) };
}
