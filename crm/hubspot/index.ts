// HubSpot as a CRM kind (issue 14): the OAuth app's code flow and refresh, a pasted private-app
// token, and the provider (crm/hubspot/provider.ts). Everything goes through @hubspot/api-client,
// pinned to 13.x in package.json: 14.x requires Node 22 and Prospector runs on Node 20.
import { Client } from '@hubspot/api-client';
import type { AppContext } from '../../context.js';
import { CrmError } from '../provider.js';
import { registerCrmKind, type CrmTokenSet } from '../registry.js';
import { hubspotError } from './errors.js';
import { HubSpotProvider } from './provider.js';

type Ctx = Pick<AppContext, 'config' | 'log'>;

/** CRM objects, owners, notes-free engagements (emails, meetings), lists, unsubscribe; no write on settings. */
export const HUBSPOT_SCOPES = [
  'crm.objects.companies.read',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.deals.read',
  'crm.objects.owners.read',
  'crm.lists.read',
  'sales-email-read',
  'communication_preferences.write',
];

/** A client with no retries of its own (the core decides: Retry-After, backoff) and our base URL. */
export function hubspotClient(ctx: Ctx, accessToken?: string): Client {
  return new Client({ accessToken, basePath: ctx.config.hubspot.apiUrl, numberOfApiCallRetries: 0 });
}

async function tokenCall(
  ctx: Ctx,
  form: { grantType: string; code?: string; redirectUri?: string; refreshToken?: string },
) {
  const { clientId, clientSecret } = ctx.config.hubspot;
  if (!clientId || !clientSecret)
    throw new CrmError('invalid', 'HubSpot OAuth is not configured (HUBSPOT_CLIENT_ID/SECRET)');
  try {
    const r = await hubspotClient(ctx).oauth.tokensApi.create(
      form.grantType,
      form.code,
      form.redirectUri,
      clientId,
      clientSecret,
      form.refreshToken,
    );
    const set: CrmTokenSet = {
      accessToken: r.accessToken,
      refreshToken: r.refreshToken,
      expiresInSeconds: r.expiresIn,
    };
    return set;
  } catch (err) {
    const e = hubspotError(err);
    // HubSpot answers 400 BAD_REFRESH_TOKEN / invalid_grant for a revoked or unknown grant.
    if (e.code === 'invalid' || e.code === 'unauthorized')
      throw new CrmError('unauthorized', e.message, { cause: err });
    throw e;
  }
}

registerCrmKind({
  kind: 'hubspot',
  supportsPastedToken: true,
  oauthConfigured: (ctx) => Boolean(ctx.config.hubspot.clientId && ctx.config.hubspot.clientSecret),
  authorizeUrl(ctx, p) {
    const url = new URL(ctx.config.hubspot.authUrl);
    url.searchParams.set('client_id', ctx.config.hubspot.clientId ?? '');
    url.searchParams.set('redirect_uri', p.redirectUri);
    url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
    url.searchParams.set('state', p.state);
    return url;
  },
  exchangeCode: (ctx, p) =>
    tokenCall(ctx, { grantType: 'authorization_code', code: p.code, redirectUri: p.redirectUri }),
  refresh: (ctx, p) => tokenCall(ctx, { grantType: 'refresh_token', refreshToken: p.refreshToken }),
  create: (ctx, conn, tokens) => new HubSpotProvider(ctx, tokens),
});
