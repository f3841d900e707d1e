// HubSpot's CrmProvider: CRM v3 objects (list with `paging.next.after`, search by last-modified
// time, batch read/create), lists v3 memberships, owners, emails and meetings engagements with
// associations, communication preferences for the opt-out. Calls go through @hubspot/api-client;
// a 401 is answered once with a refreshed token before it counts as revoked.
import type { Client } from '@hubspot/api-client';
import type { AppContext } from '../../context.js';
import type {
  ActivityResult,
  ActivityWrite,
  CrmCompany,
  CrmContact,
  CrmDeal,
  CrmMapping,
  CrmOwner,
  CrmProvider,
  CrmTokenSource,
  ListCursor,
  ListOptions,
  NewCrmContact,
  Page,
} from '../provider.js';
import { activityMarker, CrmError, isCrmError, markedKeys } from '../provider.js';
import { createHubSpotContact } from './create-contact.js';
import { hubspotError } from './errors.js';
import { hubspotClient } from './index.js';

type Ctx = Pick<AppContext, 'config' | 'log'>;

interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  updatedAt?: Date;
  archived?: boolean;
  associations?: Record<string, { results: { id: string; type?: string }[] }>;
  objectWriteTraceId?: string;
}
interface HsPage {
  results: HsObject[];
  paging?: { next?: { after: string } };
}

const COMPANY_PROPS = ['hubspot_owner_id', 'lifecyclestage', 'hs_lastmodifieddate', 'hs_merged_object_ids'];
const CONTACT_PROPS = [
  'email',
  'hubspot_owner_id',
  'hs_email_optout',
  'lastmodifieddate',
  'associatedcompanyid',
  'hs_merged_object_ids',
];
const DEAL_PROPS = ['dealname', 'dealstage', 'dealtype', 'hs_is_closed', 'hs_lastmodifieddate'];

/** HUBSPOT_DEFINED association type ids (HubSpot's "associations v4" table). */
const ASSOC = { email: { contact: 198, company: 186 }, meeting: { contact: 200, company: 188 } };

const ids = (s: string | null | undefined) =>
  s
    ? s
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
const modified = (o: HsObject, prop: string) => {
  const v = o.properties[prop];
  const d = v ? new Date(/^\d+$/.test(v) ? Number(v) : v) : o.updatedAt ? new Date(o.updatedAt) : new Date(0);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
};

/**
 * Where a search by modified time stands, kept in the page token: the window's start (GTE, ms; null:
 * no time filter), the offset in it, the ids read at exactly the start before it restarted there
 * (skipped), and the newest modified time read so far with the ids read at it (the next restart).
 */
interface SearchWindow {
  s: number | null;
  o: number;
  x: string[];
  m: number | null;
  ids: string[];
}
const SEARCH_TOKEN = 'hsw:';

/** The cursor's window: ours, or a plain HubSpot offset (a cursor saved before windows) from `since`. */
function readWindow(c: ListCursor): SearchWindow {
  if (c.after?.startsWith(SEARCH_TOKEN)) return JSON.parse(c.after.slice(SEARCH_TOKEN.length)) as SearchWindow;
  return { s: c.since ? c.since.getTime() : null, o: Number(c.after ?? 0) || 0, x: [], m: null, ids: [] };
}

/** The same search from the newest modified time read, skipping what was read at it. */
function restart(w: SearchWindow): SearchWindow {
  if (w.m === null || w.m === w.s)
    throw new CrmError(
      'invalid',
      `HubSpot's search returns a limited number of results and more records than that share one modified time (${new Date(w.s ?? 0).toISOString()}): the sync cannot page past them`,
    );
  return { s: w.m, o: 0, x: w.ids, m: w.m, ids: w.ids };
}

export class HubSpotProvider implements CrmProvider {
  readonly kind = 'hubspot' as const;
  /** HubSpot's search index shows a new engagement seconds after the write; two minutes is ample. */
  readonly lookupLagMs = 120_000;
  private client?: { token: string; client: Client };
  private subscriptionIds?: string[];

  constructor(
    private readonly ctx: Ctx,
    private readonly tokens: CrmTokenSource,
  ) {}

  /** Runs `fn` with a client for a good token; a 401 gets one retry with a refreshed token. */
  private async call<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.accessToken(attempt > 0);
      if (this.client?.token !== token) this.client = { token, client: hubspotClient(this.ctx, token) };
      try {
        return await this.timed(fn(this.client.client));
      } catch (err) {
        const e = hubspotError(err);
        if (isCrmError(e, 'unauthorized') && attempt === 0) continue;
        throw e;
      }
    }
  }

  /**
   * The call, or a failure with its outcome unknown when HubSpot is silent for HUBSPOT_TIMEOUT_MS
   * (a write may have been committed: crm/outbound.ts looks it up before doing it again). The client
   * has no timeout of its own, and @hubspot/api-client 13 leaves its `httpAgent` option unused on the
   * CRM APIs, so the call is abandoned here; its connection ends when HubSpot answers or drops it.
   */
  private timed<T>(p: Promise<T>): Promise<T> {
    const ms = this.ctx.config.hubspot.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CrmError('unavailable', `no answer from HubSpot within ${ms} ms`)), ms);
    });
    p.catch(() => {}); // an abandoned call's late failure is nobody's to handle
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  async whoAmI() {
    // apiRequest hands back any answer, a 401 included: a refused token must fail here, not connect.
    const res = await this.call(async (c) => {
      const r = await c.apiRequest({ method: 'GET', path: '/account-info/v3/details' });
      if (!r.ok) throw hubspotError({ code: r.status, body: await r.text(), headers: {} });
      return r;
    });
    const body = (await res.json()) as { portalId?: number; uiDomain?: string };
    return { account: String(body.portalId ?? ''), label: `HubSpot portal ${body.portalId ?? '?'}` };
  }

  defaultMapping(): CrmMapping {
    return {
      company: { name: 'name', domain: 'domain', country: 'country', timeZone: 'timezone', tags: 'industry' },
      contact: {
        email: 'email',
        firstName: 'firstname',
        lastName: 'lastname',
        title: 'jobtitle',
        timeZone: 'hs_timezone',
        country: 'country',
        sequenceStatus: '',
      },
    };
  }

  private async listObjects(
    object: 'companies' | 'contacts',
    modifiedProp: string,
    cursor: ListCursor,
    opts: ListOptions,
    properties: string[],
  ): Promise<HsPage> {
    const limit = Math.min(opts.limit ?? 100, 100);
    const filter = object === 'companies' ? opts.filter : undefined;
    if (filter?.type === 'list' && filter.value)
      return this.listMembers(object, filter.value, cursor, properties, limit);
    const filters: { propertyName: string; operator: string; value?: string }[] = [];
    if (cursor.since)
      filters.push({ propertyName: modifiedProp, operator: 'GTE', value: String(cursor.since.getTime()) });
    if (filter?.type === 'property' && filter.property)
      filters.push({ propertyName: filter.property, operator: 'EQ', value: filter.value ?? 'true' });
    if (!filters.length) {
      return this.call((c) =>
        c.crm[object].basicApi.getPage(limit, cursor.after, properties, undefined, undefined, false),
      );
    }
    return this.searchWindow(object, modifiedProp, filters, properties, limit, readWindow(cursor));
  }

  /**
   * One page of a search by modified time, ascending. HubSpot returns at most `searchLimit` results
   * for one query (paging past them answers 400), so before the next page would cross it the search
   * restarts from the newest modified time seen (GTE), skipping the ids already read at exactly that
   * time; a 400 on a later page (a lower cap than configured) restarts the same way.
   */
  private async searchWindow(
    object: 'companies' | 'contacts',
    modifiedProp: string,
    filters: { propertyName: string; operator: string; value?: string }[],
    properties: string[],
    limit: number,
    w: SearchWindow,
  ): Promise<HsPage> {
    const since = w.s === null ? [] : [{ propertyName: modifiedProp, operator: 'GTE', value: String(w.s) }];
    const request = {
      filterGroups: [{ filters: [...since, ...filters.filter((f) => f.propertyName !== modifiedProp)] as never }],
      sorts: [modifiedProp],
      properties,
      limit,
      after: w.o ? String(w.o) : undefined,
    };
    let page: HsPage;
    try {
      page = await this.call((c) => c.crm[object].searchApi.doSearch(request as never));
    } catch (err) {
      if (!(isCrmError(err, 'invalid') && err.status === 400 && w.o > 0)) throw err;
      return this.searchWindow(object, modifiedProp, filters, properties, limit, restart(w));
    }
    const next: SearchWindow = { ...w, m: w.m, ids: [...w.ids] };
    for (const o of page.results) {
      const at = modified(o, modifiedProp).getTime();
      if (next.m === null || at > next.m) {
        next.m = at;
        next.ids = [o.id];
      } else if (at === next.m && !next.ids.includes(o.id)) next.ids.push(o.id);
    }
    const skip = new Set(w.x);
    const results = page.results.filter((o) => !(skip.has(o.id) && modified(o, modifiedProp).getTime() === w.s));
    const after = page.paging?.next?.after;
    if (!after) return { results };
    const offset = Number(after);
    const window = offset + limit > this.ctx.config.hubspot.searchLimit ? restart(next) : { ...next, o: offset };
    return { results, paging: { next: { after: SEARCH_TOKEN + JSON.stringify(window) } } };
  }

  /** A HubSpot list's members (lists v3), read in batches; `since` filters by modified time here. */
  private async listMembers(
    object: 'companies' | 'contacts',
    listId: string,
    cursor: ListCursor,
    properties: string[],
    limit: number,
  ) {
    const members = await this.call((c) => c.crm.lists.membershipsApi.getPage(listId, cursor.after, undefined, limit));
    const inputs = members.results.map((m) => ({ id: String(m.recordId) }));
    const read = inputs.length
      ? await this.call((c) => c.crm[object].batchApi.read({ inputs, properties, propertiesWithHistory: [] }, false))
      : { results: [] as HsObject[] };
    const results = (read.results as HsObject[]).filter(
      (o) => !cursor.since || modified(o, 'hs_lastmodifieddate') >= cursor.since,
    );
    return {
      results,
      paging: members.paging?.next?.after ? { next: { after: members.paging.next.after } } : undefined,
    };
  }

  async listCompanies(cursor: ListCursor, opts: ListOptions): Promise<Page<CrmCompany>> {
    const page = await this.listObjects('companies', 'hs_lastmodifieddate', cursor, opts, [
      ...new Set([...opts.fields, ...COMPANY_PROPS]),
    ]);
    return {
      next: page.paging?.next?.after,
      records: page.results.map((o) => ({
        externalId: o.id,
        fields: o.properties,
        ownerId: o.properties.hubspot_owner_id ?? null,
        lifecycle: o.properties.lifecyclestage ?? null,
        isCustomer: o.properties.lifecyclestage === 'customer',
        modifiedAt: modified(o, 'hs_lastmodifieddate'),
        mergedIds: ids(o.properties.hs_merged_object_ids),
        deleted: o.archived === true,
      })),
    };
  }

  async listContacts(cursor: ListCursor, opts: ListOptions): Promise<Page<CrmContact>> {
    const page = await this.listObjects('contacts', 'lastmodifieddate', cursor, opts, [
      ...new Set([...opts.fields, ...CONTACT_PROPS]),
    ]);
    return {
      next: page.paging?.next?.after,
      records: page.results.map((o) => ({
        externalId: o.id,
        fields: o.properties,
        email: o.properties.email ?? null,
        companyExternalId: o.properties.associatedcompanyid || null,
        ownerId: o.properties.hubspot_owner_id ?? null,
        optedOut: o.properties.hs_email_optout === 'true',
        modifiedAt: modified(o, 'lastmodifieddate'),
        mergedIds: ids(o.properties.hs_merged_object_ids),
        deleted: o.archived === true,
      })),
    };
  }

  async listDeals(cursor: ListCursor): Promise<Page<CrmDeal>> {
    const page: HsPage = await this.call((c) =>
      c.crm.deals.basicApi.getPage(100, cursor.after, DEAL_PROPS, undefined, ['companies'], false),
    );
    return {
      next: page.paging?.next?.after,
      records: page.results
        .map((o) => ({
          externalId: o.id,
          name: o.properties.dealname ?? '',
          companyExternalId: o.associations?.companies?.results[0]?.id ?? null,
          stage: o.properties.dealstage ?? '',
          type: o.properties.dealtype ?? null,
          isClosed: o.properties.hs_is_closed === 'true',
          modifiedAt: modified(o, 'hs_lastmodifieddate'),
        }))
        .filter((d) => !cursor.since || d.modifiedAt >= cursor.since),
    };
  }

  /** Archived (deleted or merged-away) records; HubSpot names the survivor on it, not here. */
  async listRemoved(object: 'company' | 'contact', since: Date) {
    const api = object === 'company' ? 'companies' : 'contacts';
    const out: { externalId: string; mergedIntoId: string | null }[] = [];
    let after: string | undefined;
    do {
      const page: HsPage & { results: (HsObject & { archivedAt?: Date })[] } = await this.call((c) =>
        c.crm[api].basicApi.getPage(100, after, [], undefined, undefined, true),
      );
      for (const o of page.results)
        if (!o.archivedAt || new Date(o.archivedAt) >= since) out.push({ externalId: o.id, mergedIntoId: null });
      after = page.paging?.next?.after;
    } while (after);
    return out;
  }

  async getOwners(): Promise<CrmOwner[]> {
    const owners: CrmOwner[] = [];
    let after: string | undefined;
    do {
      const page = await this.call((c) => c.crm.owners.ownersApi.getPage(undefined, after, 100, false));
      for (const o of page.results)
        if (o.email) owners.push({ id: o.id, email: o.email, name: `${o.firstName ?? ''} ${o.lastName ?? ''}`.trim() });
      after = page.paging?.next?.after;
    } while (after);
    return owners;
  }

  async writeActivities(writes: ActivityWrite[]): Promise<ActivityResult[]> {
    const out: ActivityResult[] = [];
    for (const type of ['email', 'meeting'] as const) {
      const mine = writes.filter((w) => w.activity.type === type);
      if (!mine.length) continue;
      const inputs = mine.map((w) => {
        const a = w.activity;
        const to = (id: string, typeId: number) => ({
          to: { id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
        });
        const associations = [to(a.contactExternalId, ASSOC[type].contact)];
        if (a.companyExternalId) associations.push(to(a.companyExternalId, ASSOC[type].company));
        const owner: Record<string, string> = a.ownerId ? { hubspot_owner_id: a.ownerId } : {};
        const properties: Record<string, string> =
          a.type === 'email'
            ? {
                hs_timestamp: a.at.toISOString(),
                hs_email_direction: a.direction === 'out' ? 'EMAIL' : 'INCOMING_EMAIL',
                hs_email_status: 'SENT',
                hs_email_subject: a.subject,
                hs_email_text: a.body,
                hs_email_headers: JSON.stringify({
                  from: { email: a.from },
                  to: [{ email: a.to }],
                  messageId: a.messageId,
                  threadId: a.threadId,
                  // Our key, for findWritten after an answer lost on the way back.
                  xProspector: activityMarker(w.key),
                }),
                ...owner,
              }
            : {
                hs_timestamp: a.startAt.toISOString(),
                hs_meeting_title: a.title,
                hs_meeting_body: a.body,
                hs_meeting_start_time: a.startAt.toISOString(),
                hs_meeting_end_time: a.endAt.toISOString(),
                hs_meeting_outcome: 'SCHEDULED',
                hs_internal_meeting_notes: activityMarker(w.key),
                ...owner,
              };
        return { properties, associations, objectWriteTraceId: w.key };
      });
      const api = type === 'email' ? 'emails' : 'meetings';
      const res = await this.call((c) => c.crm.objects[api].batchApi.create({ inputs } as never));
      const byTrace = new Map((res.results as HsObject[]).map((r) => [r.objectWriteTraceId, r.id]));
      for (const [i, w] of mine.entries()) {
        // HubSpot echoes objectWriteTraceId; without it, results come back in input order.
        const id = byTrace.get(w.key) ?? (res.results as HsObject[])[i]?.id;
        out.push(id ? { key: w.key, externalId: id } : { key: w.key, error: hubspotError(new Error('no result')) });
      }
    }
    return out;
  }

  /**
   * Emails/meetings associated with these contacts since the earliest activity's time (search, five
   * contacts a request: HubSpot's limit of filter groups), our key read back from the property it was
   * written to. HubSpot's search index lags a write by seconds; the core asks only after a backoff.
   */
  async findWritten(writes: ActivityWrite[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const wanted = new Set(writes.map((w) => w.key));
    for (const type of ['email', 'meeting'] as const) {
      const mine = writes.filter((w) => w.activity.type === type);
      if (!mine.length) continue;
      const prop = type === 'email' ? 'hs_email_headers' : 'hs_internal_meeting_notes';
      const times = mine.map((w) => (w.activity.type === 'email' ? w.activity.at : w.activity.startAt).getTime());
      const since = String(Math.min(...times));
      const contacts = [...new Set(mine.map((w) => w.activity.contactExternalId))];
      for (let i = 0; i < contacts.length; i += 5) {
        const filterGroups = contacts.slice(i, i + 5).map((id) => ({
          filters: [
            { propertyName: 'associations.contact', operator: 'EQ', value: id },
            { propertyName: 'hs_timestamp', operator: 'GTE', value: since },
          ],
        }));
        let after: string | undefined;
        do {
          const request = { filterGroups, properties: [prop], limit: 100, after };
          const page: HsPage = await this.call((c) =>
            c.crm.objects[type === 'email' ? 'emails' : 'meetings'].searchApi.doSearch(request as never),
          );
          for (const o of page.results)
            for (const key of markedKeys(o.properties[prop])) if (wanted.has(key)) found.set(key, o.id);
          after = page.paging?.next?.after;
        } while (after);
      }
    }
    return found;
  }

  async updateContactField(contactExternalId: string, field: string, value: string): Promise<void> {
    await this.call((c) => c.crm.contacts.basicApi.update(contactExternalId, { properties: { [field]: value } }));
  }

  createContact(c: NewCrmContact): Promise<string> {
    return createHubSpotContact((fn) => this.call(fn), c);
  }

  /** Unsubscribes the address from every email subscription type: HubSpot then sets hs_email_optout. */
  async setOptOut(_contactExternalId: string, email: string, reason: string): Promise<void> {
    this.subscriptionIds ??= (
      await this.call((c) => c.communicationPreferences.definitionApi.getPage())
    ).subscriptionDefinitions.map((d) => String(d.id));
    for (const subscriptionId of this.subscriptionIds) {
      try {
        await this.call((c) =>
          c.communicationPreferences.statusApi.unsubscribe({
            emailAddress: email,
            subscriptionId,
            legalBasis: 'LEGITIMATE_INTEREST_OTHER' as never,
            legalBasisExplanation: reason.slice(0, 200),
          }),
        );
      } catch (err) {
        // Already unsubscribed from this type: HubSpot answers 400; that is the state we want.
        if (!(isCrmError(err, 'invalid') && /already/i.test(err.message))) throw err;
      }
    }
  }
}
