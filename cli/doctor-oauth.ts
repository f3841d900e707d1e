// `prospector doctor` for Google and Microsoft mailboxes: each configured provider's discovery
// document answers and the redirect URI (PUBLIC_URL + the callback path) is one the provider will
// take; each connected mailbox can get an access token (which refreshes it when due).
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { run } from '../db/index.js';
import { listConnectedOAuthMailboxes } from '../db/queries/mailbox-oauth.js';
import { isAppError } from '../errors.js';
import {
  PROVIDERS,
  PROVIDER_NAMES,
  isConfigured,
  oidcConfiguration,
  providerConfig,
  redirectUri,
} from '../mailboxes/oauth/providers.js';
import { oauthTokens } from '../mailboxes/oauth/tokens.js';
import { ConsentError, type OAuthProvider } from '../mailboxes/oauth-types.js';
import type { Check } from './doctor-checks.js';

const loopback = (url: string) => /^http:\/\/(localhost|127\.[\d.]+|\[::1\])(:\d+)?(\/|$)/.test(url);

/** The sign-in side: one check per provider that is configured (or half-configured). */
export async function checkOAuthProviders(config: Config): Promise<Check[]> {
  const out: Check[] = [];
  for (const p of PROVIDERS) {
    const c = providerConfig(config, p);
    const name = `${PROVIDER_NAMES[p]} sign-in`;
    const id = p.toUpperCase();
    if (!c.clientId && !c.clientSecret) continue;
    if (!isConfigured(config, p)) {
      out.push({
        name,
        status: 'fail',
        detail: `only one of ${id}_CLIENT_ID and ${id}_CLIENT_SECRET is set: the Connect button is hidden`,
        fix: `Set both from the app registration (see the README, "Google and Microsoft mailboxes").`,
      });
      continue;
    }
    const uri = redirectUri(config);
    try {
      await oidcConfiguration(config, p);
    } catch (e) {
      out.push({
        name,
        status: 'fail',
        detail: `discovery at ${c.issuer} failed: ${(e as Error).message}`,
        fix: `Check network access to ${new URL(c.issuer).host}${p === 'microsoft' ? ' and MICROSOFT_TENANT' : ''}.`,
      });
      continue;
    }
    if (!uri.startsWith('https://') && !loopback(uri)) {
      out.push({
        name,
        status: 'fail',
        detail: `redirect URI ${uri} is plain http on a non-loopback host: ${PROVIDER_NAMES[p]} refuses it`,
        fix: 'Serve Prospector over https and set PUBLIC_URL to the https address, then register that redirect URI.',
      });
      continue;
    }
    out.push({ name, status: 'ok', detail: `register this redirect URI at ${PROVIDER_NAMES[p]}: ${uri}` });
  }
  return out;
}

interface ConnectedRow {
  id: number;
  from_email: string;
  provider: OAuthProvider;
  consent_error: string | null;
}

/** One check per connected mailbox: can it get an access token now? */
export async function checkOAuthMailboxes(
  ctx: Pick<AppContext, 'db' | 'config' | 'secrets' | 'log'>,
): Promise<Check[]> {
  const rows = await run<ConnectedRow>(ctx.db, listConnectedOAuthMailboxes());
  const out: Check[] = [];
  for (const m of rows) {
    const name = `mailbox ${m.from_email}`;
    if (!isConfigured(ctx.config, m.provider)) {
      out.push({
        name,
        status: 'fail',
        detail: `connected with ${PROVIDER_NAMES[m.provider]}, but ${m.provider.toUpperCase()}_CLIENT_ID/SECRET are not set`,
        fix: 'Set the client id and secret of the app this mailbox was connected with.',
      });
      continue;
    }
    try {
      await oauthTokens(ctx, m.id).get();
      out.push({ name, status: 'ok', detail: `${PROVIDER_NAMES[m.provider]}: access token available` });
    } catch (e) {
      if (e instanceof ConsentError) {
        out.push({
          name,
          status: 'fail',
          detail: e.reason,
          fix: 'The mailbox owner reconnects it on the Mailboxes page.',
        });
      } else {
        out.push({
          name,
          status: 'warn',
          detail: `${PROVIDER_NAMES[m.provider]} did not answer the token refresh: ${isAppError(e) ? e.message : String(e)}`,
          fix: 'Usually temporary (rate limit or outage); run doctor again later.',
        });
      }
    }
  }
  return out;
}
