// For the OAuth transport tests: config env pointing both providers' sign-in at one fake
// authorization server, and an approved sequence on a freshly connected mailbox of its own workspace.
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import type { OAuthTransport } from '../../mailboxes/oauth-types.js';
import { approveSequence } from '../../sequencing/approve.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';
import { buildWorkspace } from './builders.js';
import type { FakeOAuth } from './fake-oauth.js';
import { connectFakeMailbox } from './oauth-mailbox.js';

/** Google's and Microsoft's sign-in both at `fake` (the provider only names the mailbox kind here). */
export function bothProvidersEnv(fake: FakeOAuth): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: fake.clientId,
    GOOGLE_CLIENT_SECRET: fake.clientSecret,
    GOOGLE_OAUTH_ISSUER: fake.issuer,
    MICROSOFT_CLIENT_ID: fake.clientId,
    MICROSOFT_CLIENT_SECRET: fake.clientSecret,
    MICROSOFT_OAUTH_ISSUER: fake.issuer,
  };
}

let n = 0;

/** A new workspace whose rep connected a `provider` mailbox, with an approved sequence bound to it. */
export async function connectedSequence(
  ctx: Pick<AppContext, 'db' | 'secrets' | 'config' | 'log'>,
  fake: FakeOAuth,
  o: { provider: 'google' | 'microsoft'; transport?: OAuthTransport; tag: string; now: Date; noGap?: boolean },
) {
  const ws = await buildWorkspace(ctx.db);
  n++;
  const user = { sub: `${o.tag}-${o.provider}-${n}`, email: `rep${n}-${o.tag}@${o.provider}.test`, name: 'Riley Rep' };
  const m = await connectFakeMailbox(ctx, fake, {
    workspaceId: ws.id,
    userId: ws.users.rep.id,
    user,
    provider: o.provider,
    transport: o.transport,
  });
  const b = await buildSequence(ctx.db, {
    workspaceId: ws.id,
    ownerId: ws.users.rep.id,
    mailbox: null,
    window: ALWAYS,
    fallback: null,
  });
  await ctx.db.query(`UPDATE sequences SET mailbox_id = $2 WHERE id = $1`, [b.sequenceId, m.mailboxId]);
  if (o.noGap)
    await ctx.db.query(`UPDATE mailboxes SET min_gap_seconds = 0, max_gap_seconds = 0 WHERE id = $1`, [m.mailboxId]);
  await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: o.now, random: () => 0 });
  const contact = (await one<{ email: string }>(ctx.db, {
    text: 'SELECT email FROM contacts WHERE id = $1',
    values: [b.contactId],
  }))!.email;
  return { ...b, ...m, ws, user, contact };
}
