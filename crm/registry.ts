// Which code serves which CRM kind. The core looks a kind up here and never imports an adapter
// directly, so the Salesforce adapter plugs in by adding itself to KINDS (one line, below).
import type { AppContext } from '../context.js';
import type { CrmKind, CrmProvider, CrmTokenSource } from './provider.js';

type Ctx = Pick<AppContext, 'config' | 'log'>;

/** What the token endpoint answered (code exchange or refresh). */
export interface CrmTokenSet {
  accessToken: string;
  /** Absent when the CRM keeps the old refresh token (HubSpot returns one each time; Salesforce does not). */
  refreshToken?: string;
  /** Seconds; absent when the CRM does not say (Salesforce: the session policy decides). */
  expiresInSeconds?: number;
  /** Salesforce's instance_url; HubSpot: none. */
  instanceUrl?: string;
}

export interface CrmConnectionInfo {
  workspaceId: number;
  kind: CrmKind;
  auth: 'oauth' | 'private_app';
  instanceUrl: string | null;
}

export interface CrmKindModule {
  kind: CrmKind;
  /** Whether the OAuth app's client id/secret are configured (the Connect button shows only then). */
  oauthConfigured(ctx: Ctx): boolean;
  /** Private-app/API tokens pasted by an admin (HubSpot private app); false when the CRM has none. */
  supportsPastedToken: boolean;
  /** The CRM's authorization URL for the code flow (PKCE S256 when the CRM supports it). */
  authorizeUrl(ctx: Ctx, p: { state: string; codeChallenge: string; redirectUri: string; sandbox?: boolean }): URL;
  exchangeCode(
    ctx: Ctx,
    p: { code: string; codeVerifier: string; redirectUri: string; sandbox?: boolean },
  ): Promise<CrmTokenSet>;
  /** Throws CrmError('unauthorized') when the CRM refuses the refresh token (revoked). */
  refresh(ctx: Ctx, p: { refreshToken: string; instanceUrl: string | null }): Promise<CrmTokenSet>;
  create(ctx: Ctx, conn: CrmConnectionInfo, tokens: CrmTokenSource): CrmProvider;
}

const KINDS = new Map<CrmKind, CrmKindModule>();

/** Adapters register themselves (crm/hubspot/index.ts; crm/salesforce/… does the same). */
export function registerCrmKind(mod: CrmKindModule): void {
  KINDS.set(mod.kind, mod);
}

export function crmKind(kind: CrmKind): CrmKindModule | undefined {
  return KINDS.get(kind);
}
