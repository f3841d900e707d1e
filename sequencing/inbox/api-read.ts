// Reading an OAuth mailbox's inbox through the provider's API (oauth_transport = 'api'): Gmail's
// history since the saved historyId (the first read lists the inbox and notes the current one),
// Microsoft Graph's delta query on the inbox (the saved deltaLink). Each new message is fetched
// as raw MIME (Gmail format=raw; Graph $value) and handed to the same inbound processing as IMAP;
// the Message-ID unique index keeps a re-read from acting twice. The cursor is mailbox_oauth.api_cursor.
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { saveApiCursor } from '../../db/queries/inbox.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import type { OAuthProvider } from '../../mailboxes/oauth-types.js';
import { apiGet } from '../oauth-api.js';
import type { ImapOAuth } from './imap.js';
import { processInbound, type IntentClassifier } from './process.js';

type Ctx = Pick<AppContext, 'db' | 'log' | 'config' | 'llm'>;

/** New message ids since `cursor`, and the cursor to save after reading them. */
async function gmailNew(get: (u: URL) => Promise<string>, api: string, cursor: string | null) {
  const base = `${api}/gmail/v1/users/me`;
  if (!cursor) {
    const { historyId } = JSON.parse(await get(new URL(`${base}/profile`))) as { historyId: string };
    const u = new URL(`${base}/messages`);
    u.searchParams.set('labelIds', 'INBOX');
    u.searchParams.set('maxResults', '100');
    const j = JSON.parse(await get(u)) as { messages?: { id: string }[] };
    return { ids: (j.messages ?? []).map((m) => m.id).reverse(), next: historyId };
  }
  const ids: string[] = [];
  let next = cursor;
  let page: string | undefined;
  do {
    const u = new URL(`${base}/history`);
    u.searchParams.set('startHistoryId', cursor);
    u.searchParams.set('historyTypes', 'messageAdded');
    u.searchParams.set('labelId', 'INBOX');
    if (page) u.searchParams.set('pageToken', page);
    const j = JSON.parse(await get(u)) as {
      history?: { messagesAdded?: { message: { id: string } }[] }[];
      historyId: string;
      nextPageToken?: string;
    };
    for (const h of j.history ?? []) for (const a of h.messagesAdded ?? []) ids.push(a.message.id);
    next = j.historyId;
    page = j.nextPageToken;
  } while (page);
  return { ids, next };
}

async function graphNew(get: (u: URL) => Promise<string>, api: string, cursor: string | null) {
  const ids: string[] = [];
  let url = new URL(cursor ?? `${api}/v1.0/me/mailFolders/inbox/messages/delta?$select=id`);
  for (;;) {
    const j = JSON.parse(await get(url)) as {
      value?: { id: string; '@removed'?: unknown }[];
      '@odata.nextLink'?: string;
      '@odata.deltaLink'?: string;
    };
    for (const m of j.value ?? []) if (!m['@removed']) ids.push(m.id);
    if (j['@odata.nextLink']) url = new URL(j['@odata.nextLink']);
    else return { ids, next: j['@odata.deltaLink'] ?? cursor ?? '' };
  }
}

export async function syncViaApi(
  ctx: Ctx,
  mailbox: MailboxRow & { kind: OAuthProvider },
  oauth: ImapOAuth,
  cursor: string | null,
  opts: { now: () => Date; intentOf?: IntentClassifier },
): Promise<{ fetched: number; stored: number }> {
  const policy = { allowPrivate: ctx.config.allowPrivateFetch };
  const get = (u: URL) => apiGet(mailbox.kind, oauth.tokens, policy, u);
  const api = oauth.endpoints.api;
  const google = mailbox.kind === 'google';
  const { ids, next } = google ? await gmailNew(get, api, cursor) : await graphNew(get, api, cursor);
  let stored = 0;
  for (const id of ids) {
    const raw = google
      ? Buffer.from(
          (
            JSON.parse(
              await get(new URL(`${api}/gmail/v1/users/me/messages/${encodeURIComponent(id)}?format=raw`)),
            ) as {
              raw: string;
            }
          ).raw,
          'base64url',
        )
      : Buffer.from(await get(new URL(`${api}/v1.0/me/messages/${encodeURIComponent(id)}/$value`)), 'utf8');
    const r = await processInbound(ctx, {
      workspaceId: mailbox.workspace_id,
      mailboxId: mailbox.id,
      raw,
      now: opts.now(),
      intentOf: opts.intentOf,
    });
    if (r.status === 'stored') stored++;
  }
  await run(ctx.db, saveApiCursor(mailbox.id, next, opts.now()));
  ctx.log.info({ mailboxId: mailbox.id, fetched: ids.length, stored }, 'inbox.synced_api');
  return { fetched: ids.length, stored };
}
