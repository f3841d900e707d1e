// One fixture for the CRM suites (test/crm/): the fake CRMs on loopback, a context pointed at them,
// a workspace, and when asked a connection, the app served on loopback and people logged in; with
// builders for what the tests seed (CRM settings, researched people, emails and events on contacts).
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
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import type { Role } from '../../db/queries/users.js';
import { buildWorkspace, type TestWorkspace } from './builders.js';
import { createTestContext } from './context.js';
import type { TestDb } from './db.js';
import { startFakeHubSpot, type FakeHubSpot } from './fake-hubspot.js';
import { startFakeSalesforce, type FakeSalesforce, type FakeSalesforceOptions } from './fake-salesforce.js';
import { Browserish, listen } from './web.js';

interface CrmAppOptions {
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

interface CrmApp {
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
  /** Saves the CRM settings: no mapping, every account, these rules (default none), create_contacts (default off). */
  saveSettings(s: { rules?: object; createContacts?: boolean }): Promise<unknown>;
  /** The local id of this workspace's account with this domain, or contact with this email. */
  localId(table: 'accounts' | 'contacts', domainOrEmail: string): Promise<number>;
  /** How many rows of the outbox this workspace has for one activity ('contact', 'email', …), as `{ n }`. */
  outboxRows(activity: string): Promise<{ n: number } | undefined>;
  /** The CRM's id for a local contact, as `{ external_id }` (undefined while there is none). */
  linked(contactId: number): Promise<{ external_id: string } | undefined>;
  /** A contact research found on an account (not from the CRM): Pat `lastName`, Head of Ops; its id. */
  person(email: string, accountId: number, lastName?: string): Promise<number>;
  /** An email the rep sent to a contact ('Hello 1', 'Hello 2', … in the block's order), and its `sent` event. */
  sent(contactId: number, to: string): Promise<void>;
  /** On the contact with this email: a sent email, its reply, a booked meeting and an unsubscribe, for the outbox. */
  activity(email: string): Promise<void>;
}

export function useCrmApp(get: () => TestDb, opts: CrmAppOptions = {}): CrmApp {
  let web: Awaited<ReturnType<typeof listen>> | undefined;
  let sentCount = 0;
  /** A row of messages between the rep and a contact; its id. */
  const message = async (
    contactId: number,
    direction: 'in' | 'out',
    to: string,
    subject: string,
    messageId = `<${subject.replace(/\W/g, '')}@x.test>`,
    body = 'Hello there',
  ) =>
    (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
             VALUES ($1, $2, $3, $4, 'rep@x.test', $5, $6, $7) RETURNING id::int AS id`,
      values: [app.ws.id, contactId, direction, messageId, to, subject, body],
    }))!.id;
  const event = (contactId: number, type: string, messageRef: number | null, data = {}) =>
    app.ctx.db.query(
      `INSERT INTO events (workspace_id, type, contact_id, message_ref, data) VALUES ($1, $2, $3, $4, $5)`,
      [app.ws.id, type, contactId, messageRef, JSON.stringify(data)],
    );
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
    saveSettings: ({ rules = {}, createContacts = false }) =>
      run(
        app.ctx.db,
        saveCrmSettings({ workspaceId: app.ws.id, mapping: {}, targetFilter: { type: 'all' }, rules, createContacts }),
      ),
    async localId(table, domainOrEmail) {
      return (await one<{ id: number }>(app.ctx.db, {
        text: `SELECT id::int AS id FROM ${table} WHERE workspace_id = $1 AND ${table === 'accounts' ? 'domain' : 'email'} = $2`,
        values: [app.ws.id, domainOrEmail],
      }))!.id;
    },
    outboxRows: (activity) =>
      one<{ n: number }>(app.ctx.db, {
        text: `SELECT count(*)::int AS n FROM crm_outbox WHERE workspace_id = $1 AND activity = $2`,
        values: [app.ws.id, activity],
      }),
    linked: (contactId) =>
      one<{ external_id: string }>(app.ctx.db, {
        text: `SELECT external_id FROM crm_external_ids WHERE workspace_id = $1 AND object = 'contact' AND local_id = $2`,
        values: [app.ws.id, contactId],
      }),
    async person(email, accountId, lastName = 'Quinn') {
      return (await one<{ id: number }>(app.ctx.db, {
        text: `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title)
               VALUES ($1, $2, 'Pat', $3, $4, 'Head of Ops') RETURNING id::int AS id`,
        values: [app.ws.id, accountId, lastName, email],
      }))!.id;
    },
    async sent(contactId, to) {
      const n = ++sentCount;
      const id = await message(contactId, 'out', to, `Hello ${n}`, `<m${n}-${contactId}@x.test>`, 'Hi');
      await event(contactId, 'sent', id);
    },
    async activity(email) {
      const contactId = await app.localId('contacts', email);
      await event(contactId, 'sent', await message(contactId, 'out', email, 'Congrats on the round'));
      await event(contactId, 'reply', await message(contactId, 'in', email, 'Re: Congrats on the round'));
      await event(contactId, 'meeting_booked', null, { source: 'calendly' });
      await event(contactId, 'unsubscribe', null, { source: 'link' });
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
