// Emails and meetings the outbox logs in HubSpot (engagements, batch-created per type), each
// associated with its contact and company and carrying our key, for lost-answers.ts.
import type { ActivityResult, ActivityWrite } from '../provider.js';
import { activityMarker } from '../provider.js';
import type { HsObject, HubSpotCall } from './call.js';
import { hubspotError } from './errors.js';

/** HUBSPOT_DEFINED association type ids (HubSpot's "associations v4" table). */
const ASSOC = { email: { contact: 198, company: 186 }, meeting: { contact: 200, company: 188 } };

export async function writeHubSpotActivities(call: HubSpotCall, writes: ActivityWrite[]): Promise<ActivityResult[]> {
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
    const res = await call((c) => c.crm.objects[api].batchApi.create({ inputs } as never));
    const byTrace = new Map((res.results as HsObject[]).map((r) => [r.objectWriteTraceId, r.id]));
    for (const [i, w] of mine.entries()) {
      // HubSpot echoes objectWriteTraceId; without it, results come back in input order.
      const id = byTrace.get(w.key) ?? (res.results as HsObject[])[i]?.id;
      out.push(id ? { key: w.key, externalId: id } : { key: w.key, error: hubspotError(new Error('no result')) });
    }
  }
  return out;
}
