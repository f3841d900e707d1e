// One inbound message, from IMAP or the inbound webhook: classify, match to a sequence (by
// In-Reply-To/References against our Message-IDs, else by sender), store it with the raw MIME,
// and apply what it means — all in one transaction, idempotent on (mailbox, Message-ID).
import { DateTime } from 'luxon';
import type { AppContext } from '../../context.js';
import { one, run, type Queryable } from '../../db/index.js';
import {
  contactByEmail,
  insertInMessage,
  isOwnMessage,
  ownAddresses,
  stepByMessageIds,
} from '../../db/queries/inbox.js';
import { classifyReply } from './reply-intent.js';
import { findWorkspace } from '../../db/queries/workspaces.js';
import { loadSchedulePolicy } from '../approve.js';
import { applyAutoReply, applyBounce, applyReply, applyUnsubscribe } from '../outcomes.js';
import { resolveZone } from '../schedule.js';
import { classifyParsed, parseInbound, type Classification, type ParsedInbound } from './classify.js';

/** What a human reply means; the drafting module's classifier by default. */
export type IntentClassifier = (text: string) => Promise<{ intent: string; confidence?: number; by?: string }>;

interface InboundInput {
  workspaceId: number;
  mailboxId: number | null;
  raw: string | Buffer;
  imapUid?: number | null;
  now?: Date;
  intentOf?: IntentClassifier;
}

export interface InboundResult {
  status: 'stored' | 'duplicate' | 'own';
  kind: Classification['kind'];
  messageRowId: number | null;
  sequenceId: number | null;
  contactId: number | null;
  classification: Classification;
}

interface Match {
  sequenceId: number | null;
  stepId: number | null;
  contactId: number | null;
  accountId: number | null;
  email: string | null;
  contactTz: string | null;
  mailboxId: number | null;
}

const NONE: Match = {
  sequenceId: null,
  stepId: null,
  contactId: null,
  accountId: null,
  email: null,
  contactTz: null,
  mailboxId: null,
};

async function match(db: Queryable, workspaceId: number, m: ParsedInbound, c: Classification): Promise<Match> {
  const refs = [...m.references, m.inReplyTo].filter((x): x is string => !!x);
  // Bounces and spam complaints carry our original message, not a reply's threading headers.
  if (c.kind === 'bounce' || c.complaint) refs.push(...(m.text.match(/<prospector\.\d+\.[a-z0-9]+@[^>\s]+>/gi) ?? []));
  if (refs.length) {
    const s = await one(db, stepByMessageIds(workspaceId, [...new Set(refs)]));
    if (s)
      return {
        sequenceId: s.sequence_id,
        stepId: s.step_id,
        contactId: s.contact_id,
        accountId: s.account_id,
        email: s.email,
        contactTz: s.time_zone,
        mailboxId: s.mailbox_id,
      };
  }
  if (c.complaint) return NONE; // the report comes from the mailbox provider, not the prospect
  const sender = c.kind === 'bounce' ? c.bounce?.recipient : m.from;
  if (!sender) return NONE;
  const r = await one(db, contactByEmail(workspaceId, sender));
  return r
    ? {
        sequenceId: r.sequence_id,
        stepId: null,
        contactId: r.contact_id,
        accountId: r.account_id,
        email: r.email,
        contactTz: r.time_zone,
        mailboxId: null,
      }
    : NONE;
}

function defaultIntent(ctx: Pick<AppContext, 'llm' | 'log'>): IntentClassifier {
  return (text) => classifyReply(text, { llm: ctx.llm, log: ctx.log });
}

export async function processInbound(
  ctx: Pick<AppContext, 'db' | 'log' | 'config' | 'llm'>,
  input: InboundInput,
): Promise<InboundResult> {
  const now = input.now ?? new Date();
  const parsed = await parseInbound(input.raw);
  const own = (await run(ctx.db, ownAddresses(input.workspaceId))).map((r) => r.email);
  const classification = classifyParsed(parsed, { ownAddresses: own, now });
  const base = { kind: classification.kind, classification };
  // Never treat our own sent mail (a Sent-folder copy, a CC to ourselves) as a reply.
  if (
    classification.kind !== 'bounce' &&
    (await one(ctx.db, isOwnMessage(input.workspaceId, parsed.messageId, parsed.from)))?.own
  ) {
    return { ...base, status: 'own', messageRowId: null, sequenceId: null, contactId: null };
  }
  const intent =
    classification.kind === 'reply' && classification.visibleText
      ? await (input.intentOf ?? defaultIntent(ctx))(classification.visibleText).catch(() => null)
      : null;

  return ctx.db.transaction(async (tx) => {
    const found = await match(tx, input.workspaceId, parsed, classification);
    // A message that matches no contact is stored for a person to look at, with no effect.
    const kind = found.contactId ? classification.kind : 'other';
    const details = {
      ...classification,
      visibleText: undefined,
      intent,
      matchedBy: found.stepId ? 'thread' : found.contactId ? 'sender' : 'none',
    };
    const row = await one(
      tx,
      insertInMessage({
        workspaceId: input.workspaceId,
        mailboxId: input.mailboxId,
        sequenceId: found.sequenceId,
        stepId: found.stepId,
        contactId: found.contactId,
        messageId: parsed.messageId,
        inReplyTo: parsed.inReplyTo,
        references: parsed.references,
        from: parsed.from,
        to: parsed.to.join(', '),
        subject: parsed.subject,
        text: parsed.text.slice(0, 200_000),
        visibleText: classification.visibleText,
        raw: parsed.raw,
        classification: kind,
        details,
        imapUid: input.imapUid ?? null,
        at: parsed.date ?? now,
      }),
    );
    if (!row)
      return {
        ...base,
        status: 'duplicate' as const,
        messageRowId: null,
        sequenceId: found.sequenceId,
        contactId: found.contactId,
      };
    const who = { workspaceId: input.workspaceId, contactId: found.contactId!, now, messageRef: row.id };
    switch (kind) {
      case 'bounce':
        await applyBounce(tx, {
          ...who,
          email: classification.bounce?.recipient ?? found.email!,
          hard: !!classification.bounce?.hard,
          status: classification.bounce?.status,
          diagnostic: classification.bounce?.diagnostic,
          sequenceId: found.sequenceId,
          stepId: found.stepId,
          mailboxId: found.mailboxId,
        });
        break;
      case 'unsubscribe':
        await applyUnsubscribe(tx, {
          ...who,
          email: found.email!,
          source: classification.complaint ? 'complaint' : 'reply',
          sequenceId: found.sequenceId,
        });
        break;
      case 'auto_reply': {
        const sched = found.sequenceId
          ? await loadSchedulePolicy(tx, found.sequenceId)
          : { zone: resolveZone(found.contactTz), policy: undefined };
        const back = classification.returnDate
          ? DateTime.fromISO(classification.returnDate, { zone: sched.zone })
              .plus({ days: 1 })
              .startOf('day')
              .toJSDate()
          : null;
        if (sched.policy)
          await applyAutoReply(tx, {
            ...who,
            sequenceId: found.sequenceId,
            returnDate: back,
            zone: sched.zone,
            policy: sched.policy,
          });
        break;
      }
      case 'reply': {
        const ws = await one(tx, findWorkspace(input.workspaceId));
        await applyReply(tx, {
          ...who,
          sequenceId: found.sequenceId,
          accountId: found.accountId,
          intent: intent?.intent ?? null,
          pauseAccount: ws?.settings.pauseAccountOnReply !== false,
        });
        break;
      }
    }
    ctx.log.info(
      { messageRowId: row.id, kind, sequenceId: found.sequenceId, contactId: found.contactId },
      `inbox.message.${kind}`,
    );
    return {
      ...base,
      kind,
      status: 'stored' as const,
      messageRowId: row.id,
      sequenceId: found.sequenceId,
      contactId: found.contactId,
    };
  });
}
