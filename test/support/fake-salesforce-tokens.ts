// A CrmTokenSource for Salesforce tests that run the adapter without the core's token store: it holds the
// tokens in memory and refreshes through the adapter's own refresh (real jsforce against the fake org).
import type { Config } from '../../config.js';
import type { CrmTokenSource } from '../../crm/provider.js';
import { salesforceRefresh } from '../../crm/salesforce/oauth.js';

interface HeldTokens extends CrmTokenSource {
  access: string;
  refresh: string;
  refreshes: number;
}

export function heldTokens(
  config: Config,
  t: { accessToken: string; refreshToken: string; instanceUrl: string },
): HeldTokens {
  const held: HeldTokens = {
    access: t.accessToken,
    refresh: t.refreshToken,
    refreshes: 0,
    async accessToken(forceRefresh) {
      if (forceRefresh) {
        const next = await salesforceRefresh({ config }, { refreshToken: held.refresh, instanceUrl: t.instanceUrl });
        held.access = next.accessToken;
        held.refreshes++;
      }
      return held.access;
    },
    instanceUrl: () => t.instanceUrl,
  };
  return held;
}
