// `prospector doctor` for Google and Microsoft mailboxes: each configured provider's discovery
// document answers and the redirect URI (PUBLIC_URL + the callback path) is one the provider will
// take; each connected mailbox can get an access token (which refreshes it when due), and sends and
// reads with it: SMTP and IMAP logins with XOAUTH2, or for the API transport a read of the mailbox
// through the Gmail API / Microsoft Graph and the send scope among those granted.
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import nodemailer from 'nodemailer';
import { one, run } from '../db/index.js';
import { findMailbox, type MailboxRow } from '../db/queries/sending.js';
import { listConnectedOAuthMailboxes, oauthScope } from '../db/queries/mailbox-oauth.js';
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
import { smtpGetSocket } from '../net/mail.js';
import { imapConnect, imapOAuthOf } from '../sequencing/inbox/imap.js';
import { apiGet } from '../sequencing/oauth-api.js';
import { endpointsFor, isOAuthMailbox } from '../sequencing/oauth-endpoints.js';
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

/** One check per connected mailbox: can it get an access token now? */
export async function checkOAuthMailboxes(
  ctx: Pick<AppContext, 'db' | 'config' | 'secrets' | 'log' | 'caches'>,
): Promise<Check[]> {
  const rows = await run(ctx.db, listConnectedOAuthMailboxes());
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
      const token = await oauthTokens(ctx, m.id).get();
      out.push({ name, status: 'ok', detail: `${PROVIDER_NAMES[m.provider]}: access token available` });
      const row = await one(ctx.db, findMailbox(m.id));
      if (row && isOAuthMailbox(row)) out.push(...(await sendAndRead(ctx, row, token)));
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

const SEND_SCOPES: Record<OAuthProvider, RegExp> = {
  google: /(^|\s)https:\/\/www\.googleapis\.com\/auth\/gmail\.send(\s|$)|(^|\s)https:\/\/mail\.google\.com\/(\s|$)/,
  microsoft: /(^|\s)(https:\/\/graph\.microsoft\.com\/)?Mail\.Send(\s|$)/i,
};

/** Logs in the way the sender and the inbox reader will (nothing is sent), and says what to fix. */
async function sendAndRead(
  ctx: Pick<AppContext, 'db' | 'config' | 'secrets' | 'log' | 'caches'>,
  m: MailboxRow & { kind: OAuthProvider },
  token: string,
): Promise<Check[]> {
  const who = `${PROVIDER_NAMES[m.kind]} ${m.from_email}`;
  const policy = { allowPrivate: ctx.config.allowPrivateFetch };
  const endpoints = endpointsFor(m, ctx.config.oauth);
  const fail = (name: string, e: unknown, fix: string): Check => ({
    name,
    status: 'fail',
    detail: e instanceof ConsentError ? e.reason : (e as Error)?.message || String(e),
    fix,
  });
  if (m.oauth_transport === 'api') {
    const name = `mailbox ${m.id} ${m.kind === 'google' ? 'Gmail API' : 'Microsoft Graph'} (${m.from_email})`;
    const url =
      m.kind === 'google'
        ? new URL(`${endpoints.api}/gmail/v1/users/me/profile`)
        : new URL(
            `${endpoints.api}/v1.0/me/mailFolders/sentitems/messages` +
              `?$filter=${encodeURIComponent("internetMessageId eq '<doctor@prospector>'")}&$select=id`,
          );
    try {
      await apiGet(m.kind, oauthTokens(ctx, m.id), policy, url);
    } catch (e) {
      return [
        fail(
          name,
          e,
          `Reconnect the mailbox, or check that the ${m.kind === 'google' ? 'Gmail API' : 'Graph'} is enabled for the app.`,
        ),
      ];
    }
    const scope = (await one(ctx.db, oauthScope(m.id)))?.scope ?? '';
    return [
      SEND_SCOPES[m.kind].test(scope)
        ? { name, status: 'ok', detail: `${who}: reads the mailbox; the send permission was granted` }
        : {
            name,
            status: 'fail',
            detail: `${who}: reads the mailbox, but the send permission is not among those granted (${scope || 'none'})`,
            fix: 'Reconnect the mailbox and accept every permission on the consent page.',
          },
    ];
  }
  const smtpName = `mailbox ${m.id} SMTP XOAUTH2 (${m.from_email})`;
  const verify = async (accessToken: string) => {
    const t = nodemailer.createTransport({
      host: endpoints.smtp.host,
      port: endpoints.smtp.port,
      secure: endpoints.smtp.secure,
      auth: { type: 'OAuth2', user: m.smtp_user ?? m.from_email, accessToken },
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 20_000,
      getSocket: smtpGetSocket(policy, 20_000),
    });
    try {
      await t.verify();
    } finally {
      t.close();
    }
  };
  let smtp: Check;
  try {
    // Refused: once more with a refreshed token, as the sender does.
    await verify(token).catch(async (e: unknown) => {
      if ((e as { code?: string }).code !== 'EAUTH') throw e;
      await verify(await oauthTokens(ctx, m.id).get({ forceRefresh: true }));
    });
    smtp = {
      name: smtpName,
      status: 'ok',
      detail: `${who}: logged in to ${endpoints.smtp.host}:${endpoints.smtp.port} with the token`,
    };
  } catch (e) {
    smtp = fail(
      smtpName,
      e,
      m.kind === 'microsoft'
        ? 'SMTP AUTH may be off for this mailbox or tenant: turn it on in Exchange admin, or reconnect choosing the Graph API transport.'
        : 'Reconnect the mailbox; if it keeps failing, choose the Gmail API transport.',
    );
  }
  const imapName = `mailbox ${m.id} IMAP XOAUTH2 (${m.from_email})`;
  let imap: Check;
  try {
    const client = await imapConnect(m, ctx.secrets, policy, imapOAuthOf(ctx, m));
    await client.logout().catch(() => undefined);
    imap = {
      name: imapName,
      status: 'ok',
      detail: `${who}: logged in to ${endpoints.imap.host}:${endpoints.imap.port} with the token`,
    };
  } catch (e) {
    imap = fail(
      imapName,
      e,
      'Check that IMAP is enabled for this mailbox (Google Workspace and Exchange admins can turn it off).',
    );
  }
  return [smtp, imap];
}
