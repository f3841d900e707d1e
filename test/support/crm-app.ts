// One fixture for the CRM suites (test/crm/): the fake CRMs on loopback, a context pointed at them,
// a workspace, and when asked a connection, the app served on loopback and people logged in.
//
//   describeEachBackend('…', (get) => {
//     const app = useCrmApp(get, { hubspot: true, connect: 'hubspot', web: true, login: ['revops'] });
//     it('…', async () => { app.hs.create('companies', …); await syncIn(app.ctx, app.ws.id); … app.as.revops … });
//   });
//
// Everything is made in one beforeAll (the fakes first, so the context carries their URLs) and closed
// in one afterAll; register other hooks after calling it and they see it all. Fields are filled in
// beforeAll: read them inside hooks and tests, never at describe time.
import { afterAll, beforeAll } from 'vitest';
import { connectWithToken, saveConnection } from '../../crm/connection.js';
import type { Role } from '../../db/queries/users.js';
import { buildWorkspace, type TestWorkspace } from './builders.js';
import { createTestContext } from './context.js';
import type { TestDb } from './db.js';
import { startFakeHubSpot, type FakeHubSpot } from './fake-hubspot.js';
import { startFakeSalesforce, type FakeSalesforce, type FakeSalesforceOptions } from './fake-salesforce.js';
import { Browserish, listen } from './web.js';

export interface CrmAppOptions {
  /** Start a fake HubSpot (HUBSPOT_API_URL); 'oauth' adds its OAuth app (auth URL, client id and secret). */
  hubspot?: boolean | 'oauth';
  /** Start a fake Salesforce org (its login URLs and connected app), with these options. */
  salesforce?: boolean | FakeSalesforceOptions;
  /** Connect the workspace to this CRM before the tests (HubSpot: a private app token; Salesforce: OAuth tokens). */
  connect?: 'hubspot' | 'salesforce';
  /** Serve the app on loopback (`base`). */
  web?: boolean;
  /** People of the workspace logged in to the served app (`as.revops`, …); implies `web`. */
  login?: Role[];
}

export interface CrmApp {
  ctx: Awaited<ReturnType<typeof createTestContext>>;
  ws: TestWorkspace;
  /** Set when `hubspot` was asked for. */
  hs: FakeHubSpot;
  /** Set when `salesforce` was asked for. */
  sf: FakeSalesforce;
  /** The served app's base URL, when `web`. */
  base: string;
  /** The people `login` asked for, logged in to the served app (only those: the others are undefined). */
  as: Record<Role, Browserish>;
  /** Connects a workspace (default: this one) to the fake HubSpot with a private app token. */
  connectHubSpot(ws?: TestWorkspace): Promise<void>;
  /** Connects a workspace (default: this one) to the fake Salesforce org with tokens it granted. */
  connectSalesforce(ws?: TestWorkspace): Promise<void>;
}

export function useCrmApp(get: () => TestDb, opts: CrmAppOptions = {}): CrmApp {
  let web: Awaited<ReturnType<typeof listen>> | undefined;
  const app = {
    as: {},
    async connectHubSpot(ws = app.ws) {
      await connectWithToken(app.ctx, {
        workspaceId: ws.id,
        userId: ws.users.admin.id,
        kind: 'hubspot',
        token: app.hs.addPrivateToken(),
      });
    },
    async connectSalesforce(ws = app.ws) {
      const t = app.sf.grant();
      await saveConnection(app.ctx, {
        workspaceId: ws.id,
        kind: 'salesforce',
        auth: 'oauth',
        tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken, instanceUrl: t.instanceUrl },
        externalAccount: app.sf.orgId,
        userId: ws.users.admin.id,
      });
    },
  } as CrmApp;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (opts.hubspot) {
      app.hs = await startFakeHubSpot();
      env.HUBSPOT_API_URL = app.hs.url;
      if (opts.hubspot === 'oauth')
        Object.assign(env, {
          HUBSPOT_AUTH_URL: `${app.hs.url}/oauth/authorize`,
          HUBSPOT_CLIENT_ID: app.hs.clientId,
          HUBSPOT_CLIENT_SECRET: app.hs.clientSecret,
        });
    }
    if (opts.salesforce) {
      app.sf = await startFakeSalesforce(opts.salesforce === true ? {} : opts.salesforce);
      Object.assign(env, app.sf.env);
    }
    app.ctx = await createTestContext(get(), env);
    if (opts.web || opts.login?.length) {
      web = await listen(app.ctx);
      app.base = web.base;
    }
    app.ws = await buildWorkspace(app.ctx.db);
    if (opts.connect === 'hubspot') await app.connectHubSpot();
    if (opts.connect === 'salesforce') await app.connectSalesforce();
    for (const role of opts.login ?? []) {
      const b = new Browserish(app.base);
      await b.login(app.ws.users[role].email, app.ws.users[role].password);
      app.as[role] = b;
    }
  });
  afterAll(async () => {
    await web?.close();
    await app.ctx?.stop();
    await app.hs?.close();
    await app.sf?.close();
  });
  return app;
}
