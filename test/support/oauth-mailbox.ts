// A mailbox connected with OAuth at a fake provider, without a browser: the fake grants tokens as
// if the user had consented, and the product's own saveConnection stores them.
import type { AppContext } from '../../context.js';
import { saveConnection } from '../../mailboxes/oauth/connection.js';
import type { OAuthTransport } from '../../mailboxes/oauth-types.js';
import type { FakeOAuth, FakeUser } from './fake-oauth.js';

export async function connectFakeMailbox(
  ctx: Pick<AppContext, 'db' | 'secrets'>,
  fake: FakeOAuth,
  o: {
    workspaceId: number;
    userId: number;
    user: FakeUser;
    provider?: 'google' | 'microsoft';
    transport?: OAuthTransport;
    /** Seconds the seeded access token has left (under a minute: the first get() refreshes). */
    expiresInSeconds?: number;
  },
): Promise<{ mailboxId: number; accessToken: string; refreshToken: string }> {
  const g = fake.grant(o.user);
  const { mailboxId } = await saveConnection(ctx, {
    workspaceId: o.workspaceId,
    userId: o.userId,
    provider: o.provider ?? 'google',
    transport: o.transport ?? 'smtp',
    subject: o.user.sub,
    email: o.user.email,
    name: o.user.name,
    scope: 'openid email',
    accessToken: g.accessToken,
    refreshToken: g.refreshToken,
    expiresInSeconds: o.expiresInSeconds ?? g.expiresIn,
  });
  return { mailboxId, ...g };
}
