// A rep's own answer to a reply, written in the app: threaded under the prospect's message
// (In-Reply-To, References, "Re:" subject), From the mailbox the thread lives in, handed to that
// mailbox's transport (SMTP pool, the provider's API, the local outbox) like any step, and stored
// as an outbound message on the sequence. It is not a step: no claim, no window, no gap, no cap,
// no gates, and nothing about the sequence changes. What the transport refused is an error the
// rep sees with their text kept; nothing is recorded as sent.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import { findAnswerTarget, insertAnswer, type AnswerTarget } from '../db/queries/answer.js';
import { insertAudit } from '../db/queries/audit.js';
import { findMailbox, type MailboxRow } from '../db/queries/sending.js';
import { findSenderProfile, type SenderProfile } from '../db/queries/user-profile.js';
import { AppError } from '../errors.js';
import { replySubject, type BuiltMessage } from './message.js';
import { compileMessage } from './transport.js';

type AnswerCtx = Pick<AppContext, 'db' | 'config' | 'log' | 'secrets' | 'transports'>;

/** The bare address in `Name <a@b>` or `a@b`. */
export function addressOf(s: string): string {
  return (/<([^<>\s]+@[^<>\s]+)>/.exec(s)?.[1] ?? s).trim();
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase() || 'localhost';

/** The reply's thread: every Message-ID it refers to, then its own. */
function threadOf(t: Pick<AnswerTarget, 'message_id' | 'references'>): {
  inReplyTo: string | null;
  references: string[];
} {
  const refs = [...(t.references ?? [])];
  if (t.message_id && !refs.includes(t.message_id)) refs.push(t.message_id);
  return { inReplyTo: t.message_id, references: refs };
}

/** The quoted reply under the answer, as mail clients write it. */
function quoted(t: Pick<AnswerTarget, 'visible_text' | 'text_body' | 'from_addr' | 'at'>): string {
  const text = (t.visible_text ?? t.text_body).replace(/\s+$/, '');
  return `On ${t.at.toUTCString()}, ${t.from_addr} wrote:\n${text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n')}`;
}

function answerText(body: string, signature: string | null | undefined, quote: string): string {
  return [body.replace(/\s+$/, ''), signature?.trim() ? `--\n${signature.trim()}` : '', quote]
    .filter(Boolean)
    .join('\n\n')
    .concat('\n');
}

/** The name and signature this user writes with: their own, else the mailbox's name and the workspace's signature. */
export function senderOf(p: SenderProfile | undefined, mailbox: Pick<MailboxRow, 'from_name'>) {
  return {
    name: p?.sender_name?.trim() || mailbox.from_name,
    signature: p?.signature?.trim() || p?.workspace_signature?.trim() || '',
  };
}

export async function loadAnswerTarget(ctx: Pick<AppContext, 'db'>, workspaceId: number, messageId: number) {
  const t = await one(ctx.db, findAnswerTarget(workspaceId, messageId));
  if (!t) throw new AppError('NOT_FOUND', 'No such reply.');
  return t;
}

export async function answerMailbox(ctx: Pick<AppContext, 'db'>, t: AnswerTarget): Promise<MailboxRow> {
  const m = t.mailbox_id ? await one(ctx.db, findMailbox(t.mailbox_id)) : undefined;
  if (!m || m.workspace_id !== t.workspace_id)
    throw new AppError(
      'STATE',
      'This reply came to no mailbox of this workspace, so it cannot be answered from here; use "Open in my mail app".',
    );
  return m;
}

interface AnswerInput {
  workspaceId: number;
  userId: number;
  /** The inbound message answered. */
  messageId: number;
  body: string;
  ip?: string;
  now?: () => Date;
}

export async function sendAnswer(
  ctx: AnswerCtx,
  t: AnswerTarget,
  input: AnswerInput,
): Promise<{ id: number; messageId: string }> {
  const body = input.body.replace(/\r\n/g, '\n');
  if (!body.trim()) throw new AppError('VALIDATION', 'Write something to send.');
  if (body.length > 20_000) throw new AppError('VALIDATION', 'The answer is longer than 20,000 characters.');
  const mailbox = await answerMailbox(ctx, t);
  const profile = await one(ctx.db, findSenderProfile(input.userId));
  const sender = senderOf(profile, mailbox);
  const thread = threadOf(t);
  const to = addressOf(t.from_addr);
  const text = answerText(body, sender.signature, quoted(t));
  const msg: BuiltMessage = {
    messageId: `<prospector.answer.${randomUUID()}@${domainOf(mailbox.from_email)}>`,
    from: { name: sender.name, address: mailbox.from_email },
    to: { name: t.contact_name ?? '', address: to },
    subject: replySubject(t.subject || '(no subject)'),
    text,
    html: '',
    ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo, references: thread.references } : {}),
    headers: {},
    links: [],
  };
  const raw = await compileMessage(msg);
  const log = ctx.log.child({ inboundId: t.id, mailboxId: mailbox.id, sequenceId: t.sequence_id });
  const release = await ctx.transports.slot();
  let outcome;
  try {
    outcome = await ctx.transports.for(mailbox).send(raw, { from: mailbox.from_email, to }, { stage: () => {} });
  } catch (err) {
    const e = err as { message?: string; responseCode?: number };
    log.warn({ err, responseCode: e.responseCode }, 'reply.answer.failed');
    throw new AppError(
      'MAIL_UNREACHABLE',
      `The answer was not sent: ${mailbox.from_email} answered "${e.message ?? String(err)}". Your text is kept below.`,
      { cause: err },
    );
  } finally {
    release();
  }
  const at = (input.now ?? (() => new Date()))();
  const id = await ctx.db.transaction(async (tx) => {
    const row = await one(
      tx,
      insertAnswer({
        workspaceId: input.workspaceId,
        mailboxId: mailbox.id,
        sequenceId: t.sequence_id,
        contactId: t.contact_id,
        messageId: msg.messageId,
        inReplyTo: thread.inReplyTo,
        references: thread.references,
        from: mailbox.from_email,
        to,
        subject: msg.subject,
        text,
        raw,
        outboxPath: outcome.outboxPath,
        sentBy: input.userId,
        at,
      }),
    );
    await run(
      tx,
      insertAudit({
        workspaceId: input.workspaceId,
        userId: input.userId,
        action: 'reply.answered',
        entityType: 'message',
        entityId: t.id,
        data: { answerId: row!.id, mailboxId: mailbox.id, sequenceId: t.sequence_id },
        ip: input.ip,
      }),
    );
    return row!.id;
  });
  log.info({ answerId: id, response: outcome.response }, 'reply.answer.sent');
  return { id, messageId: msg.messageId };
}

/** RFC 6068: the rep's own mail client, with the thread kept (In-Reply-To, References, "Re:" subject). */
export function mailtoHref(t: AnswerTarget, signature: string): string {
  const thread = threadOf(t);
  const params: [string, string][] = [['subject', replySubject(t.subject || '(no subject)')]];
  if (thread.inReplyTo) params.push(['In-Reply-To', thread.inReplyTo], ['References', thread.references.join(' ')]);
  // A URL has room for a short quote only; the client shows the thread anyway.
  const quote = quoted({ ...t, visible_text: (t.visible_text ?? t.text_body).slice(0, 1500) });
  params.push(['body', `\n\n${answerText('', signature, quote)}`]);
  const to = encodeURIComponent(addressOf(t.from_addr)).replace(/%40/g, '@');
  return `${to}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}
