// HubSpot's CrmProvider: CRM v3 objects (list with `paging.next.after`, search by last-modified
// time, batch read/create), lists v3 memberships, owners, emails and meetings engagements with
// associations, communication preferences for the opt-out. The pieces: call.ts (the client, a 401's
// one refresh, the timeout), reader.ts and search.ts (the sync's reads), activity.ts (emails and
// meetings logged) and lost-answers.ts (finding a write whose answer was lost).
import type { AppContext } from '../../context.js';
import type {
  ActivityWrite,
  CrmMapping,
  CrmObject,
  CrmProvider,
  CrmTokenSource,
  ListCursor,
  ListOptions,
  NewCrmContact,
} from '../provider.js';
import { isCrmError } from '../provider.js';
import { writeHubSpotActivities } from './activity.js';
import { hubspotCaller, type HubSpotCall } from './call.js';
import { createHubSpotContact } from './create-contact.js';
import { hubspotError } from './errors.js';
import { findHubSpotWrites } from './lost-answers.js';
import { HubSpotReader } from './reader.js';

export class HubSpotProvider implements CrmProvider {
  readonly kind = 'hubspot' as const;
  /** HubSpot's search index shows a new engagement seconds after the write; two minutes is ample. */
  readonly lookupLagMs = 120_000;
  private readonly call: HubSpotCall;
  private readonly reader: HubSpotReader;
  private subscriptionIds?: string[];

  constructor(ctx: Pick<AppContext, 'config' | 'log'>, tokens: CrmTokenSource) {
    this.call = hubspotCaller(ctx, tokens);
    this.reader = new HubSpotReader(ctx, this.call);
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

  listCompanies = (cursor: ListCursor, opts: ListOptions) => this.reader.listCompanies(cursor, opts);
  listContacts = (cursor: ListCursor, opts: ListOptions) => this.reader.listContacts(cursor, opts);
  listDeals = (cursor: ListCursor) => this.reader.listDeals(cursor);
  listRemoved = (object: CrmObject, since: Date) => this.reader.listRemoved(object, since);
  getOwners = () => this.reader.getOwners();
  writeActivities = (writes: ActivityWrite[]) => writeHubSpotActivities(this.call, writes);
  findWritten = (writes: ActivityWrite[]) => findHubSpotWrites(this.call, writes);

  async updateContactField(contactExternalId: string, field: string, value: string): Promise<void> {
    await this.call((c) => c.crm.contacts.basicApi.update(contactExternalId, { properties: { [field]: value } }));
  }

  createContact(c: NewCrmContact): Promise<string> {
    return createHubSpotContact(this.call, c);
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
