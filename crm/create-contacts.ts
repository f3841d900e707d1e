// Create a CRM contact for a person a rep chose to email, only when the workspace says so
// (crm_connections.create_contacts, Settings → CRM). `collectOutbound` (outbound.ts) calls
// `enqueueContactCreate` for a sent email to a contact the CRM does not know: one crm_outbox row
// keyed by our contact id ('contact:create:42'), so it is queued once however often it is read.
// `flushContactCreates` creates it through the provider (found by email first, so a retry never
// makes two), keeps the CRM id in crm_external_ids, and queues the contact's activity (its sent
// emails, replies, meetings) that was skipped while the CRM did not know it. Setting off: nothing.
import type { AppContext } from '../context.js';
import { one, run, type Queryable } from '../db/index.js';
import { upsertExternalIds, type CrmConnectionRow } from '../db/queries/crm.js';
import { contactToCreate, type ContactToCreateRow } from '../db/queries/crm-create.js';
import {
  crmWriteFailed,
  enqueueCrmWrite,
  outboundEvents,
  type CrmOutboxRow,
  type OutboundEventRow,
} from '../db/queries/crm-runs.js';
import { effectiveMapping, type FullMapping } from './mapping.js';
import { CRM_NAMES, isCrmError, type CrmError, type CrmProvider, type NewCrmContact } from './provider.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log'>;

const createKey = (contactId: number) => `contact:create:${contactId}`;

/** Queues the CRM contact for a sent email's contact when the workspace creates contacts; 1 when queued now. */
export async function enqueueContactCreate(db: Queryable, conn: CrmConnectionRow, e: OutboundEventRow) {
  if (!conn.create_contacts || e.type !== 'sent' || e.contact_external_id) return 0;
  const row = await one(
    db,
    enqueueCrmWrite({
      workspaceId: conn.workspace_id,
      kind: conn.kind,
      key: createKey(e.contact_id),
      activity: 'contact',
      contactId: e.contact_id,
      payload: { contactId: e.contact_id, email: e.email },
    }),
  );
  return row ? 1 : 0;
}

/** Our contact in the CRM's property names, through the contact mapping; empty values left out. */
function propertiesOf(m: FullMapping, c: ContactToCreateRow): Record<string, string> {
  const pairs: [string, string | null][] = [
    [m.contact.email, c.email],
    [m.contact.firstName, c.first_name],
    [m.contact.lastName, c.last_name],
    [m.contact.title, c.title],
    [m.contact.timeZone, c.time_zone],
  ];
  return Object.fromEntries(pairs.filter((p): p is [string, string] => !!p[0] && !!p[1]));
}

type Settle = (row: CrmOutboxRow, outcome: { externalId: string } | { error: CrmError }) => Promise<unknown>;

/**
 * Creates the contacts of these outbox rows; each settles like any write (done with the CRM id, a
 * refusal is a failure in words, 429/5xx later). Returns how many activity rows it queued.
 */
export async function flushContactCreates(
  ctx: Ctx,
  conn: CrmConnectionRow,
  provider: CrmProvider,
  rows: CrmOutboxRow[],
  settle: Settle,
  whole: (batch: CrmOutboxRow[], err: unknown) => Promise<void>,
  enqueueWrites: (tx: Queryable, conn: CrmConnectionRow, e: OutboundEventRow, statusField: string) => Promise<number>,
): Promise<number> {
  const mapping = effectiveMapping(provider.defaultMapping(), conn.mapping);
  let queued = 0;
  for (const row of rows) {
    const c = row.contact_id
      ? await one(ctx.db, contactToCreate(conn.workspace_id, conn.kind, row.contact_id))
      : undefined;
    if (!c || !provider.createContact) {
      const why = c ? `${CRM_NAMES[conn.kind]}: creating contacts is not supported yet` : 'the contact was deleted';
      await run(ctx.db, crmWriteFailed(row.id, 'skipped', why));
      continue;
    }
    const input: NewCrmContact = {
      key: row.idempotency_key,
      email: c.email,
      properties: propertiesOf(mapping, c),
      companyExternalId: c.company_external_id,
    };
    let externalId: string;
    try {
      externalId = await provider.createContact(input);
    } catch (err) {
      if (isCrmError(err)) await whole([row], err);
      else throw err;
      continue;
    }
    await ctx.db.transaction(async (tx) => {
      await run(
        tx,
        upsertExternalIds({
          workspaceId: conn.workspace_id,
          kind: conn.kind,
          object: 'contact',
          externalIds: [externalId],
          localIds: [c.id],
          mergedInto: [null],
          deleted: [false],
          isCustomer: [false],
          lifecycle: [null],
          modifiedAt: [new Date()],
        }),
      );
      // The activity skipped while the CRM did not know the contact, now that it does.
      const events = await run(
        tx,
        outboundEvents(conn.workspace_id, conn.kind, null, new Date(conn.connected_at), 500, c.id),
      );
      for (const e of events) queued += await enqueueWrites(tx, conn, e, mapping.contact.sequenceStatus);
    });
    await settle(row, { externalId });
    ctx.log.info({ workspaceId: conn.workspace_id, contactId: c.id, queued }, 'crm.contact.created');
  }
  return queued;
}
