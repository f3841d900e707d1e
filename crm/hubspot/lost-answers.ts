// Finding an email or meeting HubSpot already holds, when the answer to its write was lost.
import type { ActivityWrite } from '../provider.js';
import { markedKeys } from '../provider.js';
import type { HsPage, HubSpotCall } from './call.js';

/**
 * Emails/meetings associated with these contacts since the earliest activity's time (search, five
 * contacts a request: HubSpot's limit of filter groups), our key read back from the property it was
 * written to. HubSpot's search index lags a write by seconds; the core asks only after a backoff.
 */
export async function findHubSpotWrites(call: HubSpotCall, writes: ActivityWrite[]): Promise<Map<string, string>> {
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
        const page: HsPage = await call((c) =>
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
