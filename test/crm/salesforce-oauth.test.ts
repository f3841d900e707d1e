// Connecting Salesforce: the web server flow with PKCE on the production and sandbox login hosts, the
// refresh jsforce asks for when the org ends a session, and a revoked app ending the sync with a clear
// error. The real jsforce client against the fake org on loopback (test/support/fake-salesforce.ts).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmError, isCrmError } from '../../crm/provider.js';
import { salesforceAuthorizeUrl, salesforceExchangeCode } from '../../crm/salesforce/oauth.js';
import { SalesforceProvider } from '../../crm/salesforce/provider.js';
import { testConfig } from '../support/context.js';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-salesforce.js';
import { heldTokens } from '../support/fake-salesforce-tokens.js';

const REDIRECT = 'http://127.0.0.1:3999/settings/crm/callback';

function pkce() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Follows the authorize URL as a browser would; the fake consents at once and redirects back. */
async function consent(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('Salesforce OAuth (PKCE) against the fake org', () => {
  let sf: FakeSalesforce;
  let config: ReturnType<typeof testConfig>;
  beforeAll(async () => {
    sf = await startFakeSalesforce();
    config = testConfig({ url: undefined }, sf.env);
  });
  afterAll(() => sf.close());

  it.each([
    ['production', false],
    ['sandbox', true],
  ] as const)(
    'connects on the %s login host with the code verifier and keeps the instance URL',
    async (host, sandbox) => {
      const { verifier, challenge } = pkce();
      const url = salesforceAuthorizeUrl(
        { config },
        { state: 'st-1', codeChallenge: challenge, redirectUri: REDIRECT, sandbox },
      );
      expect(url.pathname).toBe(sandbox ? '/sandbox/services/oauth2/authorize' : '/services/oauth2/authorize');
      expect(url.searchParams.get('code_challenge')).toBe(challenge);
      expect(url.searchParams.get('scope')).toBe('api refresh_token');
      const back = await consent(url);
      expect(back.searchParams.get('state')).toBe('st-1');
      const before = sf.tokenHosts.length;
      const tokens = await salesforceExchangeCode(
        { config },
        { code: back.searchParams.get('code')!, codeVerifier: verifier, redirectUri: REDIRECT, sandbox },
      );
      expect(sf.tokenHosts.slice(before)).toEqual([host]);
      expect(tokens.instanceUrl).toBe(sf.url);
      expect(tokens.refreshToken).toBeTruthy();
      const who = await new SalesforceProvider(
        heldTokens(config, { ...tokens, refreshToken: tokens.refreshToken!, instanceUrl: tokens.instanceUrl! }),
        null,
      ).whoAmI();
      expect(who.account).toBe(sf.orgId);
    },
  );

  it('refuses a code exchanged with the wrong verifier (PKCE is checked)', async () => {
    const { challenge } = pkce();
    const back = await consent(
      salesforceAuthorizeUrl({ config }, { state: 's', codeChallenge: challenge, redirectUri: REDIRECT }),
    );
    const err = await salesforceExchangeCode(
      { config },
      { code: back.searchParams.get('code')!, codeVerifier: pkce().verifier, redirectUri: REDIRECT },
    ).catch((e: unknown) => e);
    expect(isCrmError(err, 'unauthorized')).toBe(true);
    expect(String((err as CrmError).message)).toMatch(/connect again/);
  });

  it('refreshes once when the org ends the session, then goes on with the new token', async () => {
    const tokens = heldTokens(config, sf.grant());
    const provider = new SalesforceProvider(tokens, null);
    sf.insert('User', { Email: 'Rita@Acme.test', Name: 'Rita Rep' });
    expect((await provider.getOwners()).map((o) => o.email)).toContain('rita@acme.test');
    const refreshesBefore = sf.counts.refresh;
    const first = tokens.access;
    sf.expire(first);
    expect((await provider.getOwners()).map((o) => o.email)).toContain('rita@acme.test');
    expect(sf.counts.refresh - refreshesBefore).toBe(1);
    expect(tokens.access).not.toBe(first);
  });

  it('a revoked app stops with unauthorized (in words, no token in the message) and works again once reconnected', async () => {
    const tokens = heldTokens(config, sf.grant());
    const provider = new SalesforceProvider(tokens, null);
    await provider.getOwners();
    sf.revokeAll();
    const err = await provider.getOwners().catch((e: unknown) => e);
    expect(isCrmError(err, 'unauthorized')).toBe(true);
    expect((err as CrmError).message).toMatch(/revoked|connect again/);
    expect((err as CrmError).message).not.toContain(tokens.access);
    expect((err as CrmError).message).not.toContain(tokens.refresh);
    const again = new SalesforceProvider(heldTokens(config, sf.grant()), null);
    expect((await again.getOwners()).length).toBeGreaterThan(0);
  });
});
