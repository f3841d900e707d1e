// What the sync reads from HubSpot, one page per call with `paging.next.after` as the cursor:
// companies and contacts (all of them, a HubSpot list's members, or a search by last-modified time:
// search.ts), deals, archived records and owners.
import type { AppContext } from '../../context.js';
import type { CrmCompany, CrmContact, CrmDeal, CrmOwner, ListCursor, ListOptions, Page } from '../provider.js';
import type { HsObject, HsPage, HubSpotCall } from './call.js';
import { modified, readWindow, searchWindow, type SearchFilter } from './search.js';

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

const ids = (s: string | null | undefined) =>
  s
    ? s
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

export class HubSpotReader {
  constructor(
    private readonly ctx: Pick<AppContext, 'config'>,
    private readonly call: HubSpotCall,
  ) {}

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
    const filters: SearchFilter[] = [];
    if (cursor.since)
      filters.push({ propertyName: modifiedProp, operator: 'GTE', value: String(cursor.since.getTime()) });
    if (filter?.type === 'property' && filter.property)
      filters.push({ propertyName: filter.property, operator: 'EQ', value: filter.value ?? 'true' });
    if (!filters.length) {
      return this.call((c) =>
        c.crm[object].basicApi.getPage(limit, cursor.after, properties, undefined, undefined, false),
      );
    }
    const query = { object, modifiedProp, filters, properties, limit };
    return searchWindow(this.call, this.ctx.config.hubspot.searchLimit, query, readWindow(cursor));
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
}
