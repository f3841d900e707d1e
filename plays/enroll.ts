// Starting a play on purpose: a rep enrolls contacts (manual), or our own product reports an
// inbound event (trial signup, resource download, demo attended). Either way a signal is stored
// with the play and its contacts, and research starts for it, exactly as for a detected signal.
import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { findAccountByDomain, insertAccount } from '../db/queries/accounts.js';
import { findContactByEmail, insertContact, type ContactRow } from '../db/queries/contacts.js';
import {
  contactsByIds,
  findPlay,
  insertPlaySignal,
  listPlays,
  setInboundSecretIfMissing,
  workspaceInboundSecret,
} from '../db/queries/plays.js';
import { normalizeDomain, SaneDate } from '../accounts/normalize.js';
import { AppError } from '../errors.js';
import type { SecretBox } from '../secret-box.js';
import { playFires } from './choose.js';
import { INBOUND_EVENTS, Trigger } from './schema.js';
import { z } from 'zod';

/** Queues research for a new signal inside `tx` (agents/signal-jobs.ts supplies the pg-boss one). */
type EnqueueResearch = (tx: Queryable, signalId: number) => Promise<void>;

export async function enrollContacts(
  db: Database,
  o: {
    workspaceId: number;
    playId: number;
    contactIds: number[];
    userId: number | null;
    /** A rep enrolling: only contacts at accounts they own or nobody owns. */
    onlyOwnerId?: number | null;
    note?: string;
    now?: Date;
  },
  enqueue: EnqueueResearch,
): Promise<{ signalIds: number[] }> {
  const play = await one(db, findPlay(o.workspaceId, o.playId));
  if (!play) throw new AppError('NOT_FOUND', `No play ${o.playId}.`);
  if (!play.enabled) throw new AppError('STATE', `Play "${play.name}" is disabled.`);
  const contacts = await run(db, contactsByIds(o.workspaceId, o.contactIds));
  const missing = o.contactIds.filter((id) => !contacts.some((c) => c.id === id));
  if (missing.length) throw new AppError('NOT_FOUND', `No contact ${missing.join(', ')} in this workspace.`);
  const others = o.onlyOwnerId
    ? contacts.filter((c) => c.account_owner_id !== null && c.account_owner_id !== o.onlyOwnerId)
    : [];
  if (others.length)
    throw new AppError(
      'FORBIDDEN',
      `Contact ${others.map((c) => c.id).join(', ')} is at an account another rep owns; ask them or RevOps to enroll.`,
    );
  const noAccount = contacts.filter((c) => !c.account_id);
  if (noAccount.length)
    throw new AppError(
      'VALIDATION',
      `Contact ${noAccount.map((c) => c.id).join(', ')} has no account; link it to one first.`,
    );
  const now = o.now ?? new Date();
  // One signal per account: its contacts are researched together and their sends staggered.
  const byAccount = new Map<number, typeof contacts>();
  for (const c of contacts) byAccount.set(c.account_id!, [...(byAccount.get(c.account_id!) ?? []), c]);
  const signalIds: number[] = [];
  for (const [accountId, people] of byAccount) {
    await db.transaction(async (tx) => {
      const names = people.map((p) => `${p.first_name} ${p.last_name}`.trim()).join(', ');
      const s = await one(
        tx,
        insertPlaySignal({
          workspaceId: o.workspaceId,
          accountId,
          contactId: null,
          type: 'manual',
          subtype: 'enrollment',
          title: `${play.name}: ${names} at ${people[0]!.account_name ?? 'account'}`,
          summary: o.note ?? '',
          facts: { enrolledBy: o.userId, play: play.name },
          fingerprint: `enroll:${play.id}:${accountId}:${randomBytes(6).toString('hex')}`,
          playId: play.id,
          targetContactIds: people.map((p) => p.id),
          occurredAt: now,
        }),
      );
      if (s) {
        await enqueue(tx, s.id);
        signalIds.push(s.id);
      }
    });
  }
  return { signalIds };
}

export const InboundEvent = z.object({
  /** The sender's own id for the event: a repeat delivery is ignored. */
  id: z.string().min(1).max(200),
  event: z.enum(INBOUND_EVENTS),
  email: z.email(),
  firstName: z.string().max(200).default(''),
  lastName: z.string().max(200).default(''),
  title: z.string().max(300).default(''),
  company: z.string().max(300).optional(),
  /** What they signed up for, downloaded or attended: shown to the rep and the drafter. */
  detail: z.string().max(2000).default(''),
  occurredAt: SaneDate.optional(),
});
export type InboundEvent = z.infer<typeof InboundEvent>;

const EVENT_TITLES: Record<InboundEvent['event'], string> = {
  trial_signup: 'started a trial',
  resource_download: 'downloaded',
  demo_attended: 'attended a demo',
};

/** The workspace's inbound-event signing secret if one was made; never creates one (anonymous callers use this). */
export async function existingInboundSecret(
  db: Queryable,
  secrets: SecretBox,
  workspaceId: number,
): Promise<string | undefined> {
  const row = await one(db, workspaceInboundSecret(workspaceId));
  return row?.inbound_secret_enc ? secrets.open(row.inbound_secret_enc) : undefined;
}

/** The workspace's inbound-event signing secret, created on first use (by a signed-in user). */
export async function inboundSecret(db: Queryable, secrets: SecretBox, workspaceId: number): Promise<string> {
  const row = await one(db, workspaceInboundSecret(workspaceId));
  if (!row) throw new AppError('NOT_FOUND', `No workspace ${workspaceId}.`);
  const sealed =
    row.inbound_secret_enc ??
    (await one(db, setInboundSecretIfMissing(workspaceId, secrets.seal(randomBytes(24).toString('base64url')))))!
      .inbound_secret_enc;
  return secrets.open(sealed);
}

/**
 * Stores an inbound event as a signal on the person's account (created from the email's
 * domain when new) when an enabled play fires for it. Returns the signal id, or why nothing started.
 */
export async function recordInboundEvent(
  db: Database,
  workspaceId: number,
  e: InboundEvent,
  enqueue: EnqueueResearch,
): Promise<{ signalId?: number; duplicate?: boolean; reason?: string }> {
  const plays = await run(db, listPlays(workspaceId, true));
  const probe = {
    id: 0,
    workspace_id: workspaceId,
    account_id: null,
    contact_id: null,
    type: 'inbound',
    subtype: e.event,
    facts: {},
  };
  const play = plays.find((p) => Trigger.safeParse(p.trigger).success && playFires(p, probe));
  if (!play) return { reason: `no enabled play takes ${e.event} events` };
  const domain = normalizeDomain(e.email.split('@')[1]!);
  return db.transaction(async (tx) => {
    let account = domain ? await one(tx, findAccountByDomain(workspaceId, domain)) : undefined;
    account ??= (await one(
      tx,
      insertAccount(workspaceId, {
        name: e.company || domain || e.email,
        domain: domain ?? null,
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: ['inbound'],
      }),
    ))!;
    let contact: ContactRow | undefined = await one(tx, findContactByEmail(workspaceId, e.email));
    contact ??= (await one(
      tx,
      insertContact(workspaceId, {
        accountId: account.id,
        firstName: e.firstName,
        lastName: e.lastName,
        email: e.email,
        title: e.title,
        timeZone: null,
        linkedinUrl: null,
        isChampion: false,
      }),
    ))!;
    const who = `${e.firstName} ${e.lastName}`.trim() || e.email;
    const s = await one(
      tx,
      insertPlaySignal({
        workspaceId,
        accountId: contact.account_id ?? account.id,
        contactId: contact.id,
        type: 'inbound',
        subtype: e.event,
        title: `${who} (${account.name}) ${EVENT_TITLES[e.event]}${e.detail ? `: ${e.detail}` : ''}`.slice(0, 500),
        summary: e.detail,
        facts: { event: e.event, detail: e.detail, person: who },
        fingerprint: `inbound:${e.id}`,
        playId: play.id,
        targetContactIds: [],
        occurredAt: e.occurredAt ?? new Date(),
      }),
    );
    if (!s) return { duplicate: true };
    await enqueue(tx, s.id);
    return { signalId: s.id };
  });
}
