// A fake Salesforce org on loopback, for the real jsforce client (crm/salesforce/). One server plays both
// the login host (production at `/`, sandbox under `/sandbox`) and the org's instance (instance_url).
//
//   const sf = await startFakeSalesforce();
//   const ctx = await createTestContext(t, sf.env);     // SALESFORCE_LOGIN_URL, …_CLIENT_ID/SECRET
//   const acct = sf.insert('Account', { Name: 'Acme', Website: 'acme.test' });
//   sf.failures.push({ status: 503 }, { status: 403 });  // the next data API calls answer these
//   …; sf.revokeAll(); expect(sf.counts.refresh).toBe(1); await sf.close();
//
// Wire shapes as Salesforce documents them: GET /services/oauth2/authorize (consents at once and redirects
// with ?code&state), POST /services/oauth2/token (authorization_code with client secret and PKCE
// code_verifier checked against the S256 code_challenge; refresh_token), POST /services/oauth2/revoke,
// GET /services/oauth2/userinfo. Under /services/data/vNN.N/: query and queryAll (2,000 records a page, or
// the Sforce-Query-Options batchSize, with nextRecordsUrl and /query/<locator>), sobjects create/get/update,
// composite/sobjects (POST create, PATCH update, allOrNone false: one result per record with its errors),
// sobjects/<Type>/updated and /deleted. Errors are Salesforce's JSON arrays: 401 INVALID_SESSION_ID for an
// expired or revoked token, 403 REQUEST_LIMIT_EXCEEDED (the daily API limit, also reported in the
// Sforce-Limit-Info header), 503 SERVER_UNAVAILABLE and 429 with Retry-After, injected through `failures`
// (`afterCommit`: the write is made, then the failure answered: a lost answer). The login side is
// fake-salesforce-oauth.ts, the objects and saving a record fake-salesforce-records.ts, SOQL fake-salesforce-soql.ts.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { apiError, fakeSalesforceLogin, readBody, send } from './fake-salesforce-oauth.js';
import { FIELDS, PREFIX, saveRecord, type SfType, type Write } from './fake-salesforce-records.js';
import { parseSoql, runSoql, SoqlError, type SfRecord } from './fake-salesforce-soql.js';

export type { SfRecord } from './fake-salesforce-soql.js';
export type { SfType } from './fake-salesforce-records.js';

export interface Failure {
  status: 503 | 429 | 403 | 500;
  /** Only requests this matches take the failure (default: any data API request). */
  match?: (method: string, path: string) => boolean;
  /** Make the write first, then answer the failure (Salesforce committed it; the answer was lost). */
  afterCommit?: boolean;
}

export interface FakeSalesforceOptions {
  clientId?: string;
  clientSecret?: string;
  /** Extra (custom) fields per object, e.g. { Account: ['Target__c'] }. */
  customFields?: Partial<Record<SfType, string[]>>;
  /** Records a query page holds unless the client asks for fewer (Salesforce: 2,000). */
  pageSize?: number;
}

export interface FakeSalesforce {
  url: string;
  env: Record<string, string>;
  orgId: string;
  userId: string;
  counts: { authorize: number; code: number; refresh: number; revoke: number; data: number };
  /** Which login host each token request went to. */
  tokenHosts: ('production' | 'sandbox')[];
  /** Every data API request: method, path (no query string), JSON body. */
  requests: { method: string; path: string; body: unknown }[];
  /** The next matching data API requests answer these, first first, and change nothing. */
  failures: Failure[];
  /** The daily API limit: `used` of `max` (REQUEST_LIMIT_EXCEEDED once reached). */
  apiUsage: { used: number; max: number };
  insert(type: SfType, fields: SfRecord): string;
  update(type: SfType, id: string, fields: SfRecord): void;
  /** Deletes to the recycle bin: queryAll and /deleted still see it. */
  remove(type: SfType, id: string): void;
  /** Merges `loserId` into `survivorId` as Salesforce does: the loser is deleted with MasterRecordId set. */
  merge(type: 'Account' | 'Contact', survivorId: string, loserId: string): void;
  get(type: SfType, id: string): SfRecord | undefined;
  /** The org's clock (ms): LastModifiedDate of the last change; it never runs backwards. */
  now(): number;
  /** Moves the org's clock on, so what changes next is clearly after a cursor. */
  advance(ms: number): void;
  all(type: SfType): SfRecord[];
  /** Tokens for a consent given without a browser. */
  grant(): { accessToken: string; refreshToken: string; instanceUrl: string };
  /** Ends an access token now: its next use is a 401 and the client must refresh. */
  expire(accessToken: string): void;
  /** The org revoked the connected app: every token dead, refresh → invalid_grant. */
  revokeAll(): void;
  close(): Promise<void>;
}

const sfDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export async function startFakeSalesforce(opts: FakeSalesforceOptions = {}): Promise<FakeSalesforce> {
  const clientId = opts.clientId ?? 'sf-consumer-key';
  const clientSecret = opts.clientSecret ?? `sf-secret-${randomBytes(8).toString('hex')}`;
  const pageSize = opts.pageSize ?? 2000;
  const store = new Map<SfType, Map<string, SfRecord>>(Object.keys(FIELDS).map((t) => [t as SfType, new Map()]));
  const seq = new Map<SfType, number>();
  const locators = new Map<string, { object: string; rows: SfRecord[]; fields: string[]; total: number }>();
  const sockets = new Set<Socket>();
  let clock = 0;
  const tick = () => (clock = Math.max(Date.now(), clock + 1));
  const fieldsOf = (t: string) => {
    const known = FIELDS[t as SfType];
    return known ? [...known, ...(opts.customFields?.[t as SfType] ?? [])] : undefined;
  };
  const orgId = '00D000000000001AAA';
  const userId = '005000000000001AAA';

  const newId = (type: SfType) => {
    const n = (seq.get(type) ?? 0) + 1;
    seq.set(type, n);
    return `${PREFIX[type]}${String(n).padStart(12, '0')}AAA`;
  };

  const fake: FakeSalesforce = {
    url: '',
    env: {},
    orgId,
    userId,
    counts: { authorize: 0, code: 0, refresh: 0, revoke: 0, data: 0 },
    tokenHosts: [],
    requests: [],
    failures: [],
    apiUsage: { used: 0, max: 1_000_000 },
    insert(type, fields) {
      const id = newId(type);
      const now = sfDate(tick());
      const defaults: SfRecord = Object.fromEntries(fieldsOf(type)!.map((f) => [f, null]));
      if (type === 'Contact') defaults.HasOptedOutOfEmail = false;
      if (type === 'Opportunity') Object.assign(defaults, { IsClosed: false, IsWon: false });
      store
        .get(type)!
        .set(id, { ...defaults, ...fields, Id: id, IsDeleted: false, CreatedDate: now, LastModifiedDate: now });
      return id;
    },
    update(type, id, fields) {
      const r = store.get(type)!.get(id);
      if (!r) throw new Error(`no ${type} ${id}`);
      const at = sfDate(tick());
      Object.assign(r, fields, { LastModifiedDate: at, SystemModstamp: at });
    },
    remove(type, id) {
      fake.update(type, id, { IsDeleted: true });
    },
    merge(type, survivorId, loserId) {
      fake.update(type, survivorId, {});
      fake.update(type, loserId, { IsDeleted: true, MasterRecordId: survivorId });
      if (type === 'Account') {
        for (const c of store.get('Contact')!.values())
          if (c.AccountId === loserId) fake.update('Contact', String(c.Id), { AccountId: survivorId });
      }
    },
    get: (type, id) => store.get(type)!.get(id),
    now: () => clock,
    advance(ms) {
      clock = Math.max(clock, Date.now()) + ms;
    },
    all: (type) => [...store.get(type)!.values()],
    grant() {
      const t = login.issue();
      return { accessToken: t.access, refreshToken: t.refresh, instanceUrl: fake.url };
    },
    expire: (accessToken) => login.expire(accessToken),
    revokeAll: () => login.revokeAll(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const present = (object: string, r: SfRecord, fields: string[]): Record<string, unknown> => ({
    attributes: { type: object, url: `/services/data/v62.0/sobjects/${object}/${String(r.Id)}` },
    ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])),
  });
  const login = fakeSalesforceLogin(fake, { clientId, clientSecret, orgId, userId });
  const save = (type: string, rec: Write, id?: string) =>
    saveRecord(
      { store, fieldsOf, insert: (t, f) => fake.insert(t, f), update: (t, i, f) => fake.update(t, i, f) },
      type,
      rec,
      id,
    );

  const batchSize = (req: IncomingMessage) =>
    Number(/batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''))?.[1] ?? pageSize);

  async function data(req: IncomingMessage, res: ServerResponse, url: URL) {
    const m = /^\/services\/data\/(v\d+\.\d+)(\/.*)$/.exec(url.pathname);
    if (!m) return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    const [, version, rest] = m as unknown as [string, string, string];
    let lost: Failure | undefined;
    const raw = await readBody(req);
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    fake.requests.push({ method: req.method!, path: rest, body });
    fake.counts.data++;
    const i = fake.failures.findIndex((f) => !f.match || f.match(req.method!, rest));
    const failure = i >= 0 ? fake.failures.splice(i, 1)[0] : undefined;
    if (failure?.afterCommit) lost = failure;
    else if (failure) {
      const f = failure;
      if (f!.status === 403) return apiError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      if (f!.status === 429)
        return apiError(res, 429, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.', {
          'retry-after': '1',
        });
      return apiError(res, f!.status, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable');
    }
    if (fake.apiUsage.used >= fake.apiUsage.max)
      return apiError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    fake.apiUsage.used++;
    res.setHeader('sforce-limit-info', `api-usage=${fake.apiUsage.used}/${fake.apiUsage.max}`);

    const q = /^\/(query|queryAll)\/?$/.exec(rest);
    if (q && req.method === 'GET') {
      let parsed;
      try {
        parsed = parseSoql(url.searchParams.get('q') ?? '', fieldsOf);
      } catch (err) {
        if (err instanceof SoqlError) return apiError(res, 400, err.errorCode, err.message);
        throw err;
      }
      const all = [...(store.get(parsed.object as SfType)?.values() ?? [])];
      const rows = runSoql(parsed, q[1] === 'queryAll' ? all : all.filter((r) => !r.IsDeleted));
      const locator = `01g${randomBytes(6).toString('hex')}-0`;
      locators.set(locator, { object: parsed.object, rows, fields: parsed.fields, total: rows.length });
      return page(res, version, locator, batchSize(req));
    }
    const more = /^\/query\/(01g[\w]+-\d+)$/.exec(rest);
    if (more) {
      if (!locators.has(more[1]!)) return apiError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return page(res, version, more[1]!, batchSize(req));
    }
    const changed = /^\/sobjects\/(\w+)\/(updated|deleted)\/?$/.exec(rest);
    if (changed) {
      const start = Date.parse(url.searchParams.get('start') ?? '');
      const end = Date.parse(url.searchParams.get('end') ?? '');
      const rows = fake.all(changed[1] as SfType).filter((r) => {
        const at = Date.parse(String(r.LastModifiedDate).replace('+0000', 'Z'));
        return at >= start && at <= end && (changed[2] === 'deleted') === r.IsDeleted;
      });
      const latest = sfDate(end);
      return changed[2] === 'updated'
        ? send(res, 200, { ids: rows.map((r) => r.Id), latestDateCovered: latest })
        : send(res, 200, {
            deletedRecords: rows.map((r) => ({ id: r.Id, deletedDate: r.LastModifiedDate })),
            earliestDateAvailable: sfDate(0),
            latestDateCovered: latest,
          });
    }
    if (rest === '/composite/sobjects' && (req.method === 'POST' || req.method === 'PATCH')) {
      const b = body as { allOrNone?: boolean; records: Write[] };
      if (b.records.length > 200) return apiError(res, 400, 'EXCEEDED_ID_LIMIT', 'record limit is 200');
      const saved = b.records.map((r) =>
        save(r.attributes?.type ?? '', r, req.method === 'PATCH' ? String(r.id ?? r.Id) : undefined),
      );
      if (lost) return apiError(res, lost.status, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable');
      return send(res, 200, saved);
    }
    const one = /^\/sobjects\/(\w+)(?:\/(\w+))?$/.exec(rest);
    if (one) {
      const [, type, id] = one as unknown as [string, string, string | undefined];
      if (req.method === 'POST' && !id) {
        const r = save(type, body as Write);
        if (lost && r.success)
          return apiError(res, lost.status, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable');
        return r.success
          ? send(res, 201, r)
          : send(
              res,
              400,
              r.errors.map((e) => ({ ...e, errorCode: e.statusCode })),
            );
      }
      if (req.method === 'PATCH' && id) {
        const r = save(type, body as Write, id);
        return r.success
          ? send(res, 204, undefined)
          : send(
              res,
              400,
              r.errors.map((e) => ({ ...e, errorCode: e.statusCode })),
            );
      }
      if (req.method === 'GET' && id) {
        const r = store.get(type as SfType)?.get(id);
        if (!r || r.IsDeleted) return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
        return send(res, 200, present(type, r, fieldsOf(type)!));
      }
    }
    return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  function page(res: ServerResponse, version: string, locator: string, size: number) {
    const l = locators.get(locator)!;
    locators.delete(locator);
    const rows = l.rows.splice(0, Math.min(size, pageSize));
    const done = l.rows.length === 0;
    const nextLoc = `${locator.split('-')[0]}-${l.total - l.rows.length}`;
    if (!done) locators.set(nextLoc, l);
    const next = done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${nextLoc}` };
    send(res, 200, { totalSize: l.total, done, ...next, records: rows.map((r) => present(l.object, r, l.fields)) });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', fake.url);
    const sandbox = url.pathname.startsWith('/sandbox/');
    if (sandbox) url.pathname = url.pathname.slice('/sandbox'.length);
    const handle = url.pathname.startsWith('/services/oauth2/')
      ? login.oauth(req, res, url, sandbox ? 'sandbox' : 'production')
      : url.pathname.startsWith('/services/data/')
        ? new Promise<void>((resolve, reject) => {
            void Promise.resolve(login.authorized(req, res, () => data(req, res, url))).then(() => resolve(), reject);
          })
        : Promise.resolve(send(res, 404, [{ errorCode: 'NOT_FOUND', message: 'not found' }]));
    handle.catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: String(err) }]);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  fake.url = `http://127.0.0.1:${port}`;
  fake.env = {
    SALESFORCE_LOGIN_URL: fake.url,
    SALESFORCE_SANDBOX_LOGIN_URL: `${fake.url}/sandbox`,
    SALESFORCE_CLIENT_ID: clientId,
    SALESFORCE_CLIENT_SECRET: clientSecret,
  };
  return fake;
}
