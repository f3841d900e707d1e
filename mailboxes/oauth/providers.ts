// The two sign-in providers: which scopes each transport needs, how the provider says it refused,
// and the openid-client configuration (from the issuer's discovery document, fetched once per
// process and kept; a failed fetch is retried on the next call).
import * as client from 'openid-client';
import type { Config, OAuthProviderConfig } from '../../config.js';
import type { OAuthProvider, OAuthTransport } from '../oauth-types.js';

export const PROVIDERS: readonly OAuthProvider[] = ['google', 'microsoft'];

export const PROVIDER_NAMES: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft' };

/** The redirect URI to register at both providers. */
export const CALLBACK_PATH = '/mailboxes/oauth/callback';

/**
 * The least each transport needs, plus the user's address (openid email). Google's only scope
 * that allows SMTP and IMAP XOAUTH2 is the full https://mail.google.com/; the API path needs only
 * send and read-only. Microsoft: one resource per token, so SMTP/IMAP ask Exchange Online
 * (outlook.office.com) and the API path asks Graph; offline_access gives the refresh token.
 */
export const SCOPES: Record<OAuthProvider, Record<OAuthTransport, string[]>> = {
  google: {
    smtp: ['openid', 'email', 'profile', 'https://mail.google.com/'],
    api: [
      'openid',
      'email',
      'profile',
      'https://www.googleapis.com/auth/gmail.send',
      'https://www.googleapis.com/auth/gmail.readonly',
    ],
  },
  microsoft: {
    smtp: [
      'openid',
      'email',
      'profile',
      'offline_access',
      'https://outlook.office.com/SMTP.Send',
      'https://outlook.office.com/IMAP.AccessAsUser.All',
    ],
    api: ['openid', 'email', 'profile', 'offline_access', 'Mail.Send', 'Mail.Read'],
  },
};

export function providerConfig(config: Config, provider: OAuthProvider): OAuthProviderConfig {
  return config.oauth[provider];
}

export function isConfigured(config: Config, provider: OAuthProvider): boolean {
  const p = providerConfig(config, provider);
  return Boolean(p.clientId && p.clientSecret);
}

/** Origins of the configured providers' sign-in pages (the CSP lets the Connect form lead there). */
export function signInOrigins(config: Config): string[] {
  return PROVIDERS.filter((p) => isConfigured(config, p)).map((p) => new URL(providerConfig(config, p).issuer).origin);
}

export function redirectUri(config: Config): string {
  return config.publicUrl + CALLBACK_PATH;
}

/** What the mailbox shows when the provider refused the saved sign-in. */
export function consentReason(provider: OAuthProvider, why: 'refused' | 'unauthorized' | 'disconnected'): string {
  const name = PROVIDER_NAMES[provider];
  if (why === 'disconnected') return `Disconnected from ${name}: connect this mailbox again to send from it`;
  if (why === 'unauthorized') return `${name} refused the mailbox's sign-in (401): reconnect this mailbox`;
  return `${name} refused the saved sign-in: reconnect this mailbox`;
}

/** Discovery per issuer and client; the application context owns one (context.ts `caches.oidc`). */
export type OidcCache = Map<string, Promise<client.Configuration>>;

/**
 * The issuer's metadata and our client, via discovery (kept in `cache` when given; a failed
 * discovery is not kept). Plain http only for an overridden (loopback) issuer.
 */
export function oidcConfiguration(
  config: Config,
  provider: OAuthProvider,
  cache: OidcCache = new Map(),
): Promise<client.Configuration> {
  const p = providerConfig(config, provider);
  if (!p.clientId || !p.clientSecret) {
    return Promise.reject(new Error(`${PROVIDER_NAMES[provider]} sign-in is not configured`));
  }
  const key = `${p.issuer}\n${p.clientId}\n${p.clientSecret}`;
  let found = cache.get(key);
  if (!found) {
    const insecure = p.issuer.startsWith('http:');
    found = client.discovery(new URL(p.issuer), p.clientId, p.clientSecret, undefined, {
      timeout: 15,
      ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
    });
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

/** The provider's answer to a grant: refused (consent gone) or temporary (try again later). */
export function isRefusedGrant(err: unknown): boolean {
  return err instanceof client.ResponseBodyError && err.error === 'invalid_grant';
}
