// Registers the Salesforce adapter with the core's kind registry (crm/registry.ts). crm/kinds.ts imports
// this module; nothing else imports the adapter directly.
import { registerCrmKind } from '../registry.js';
import { salesforceAuthorizeUrl, salesforceConfigured, salesforceExchangeCode, salesforceRefresh } from './oauth.js';
import { SalesforceProvider } from './provider.js';

registerCrmKind({
  kind: 'salesforce',
  oauthConfigured: salesforceConfigured,
  supportsPastedToken: false,
  authorizeUrl: salesforceAuthorizeUrl,
  exchangeCode: salesforceExchangeCode,
  refresh: salesforceRefresh,
  create: (_ctx, conn, tokens) => new SalesforceProvider(tokens, conn.instanceUrl),
});
