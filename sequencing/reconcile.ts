// Steps left in `sending` by a crash, and `unknown` ones an ambiguous failure asked about. A step
// never handed to the server (no `handed_at`: the process died before MAIL FROM) goes back to
// `scheduled`. Otherwise it is never resent blindly: its Message-ID is looked up where the message
// would be (the local outbox folder, or the mailbox's Sent folder over IMAP); found → sent, not
// found or no way to look → `unknown`, for a person to decide.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import { sequenceRefs } from '../db/queries/sequencing.js';
import {
  completeIfDone,
  doneReconciling,
  findMailbox,
  insertEvent,
  markSent,
  releaseUnhanded,
  stuckSteps,
  type MailboxRow,
} from '../db/queries/sending.js';
import type { OAuthProvider } from '../mailboxes/oauth-types.js';
import { foundInSent, imapOAuthOf } from './inbox/imap.js';
import { ApiMailbox } from './oauth-api.js';

export type SentLookup = (mailbox: MailboxRow, messageId: string) => Promise<boolean | null>;

export const STUCK_AFTER_MS = 10 * 60_000;

/** Where to look: the outbox folder, the IMAP Sent folder, or nowhere (null). */
function defaultLookup(ctx: Pick<AppContext, 'db' | 'log' | 'secrets' | 'config' | 'caches'>): SentLookup {
  return async (mailbox, messageId) => {
    if (mailbox.kind === 'outbox') {
      const dir = path.join(ctx.config.dataDir, 'outbox', String(mailbox.id));
      const name = `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;
      return existsSync(dir) && readdirSync(dir).includes(name);
    }
    const oauth = imapOAuthOf(ctx, mailbox);
    if (oauth && mailbox.oauth_transport === 'api')
      return new ApiMailbox(mailbox.kind as OAuthProvider, oauth.tokens, oauth.endpoints, {
        allowPrivate: ctx.config.allowPrivateFetch,
      }).foundSent(messageId);
    if (mailbox.imap_host || oauth)
      return foundInSent(mailbox, ctx.secrets, { allowPrivate: ctx.config.allowPrivateFetch }, messageId, oauth);
    return null;
  };
}

export async function reconcileStuck(
  ctx: Pick<AppContext, 'db' | 'log' | 'secrets' | 'config' | 'caches'>,
  opts: { now?: Date; stuckAfterMs?: number; lookup?: SentLookup; limit?: number } = {},
): Promise<{ sent: number; unknown: number; failed: number; released: number }> {
  const now = opts.now ?? new Date();
  const lookup = opts.lookup ?? defaultLookup(ctx);
  const stuck = await run(
    ctx.db,
    stuckSteps(new Date(now.getTime() - (opts.stuckAfterMs ?? STUCK_AFTER_MS)), now, opts.limit ?? 100),
  );
  const out = { sent: 0, unknown: 0, failed: 0, released: 0 };
  for (const s of stuck) {
    if (s.status === 'sending' && !s.handed_at) {
      const why = 'claimed by a process that stopped before handing it to the server; scheduled again';
      if (await one(ctx.db, releaseUnhanded(s.id, why, now))) out.released++;
      ctx.log.warn({ stepId: s.id }, 'sequence.step.released');
      continue;
    }
    const mailbox = s.mailbox_id ? await one(ctx.db, findMailbox(s.mailbox_id)) : undefined;
    let found: boolean | null = null;
    try {
      found = mailbox && s.message_id ? await lookup(mailbox, s.message_id) : null;
    } catch (err) {
      // The lookup itself failed (IMAP down): try again on the next run rather than guess.
      ctx.log.warn({ stepId: s.id, err }, 'sequence.step.reconcile_failed');
      out.failed++;
      continue;
    }
    await ctx.db.transaction(async (tx) => {
      if (found) {
        const row = await one(tx, markSent(s.id, 'found by Message-ID', now));
        if (row) {
          const seq = await one(tx, sequenceRefs(row.sequence_id));
          await run(
            tx,
            insertEvent({
              workspaceId: seq!.workspace_id,
              type: 'sent',
              sequenceId: row.sequence_id,
              stepId: s.id,
              contactId: seq!.contact_id,
              data: { reconciled: true },
              at: now,
            }),
          );
          await run(tx, completeIfDone(row.sequence_id, now));
        }
      } else {
        const cause = s.status === 'sending' ? 'left in sending by a crash' : 'the send broke after the data went out';
        const why = found === false ? `${cause}; not found by Message-ID` : `${cause}; no Sent folder to check`;
        await run(tx, doneReconciling(s.id, `${why}: a person must decide whether it went out`, now));
      }
    });
    if (found) out.sent++;
    else out.unknown++;
    ctx.log.warn(
      { stepId: s.id, messageId: s.message_id, found },
      found ? 'sequence.step.reconciled_sent' : 'sequence.step.unknown',
    );
  }
  return out;
}
