// IMAP per mailbox (imapflow): read INBOX incrementally by UID, starting over when UIDVALIDITY
// changes (the Message-ID unique index keeps a re-read from acting twice), and look a sent
// Message-ID up in the Sent folder for the reconciler.
import type { ImapFlow } from 'imapflow';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { apiCursor, saveImapError, saveImapState } from '../../db/queries/inbox.js';
import { findMailbox, type MailboxRow } from '../../db/queries/sending.js';
import { AppError } from '../../errors.js';
import { oauthTokens } from '../../mailboxes/oauth/tokens.js';
import { ConsentError, type AccessTokenSource } from '../../mailboxes/oauth-types.js';
import type { AddressPolicy } from '../../net/address.js';
import { mailConnectError, pinMailHost } from '../../net/mail.js';
import type { SecretBox } from '../../secret-box.js';
import { endpointsFor, isOAuthMailbox, type OAuthMailEndpoints } from '../oauth-endpoints.js';
import { syncViaApi } from './api-read.js';
import { processInbound, type IntentClassifier } from './process.js';

/** How an OAuth mailbox logs into IMAP: XOAUTH2 with a token from its store, at the configured host. */
export interface ImapOAuth {
  tokens: AccessTokenSource;
  endpoints: OAuthMailEndpoints;
}

/** The token store and endpoints of a Google / Microsoft mailbox; nothing for a password one. */
export function imapOAuthOf(
  ctx: Pick<AppContext, 'db' | 'log' | 'config' | 'secrets' | 'caches'>,
  m: MailboxRow,
): ImapOAuth | undefined {
  if (!isOAuthMailbox(m)) return undefined;
  return { tokens: oauthTokens(ctx, m.id), endpoints: endpointsFor(m, ctx.config.oauth) };
}

/**
 * A connected client, through the address guard; a failure to connect reads the same whatever the
 * cause. An OAuth mailbox logs in with an access token; refused, once more with a refreshed one.
 */
export async function imapConnect(
  m: MailboxRow,
  secrets: Pick<SecretBox, 'open'>,
  policy: AddressPolicy,
  oauth?: ImapOAuth,
): Promise<ImapFlow> {
  const server = oauth
    ? oauth.endpoints.imap
    : m.imap_host
      ? { host: m.imap_host, port: m.imap_port ?? (m.imap_secure ? 993 : 143), secure: m.imap_secure }
      : undefined;
  if (!server) throw new AppError('VALIDATION', `mailbox ${m.id} has no IMAP server`);
  const { host, port } = server;
  const user = m.imap_user ?? m.from_email;
  const login = async (forceRefresh: boolean) => {
    const auth = oauth
      ? { user, accessToken: await oauth.tokens.get({ forceRefresh }) }
      : { user, pass: m.imap_pass_enc ? secrets.open(m.imap_pass_enc) : '' };
    const client = await imapClient(auth, server.secure, await pinMailHost('imap', host, port, policy), port);
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  try {
    return await login(false).catch((err: unknown) => {
      if (oauth && (err as { authenticationFailed?: boolean }).authenticationFailed) return login(true);
      throw err;
    });
  } catch (err) {
    if (err instanceof ConsentError) throw err;
    throw mailConnectError('imap', host, port, err);
  }
}

async function imapClient(
  auth: { user: string; pass: string } | { user: string; accessToken: string },
  secure: boolean,
  pinned: { host: string; servername?: string },
  port: number,
): Promise<ImapFlow> {
  // imapflow (~30 MB of modules) loads with the first mailbox read, not when the process starts.
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    ...pinned,
    port,
    secure,
    auth,
    logger: false,
    connectionTimeout: 20_000,
    disableAutoIdle: true,
  });
}

interface SyncResult {
  fetched: number;
  stored: number;
  uidValidity: number;
  lastUid: number;
  reset: boolean;
  idled: boolean;
}

const BATCH = 50;
const IDLE_SLICE_MS = 25_000;

interface SyncOptions {
  now?: () => Date;
  intentOf?: IntentClassifier;
  /**
   * After catching up, stay in IMAP IDLE this long (when the server has it) and read each new
   * message as it arrives; the dispatcher starts the next sync when this one ends.
   */
  idleSeconds?: number;
  signal?: AbortSignal;
}

export async function syncMailbox(
  ctx: Pick<AppContext, 'db' | 'log' | 'config' | 'secrets' | 'caches' | 'llm'>,
  mailboxId: number,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const mailbox = await one(ctx.db, findMailbox(mailboxId));
  if (!mailbox) throw new AppError('NOT_FOUND', `mailbox ${mailboxId} not found`);
  const clock = opts.now ?? (() => new Date());
  const oauth = imapOAuthOf(ctx, mailbox);
  if (oauth && isOAuthMailbox(mailbox) && mailbox.oauth_transport === 'api') {
    try {
      const cursor = (await one(ctx.db, apiCursor(mailboxId)))?.api_cursor ?? null;
      const r = await syncViaApi(ctx, mailbox, oauth, cursor, { now: clock, intentOf: opts.intentOf });
      return { ...r, uidValidity: 0, lastUid: 0, reset: false, idled: false };
    } catch (err) {
      await run(ctx.db, saveImapError(mailboxId, (err as Error).message.slice(0, 500), clock()));
      throw err;
    }
  }
  let client: ImapFlow | undefined;
  try {
    const policy = { allowPrivate: ctx.config.allowPrivateFetch };
    const c = (client = await imapConnect(mailbox, ctx.secrets, policy, oauth));
    const box = await c.mailboxOpen('INBOX', { readOnly: true });
    const uidValidity = Number(box.uidValidity);
    const reset = mailbox.imap_uidvalidity !== null && Number(mailbox.imap_uidvalidity) !== uidValidity;
    let lastUid = reset ? 0 : Number(mailbox.imap_last_uid ?? 0);
    let fetched = 0,
      stored = 0;

    // Incremental by UID: everything above the last UID read under this UIDVALIDITY.
    const readNew = async () => {
      const pending: { uid: number; source: Buffer }[] = [];
      for await (const msg of c.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
        if (msg.uid > lastUid && msg.source) pending.push({ uid: msg.uid, source: msg.source });
      }
      pending.sort((a, b) => a.uid - b.uid);
      for (const [i, p] of pending.entries()) {
        fetched++;
        const r = await processInbound(ctx, {
          workspaceId: mailbox.workspace_id,
          mailboxId,
          raw: p.source,
          imapUid: p.uid,
          now: clock(),
          intentOf: opts.intentOf,
        });
        if (r.status === 'stored') stored++;
        lastUid = p.uid;
        if ((i + 1) % BATCH === 0) await run(ctx.db, saveImapState(mailboxId, uidValidity, lastUid, clock()));
      }
      await run(ctx.db, saveImapState(mailboxId, uidValidity, lastUid, clock()));
    };

    if (box.exists > 0) await readNew();
    else await run(ctx.db, saveImapState(mailboxId, uidValidity, lastUid, clock()));

    const idled = !!opts.idleSeconds && c.capabilities.has('IDLE');
    if (idled) {
      const until = Date.now() + opts.idleSeconds! * 1000;
      let arrived = false;
      // Any command ends IDLE; a NOOP is the cheapest way to wake up on new mail or on time.
      const wake = () => void c.noop().catch(() => undefined);
      c.on('exists', () => {
        arrived = true;
        wake();
      });
      opts.signal?.addEventListener('abort', wake, { once: true });
      while (Date.now() < until && !opts.signal?.aborted && c.usable) {
        const timer = setTimeout(wake, Math.min(IDLE_SLICE_MS, Math.max(0, until - Date.now())));
        await c.idle();
        clearTimeout(timer);
        if (arrived) {
          arrived = false;
          await readNew();
        }
      }
    }
    ctx.log.info({ mailboxId, fetched, stored, lastUid, reset, idled }, 'inbox.synced');
    return { fetched, stored, uidValidity, lastUid, reset, idled };
  } catch (err) {
    await run(ctx.db, saveImapError(mailboxId, (err as Error).message.slice(0, 500), clock()));
    throw err;
  } finally {
    await client?.logout().catch(() => client?.close());
  }
}

const SENT_NAMES = [
  'Sent',
  'Sent Items',
  'Sent Messages',
  'Sent Mail',
  '[Gmail]/Sent Mail',
  'INBOX.Sent',
  'Gesendet',
  'Envoyés',
];

/** Whether a message with this Message-ID is in the mailbox's Sent folder. */
export async function foundInSent(
  mailbox: MailboxRow,
  secrets: Pick<SecretBox, 'open'>,
  policy: AddressPolicy,
  messageId: string,
  oauth?: ImapOAuth,
): Promise<boolean> {
  const client = await imapConnect(mailbox, secrets, policy, oauth);
  try {
    const folders = await client.list();
    const sent =
      mailbox.imap_sent_folder ??
      folders.find((f) => f.specialUse === '\\Sent')?.path ??
      folders.find((f) => SENT_NAMES.some((n) => n.toLowerCase() === f.path.toLowerCase()))?.path;
    if (!sent) throw new AppError('NOT_FOUND', `mailbox ${mailbox.id} has no Sent folder`);
    await client.mailboxOpen(sent, { readOnly: true });
    const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(uids) && uids.length > 0;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
