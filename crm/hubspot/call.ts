// How the HubSpot provider calls HubSpot: through @hubspot/api-client with the connection's token,
// refreshed once on a 401 before it counts as revoked, and abandoned when HubSpot stays silent.
import type { Client } from '@hubspot/api-client';
import type { AppContext } from '../../context.js';
import type { CrmTokenSource } from '../provider.js';
import { CrmError, isCrmError } from '../provider.js';
import { hubspotError } from './errors.js';
import { hubspotClient } from './index.js';

export type HubSpotCall = <T>(fn: (c: Client) => Promise<T>) => Promise<T>;

export interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  updatedAt?: Date;
  archived?: boolean;
  associations?: Record<string, { results: { id: string; type?: string }[] }>;
  objectWriteTraceId?: string;
}
export interface HsPage {
  results: HsObject[];
  paging?: { next?: { after: string } };
}

/** Runs `fn` with a client for a good token; a 401 gets one retry with a refreshed token. */
export function hubspotCaller(ctx: Pick<AppContext, 'config' | 'log'>, tokens: CrmTokenSource): HubSpotCall {
  let client: { token: string; client: Client } | undefined;
  return async (fn) => {
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.accessToken(attempt > 0);
      if (client?.token !== token) client = { token, client: hubspotClient(ctx, token) };
      try {
        return await timed(ctx.config.hubspot.timeoutMs, fn(client.client));
      } catch (err) {
        const e = hubspotError(err);
        if (isCrmError(e, 'unauthorized') && attempt === 0) continue;
        throw e;
      }
    }
  };
}

/**
 * The call, or a failure with its outcome unknown when HubSpot is silent for HUBSPOT_TIMEOUT_MS
 * (a write may have been committed: crm/outbound.ts looks it up before doing it again). The client
 * has no timeout of its own, and @hubspot/api-client 13 leaves its `httpAgent` option unused on the
 * CRM APIs, so the call is abandoned here; its connection ends when HubSpot answers or drops it.
 */
function timed<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CrmError('unavailable', `no answer from HubSpot within ${ms} ms`)), ms);
  });
  p.catch(() => {}); // an abandoned call's late failure is nobody's to handle
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
