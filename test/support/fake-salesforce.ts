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
// Sforce-Limit-Info header), 503 SERVER_UNAVAILABLE and 429 with Retry-After, injected through `failures`.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parseSoql, runSoql, SoqlError, type SfRecord, type SfValue } from './fake-salesforce-soql.js';

export type { SfRecord } from './fake-salesforce-soql.js';
export type SfType = 'Account' | 'Contact' | 'User' | 'Opportunity' | 'Task' | 'Event';

const BASE_FIELDS = ['Id', 'IsDeleted', 'LastModifiedDate', 'CreatedDate', 'SystemModstamp'];
const FIELDS: Record<SfType, string[]> = {
  Account: [...BASE_FIELDS, 'Name', 'Website', 'OwnerId', 'BillingCountry', 'Type', 'Industry', 'MasterRecordId'],
  Contact: [
    ...BASE_FIELDS,
    ...[
      'AccountId',
      'Email',
      'FirstName',
      'LastName',
      'Title',
      'HasOptedOutOfEmail',
      'OwnerId',
      'MasterRecordId',
      'MailingCountry',
    ],
  ],
  User: [...BASE_FIELDS, 'Email', 'Name', 'IsActive'],
  Opportunity: [...BASE_FIELDS, 'Name', 'AccountId', 'StageName', 'Type', 'IsClosed', 'IsWon', 'CloseDate'],
  Task: [
    ...BASE_FIELDS,
    ...['Subject', 'Description', 'WhoId', 'WhatId', 'TaskSubtype', 'ActivityDate', 'Status', 'OwnerId', 'Priority'],
  ],
  Event: [...BASE_FIELDS, 'Subject', 'Description', 'WhoId', 'WhatId', 'StartDateTime', 'EndDateTime', 'OwnerId'],
};
const PREFIX: Record<SfType, string> = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Task: '00T',
  Event: '00U',
};
const REQUIRED: Partial<Record<SfType, string[]>> = {
  Account: ['Name'],
  Contact: ['LastName'],
  Event: ['StartDateTime', 'EndDateTime'],
};

export interface Failure {
  status: 503 | 429 | 403 | 500;
  /** Only requests this matches take the failure (default: any data API request). */
  match?: (method: string, path: string) => boolean;
}

export interface FakeSalesforceOptions {
  clientId?: string;
  clientSecret?: string;
  /** Extra (custom) fields per object, e.g. { Account: ['Target__c'] }. */
  customFields?: Partial<Record<SfType, string[]>>;
  /** Records a query page holds unless the client asks for fewer (Salesforce: 2,000). */
  pageSize?: number;
}

interface Token {
  kind: 'access' | 'refresh';
  refresh: string;
  expiresAt: number;
  revoked: boolean;
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
  const tokens = new Map<string, Token>();
  const codes = new Map<string, { redirectUri: string; challenge: string; used: boolean }>();
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
      const t = issue();
      return { accessToken: t.access, refreshToken: t.refresh, instanceUrl: fake.url };
    },
    expire(accessToken) {
      const t = tokens.get(accessToken);
      if (t) t.expiresAt = 0;
    },
    revokeAll() {
      for (const t of tokens.values()) t.revoked = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  function issue(refresh?: string) {
    const rt = refresh ?? `5Aep861${randomBytes(24).toString('base64url')}`;
    if (!refresh) tokens.set(rt, { kind: 'refresh', refresh: rt, expiresAt: Infinity, revoked: false });
    const access = `${orgId}!${randomBytes(30).toString('base64url')}`;
    tokens.set(access, { kind: 'access', refresh: rt, expiresAt: Date.now() + 2 * 3600_000, revoked: false });
    return { access, refresh: rt };
  }
  const tokenBody = (access: string, refresh?: string) => ({
    access_token: access,
    ...(refresh ? { refresh_token: refresh } : {}),
    signature: randomBytes(32).toString('base64'),
    scope: 'refresh_token api',
    instance_url: fake.url,
    id: `${fake.url}/id/${orgId}/${userId}`,
    token_type: 'Bearer',
    issued_at: String(Date.now()),
  });

  const send = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(value === undefined ? '' : JSON.stringify(value));
  };
  const apiError = (res: ServerResponse, status: number, errorCode: string, message: string, h = {}) =>
    send(res, status, [{ message, errorCode }], h);
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  async function oauth(req: IncomingMessage, res: ServerResponse, url: URL, host: 'production' | 'sandbox') {
    const path = url.pathname;
    if (path.endsWith('/authorize')) {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== clientId || !redirectUri) return send(res, 400, { error: 'invalid_client_id' });
      const back = new URL(redirectUri);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      if (q.get('response_type') !== 'code' || !q.get('code_challenge'))
        back.searchParams.set('error', 'invalid_request');
      else {
        const code = `aPrx${randomBytes(16).toString('base64url')}`;
        codes.set(code, { redirectUri, challenge: q.get('code_challenge')!, used: false });
        back.searchParams.set('code', code);
        fake.counts.authorize++;
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const oauthError = (error: string, description: string) =>
      send(res, 400, { error, error_description: description });
    if (path.endsWith('/revoke')) {
      const t = tokens.get(form.token ?? '');
      if (!t) return oauthError('unsupported_token_type', 'invalid token');
      for (const other of tokens.values()) if (other.refresh === t.refresh) other.revoked = true;
      t.revoked = true;
      fake.counts.revoke++;
      return send(res, 200, undefined);
    }
    if (path.endsWith('/userinfo')) {
      return authorized(req, res, () =>
        send(res, 200, { user_id: userId, organization_id: orgId, email: 'admin@acme-org.test', name: 'Org Admin' }),
      );
    }
    if (!path.endsWith('/token')) return send(res, 404, { error: 'not_found' });
    fake.tokenHosts.push(host);
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return oauthError('invalid_client', 'invalid client credentials');
    }
    if (form.grant_type === 'authorization_code') {
      const c = codes.get(form.code ?? '');
      if (!c || c.used || c.redirectUri !== form.redirect_uri)
        return oauthError('invalid_grant', 'invalid authorization code');
      c.used = true;
      const s256 = createHash('sha256')
        .update(form.code_verifier ?? '')
        .digest('base64url');
      if (s256 !== c.challenge) return oauthError('invalid_grant', 'invalid code verifier');
      fake.counts.code++;
      const t = issue();
      return send(res, 200, tokenBody(t.access, t.refresh));
    }
    if (form.grant_type === 'refresh_token') {
      const rt = tokens.get(form.refresh_token ?? '');
      if (!rt || rt.kind !== 'refresh' || rt.revoked)
        return oauthError('invalid_grant', 'expired access/refresh token');
      fake.counts.refresh++;
      return send(res, 200, tokenBody(issue(rt.refresh).access));
    }
    return oauthError('unsupported_grant_type', 'grant type not supported');
  }

  function authorized(req: IncomingMessage, res: ServerResponse, then: () => void | Promise<void>) {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const t = bearer ? tokens.get(bearer) : undefined;
    if (!t || t.kind !== 'access' || t.revoked || t.expiresAt <= Date.now()) {
      return apiError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    return then();
  }

  const present = (object: string, r: SfRecord, fields: string[]): Record<string, unknown> => ({
    attributes: { type: object, url: `/services/data/v62.0/sobjects/${object}/${String(r.Id)}` },
    ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])),
  });
  type Write = { attributes?: { type?: string }; id?: string; Id?: string } & Record<string, unknown>;
  function save(type: string, rec: Write, id?: string) {
    const t = type as SfType;
    if (!FIELDS[t])
      return { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `no type ${type}`, fields: [] }] };
    const fields: SfRecord = {};
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'attributes' || k === 'id' || k === 'Id') continue;
      const f = fieldsOf(t)!.find((x) => x.toLowerCase() === k.toLowerCase());
      if (!f)
        return {
          success: false,
          errors: [
            { statusCode: 'INVALID_FIELD', message: `No such column '${k}' on sobject of type ${type}`, fields: [k] },
          ],
        };
      fields[f] = v as SfValue;
    }
    for (const ref of ['WhoId', 'WhatId', 'AccountId'] as const) {
      const v = fields[ref];
      if (
        typeof v === 'string' &&
        !Object.keys(PREFIX).some((k) => store.get(k as SfType)!.get(v)?.IsDeleted === false)
      ) {
        return {
          success: false,
          errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `invalid cross reference id`, fields: [ref] }],
        };
      }
    }
    if (id) {
      const r = store.get(t)!.get(id);
      if (!r || r.IsDeleted)
        return {
          id,
          success: false,
          errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
        };
      fake.update(t, id, fields);
      return { id, success: true, errors: [] };
    }
    const missing = (REQUIRED[t] ?? []).filter(
      (f) => fields[f] === undefined || fields[f] === null || fields[f] === '',
    );
    if (missing.length) {
      return {
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: `Required fields are missing: [${missing.join(', ')}]`,
            fields: missing,
          },
        ],
      };
    }
    return { id: fake.insert(t, fields), success: true, errors: [] };
  }

  const batchSize = (req: IncomingMessage) =>
    Number(/batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''))?.[1] ?? pageSize);

  async function data(req: IncomingMessage, res: ServerResponse, url: URL) {
    const m = /^\/services\/data\/(v\d+\.\d+)(\/.*)$/.exec(url.pathname);
    if (!m) return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    const [, version, rest] = m as unknown as [string, string, string];
    const raw = await readBody(req);
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    fake.requests.push({ method: req.method!, path: rest, body });
    fake.counts.data++;
    const i = fake.failures.findIndex((f) => !f.match || f.match(req.method!, rest));
    if (i >= 0) {
      const [f] = fake.failures.splice(i, 1);
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
      return send(
        res,
        200,
        b.records.map((r) =>
          save(r.attributes?.type ?? '', r, req.method === 'PATCH' ? String(r.id ?? r.Id) : undefined),
        ),
      );
    }
    const one = /^\/sobjects\/(\w+)(?:\/(\w+))?$/.exec(rest);
    if (one) {
      const [, type, id] = one as unknown as [string, string, string | undefined];
      if (req.method === 'POST' && !id) {
        const r = save(type, body as Write);
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
      ? oauth(req, res, url, sandbox ? 'sandbox' : 'production')
      : url.pathname.startsWith('/services/data/')
        ? new Promise<void>((resolve, reject) => {
            void Promise.resolve(authorized(req, res, () => data(req, res, url))).then(() => resolve(), reject);
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
