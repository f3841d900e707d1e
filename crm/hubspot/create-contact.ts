// Creating a HubSpot contact for a person a rep emailed (the workspace's create_contacts setting,
// crm/create-contacts.ts). Found by email first, so a retry after a lost answer, or a person someone
// added in HubSpot meanwhile, links to the contact that exists instead of making a second one.
import type { Client } from '@hubspot/api-client';
import type { NewCrmContact } from '../provider.js';

/** HUBSPOT_DEFINED contact → company (primary) association type. */
const CONTACT_TO_COMPANY = 279;

interface HsFound {
  results: { id: string }[];
}

export async function createHubSpotContact(
  call: <T>(fn: (c: Client) => Promise<T>) => Promise<T>,
  c: NewCrmContact,
): Promise<string> {
  const found = (await call((h) =>
    h.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: c.email }] }],
      properties: ['email'],
      limit: 1,
    } as never),
  )) as HsFound;
  if (found.results[0]) return found.results[0].id;
  const associations = c.companyExternalId
    ? [
        {
          to: { id: c.companyExternalId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: CONTACT_TO_COMPANY }],
        },
      ]
    : [];
  const res = (await call((h) =>
    h.crm.contacts.batchApi.create({
      inputs: [{ properties: c.properties, associations, objectWriteTraceId: c.key }],
    } as never),
  )) as HsFound;
  return res.results[0]!.id;
}
