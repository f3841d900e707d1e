// A fake HubSpot on loopback, speaking the REST shapes @hubspot/api-client 13 sends and parses:
//   POST /oauth/v1/token (form: grant_type authorization_code | refresh_token) → {access_token, refresh_token,
//        expires_in, token_type}; a revoked/unknown refresh token → 400 {status: 'BAD_REFRESH_TOKEN', message}
//   GET  /oauth/authorize?client_id&redirect_uri&scope&state → 302 to redirect_uri?code&state (the consent page)
//   GET  /account-info/v3/details → {portalId, ...}
//   GET  /crm/v3/objects/{companies|contacts|deals}?limit&after&properties&associations&archived
//        → {results: [{id, properties, createdAt, updatedAt, archived, archivedAt?, associations?}], paging: {next: {after}}}
//   POST /crm/v3/objects/{type}/search {filterGroups, sorts, properties, limit, after} → {total, results, paging}
//        (filters EQ/GTE on properties; associations.contact EQ id: records associated with that contact;
//        at most `searchCap` results for one query, 10,000 by default: `after` at or past it answers 400)
//   POST /crm/v3/objects/{type}/batch/read {inputs: [{id}], properties}
//   POST /crm/v3/objects/{emails|meetings}/batch/create {inputs: [{properties, associations, objectWriteTraceId}]}
//        → 201 {status: 'COMPLETE', results: [{id, properties, objectWriteTraceId, ...}], startedAt, completedAt}
//   PATCH /crm/v3/objects/contacts/{id} {properties}
//   GET  /crm/v3/lists/{listId}/memberships?after&limit → {results: [{recordId, membershipTimestamp}], paging}
//   GET  /crm/v3/owners/?after&limit → {results: [{id, email, firstName, lastName, type, ...}], paging}
//   GET  /communication-preferences/v3/definitions; POST /communication-preferences/v3/unsubscribe
// Every API call needs a live bearer token, else 401 {status: 'error', category: 'INVALID_AUTHENTICATION'}.
// Assumed rather than documented: the order of search results for equal modified times (by id here).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pageOf, searchRecords, view, type HsRecord, type HsType, type SearchBody } from './fake-hubspot-query.js';

export type { HsRecord, HsType } from './fake-hubspot-query.js';

const MODIFIED: Record<HsType, string> = {
  companies: 'hs_lastmodifieddate',
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  emails: 'hs_lastmodifieddate',
  meetings: 'hs_lastmodifieddate',
};

export interface FakeHubSpot {
  url: string;
  clientId: string;
  clientSecret: string;
  objects: Record<HsType, Map<string, HsRecord>>;
  lists: Map<string, string[]>;
  owners: { id: string; email: string; firstName: string; lastName: string }[];
  unsubscribed: Set<string>;
  requests: { method: string; path: string; status: number }[];
  /** The next write calls (batch create, PATCH, unsubscribe) answer these statuses first; nothing is kept. */
  failWrites: number[];
  /** The next batch creates are made, then answered with these statuses (committed; the answer lost). */
  failAfterCommit: number[];
  /** The next batch creates are made, then answered only after this many ms (the client gives up first). */
  stallAfterCommit: number[];
  /**
   * HubSpot's search index lag: while true, emails and meetings created are not found by search (a
   * read by id sees them) until catchUpIndex().
   */
  indexLag: boolean;
  catchUpIndex(): void;
  /** Results one search returns at most (HubSpot: 10,000); paging at or past it answers 400. */
  searchCap: number;
  /** Every search request: its type, `after` and first filter group, for tests to read. */
  searches: {
    type: HsType;
    after: string | null;
    filters: { propertyName: string; operator: string; value?: string }[];
  }[];
  /** A token usable as a private app token. */
  addPrivateToken(): string;
  /** A code the authorize page would hand out. */
  issueCode(): string;
  /** Every access and refresh token stops working (the app was uninstalled). */
  revokeAll(): void;
  /** Access tokens expire now (the next call gets 401 until refreshed). */
  expireAccessTokens(): void;
  create(type: HsType, properties: Record<string, string | null>, assoc?: Record<string, string[]>): HsRecord;
  update(type: HsType, id: string, properties: Record<string, string | null>): HsRecord;
  merge(type: 'companies' | 'contacts', primaryId: string, mergedId: string): void;
  archive(type: HsType, id: string): void;
  close(): Promise<void>;
}

export async function startFakeHubSpot(): Promise<FakeHubSpot> {
  const sockets = new Set<Socket>();
  let seq = 1000;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const tick = () => new Date((clock += 1000)).toISOString();
  const access = new Map<string, { expiresAt: number }>();
  const refresh = new Set<string>();
  const codes = new Set<string>();
  const unindexed = new Set<string>();
  const newToken = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2)}`;

  const fake: FakeHubSpot = {
    url: '',
    clientId: 'hs-client-id',
    clientSecret: 'hs-client-secret',
    objects: { companies: new Map(), contacts: new Map(), deals: new Map(), emails: new Map(), meetings: new Map() },
    lists: new Map(),
    owners: [],
    unsubscribed: new Set(),
    requests: [],
    failWrites: [],
    failAfterCommit: [],
    searchCap: 10_000,
    searches: [],
    stallAfterCommit: [],
    indexLag: false,
    catchUpIndex() {
      unindexed.clear();
    },
    addPrivateToken() {
      const t = newToken('pat-na1');
      access.set(t, { expiresAt: Infinity });
      return t;
    },
    issueCode() {
      const c = newToken('code');
      codes.add(c);
      return c;
    },
    revokeAll() {
      access.clear();
      refresh.clear();
    },
    expireAccessTokens() {
      for (const v of access.values()) if (v.expiresAt !== Infinity) v.expiresAt = 0;
    },
    create(type, properties, assoc = {}) {
      const at = tick();
      const id = String(++seq);
      const rec: HsRecord = {
        id,
        properties: { ...properties, hs_object_id: id, createdate: at, [MODIFIED[type]]: at },
        createdAt: at,
        updatedAt: at,
        archived: false,
        associations: Object.fromEntries(
          Object.entries(assoc).map(([k, ids]) => [k, ids.map((x) => ({ id: x, typeId: 0 }))]),
        ),
      };
      if (type === 'contacts' && assoc.companies?.[0]) rec.properties.associatedcompanyid = assoc.companies[0];
      fake.objects[type].set(id, rec);
      return rec;
    },
    update(type, id, properties) {
      const rec = fake.objects[type].get(id)!;
      const at = tick();
      Object.assign(rec.properties, properties, { [MODIFIED[type]]: at });
      rec.updatedAt = at;
      return rec;
    },
    merge(type, primaryId, mergedId) {
      const primary = fake.objects[type].get(primaryId)!;
      const merged = primary.properties.hs_merged_object_ids;
      fake.update(type, primaryId, { hs_merged_object_ids: merged ? `${merged};${mergedId}` : mergedId });
      fake.archive(type, mergedId);
    },
    archive(type, id) {
      const rec = fake.objects[type].get(id)!;
      rec.archived = true;
      rec.archivedAt = tick();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
  ): Promise<[number, unknown, Record<string, string>?]> {
    const url = new URL(req.url!, 'http://x');
    const p = url.pathname.replace(/\/+$/, '');
    if (p === '/oauth/authorize') {
      const to = new URL(url.searchParams.get('redirect_uri')!);
      to.searchParams.set('code', fake.issueCode());
      to.searchParams.set('state', url.searchParams.get('state') ?? '');
      return [302, '', { location: to.toString() }];
    }
    if (p === '/oauth/v1/token') {
      const f = new URLSearchParams(body);
      if (f.get('client_id') !== fake.clientId || f.get('client_secret') !== fake.clientSecret)
        return [400, { status: 'BAD_CLIENT_ID', message: 'missing or unknown client_id' }];
      const grant = f.get('grant_type');
      if (grant === 'authorization_code' && !codes.delete(f.get('code') ?? ''))
        return [400, { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' }];
      if (grant === 'refresh_token' && !refresh.has(f.get('refresh_token') ?? ''))
        return [400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token' }];
      const at = newToken('oauth-at');
      access.set(at, { expiresAt: Date.now() + 1800_000 });
      const rt = grant === 'refresh_token' ? f.get('refresh_token')! : newToken('oauth-rt');
      refresh.add(rt);
      return [200, { access_token: at, refresh_token: rt, expires_in: 1800, token_type: 'bearer' }];
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const live = access.get(token);
    if (!live || live.expiresAt < Date.now())
      return [
        401,
        { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' },
      ];
    const isWrite = /\/batch\/create$|^\/communication-preferences\/v3\/unsubscribe$/.test(p) || req.method === 'PATCH';
    if (isWrite && fake.failWrites.length) {
      const status = fake.failWrites.shift()!;
      if (status === 429)
        return [
          429,
          {
            status: 'error',
            message: 'You have reached your ten_secondly_rolling limit.',
            category: 'RATE_LIMITS',
            policyName: 'TEN_SECONDLY_ROLLING',
          },
          { 'retry-after': '1' },
        ];
      return [status, { status: 'error', message: 'internal error', category: 'INTERNAL_ERROR' }];
    }
    if (p === '/account-info/v3/details')
      return [200, { portalId: 4242, accountType: 'STANDARD', timeZone: 'UTC', uiDomain: 'app.hubspot.com' }];
    if (p === '/crm/v3/owners')
      return [
        200,
        pageOf(
          fake.owners.map((o) => ({
            ...o,
            type: 'PERSON',
            archived: false,
            createdAt: '2025-01-01T00:00:00Z',
            updatedAt: '2025-01-01T00:00:00Z',
          })),
          url.searchParams.get('after') ?? undefined,
          Number(url.searchParams.get('limit') ?? 100),
        ),
      ];
    if (p === '/communication-preferences/v3/definitions')
      return [
        200,
        {
          subscriptionDefinitions: [
            {
              id: '101',
              name: 'Sales email',
              description: 'One to one',
              isActive: true,
              isDefault: true,
              isInternal: false,
              createdAt: '2025-01-01T00:00:00Z',
              updatedAt: '2025-01-01T00:00:00Z',
            },
          ],
        },
      ];
    if (p === '/communication-preferences/v3/unsubscribe') {
      const b = JSON.parse(body) as { emailAddress: string; subscriptionId: string };
      const email = b.emailAddress.toLowerCase();
      if (fake.unsubscribed.has(email))
        return [
          400,
          {
            status: 'error',
            message: `${email} is already unsubscribed from subscription ${b.subscriptionId}`,
            category: 'VALIDATION_ERROR',
          },
        ];
      fake.unsubscribed.add(email);
      for (const c of fake.objects.contacts.values())
        if (c.properties.email?.toLowerCase() === email) fake.update('contacts', c.id, { hs_email_optout: 'true' });
      return [
        200,
        {
          id: b.subscriptionId,
          name: 'Sales email',
          description: 'One to one',
          status: 'NOT_SUBSCRIBED',
          sourceOfStatus: 'SUBSCRIPTION_STATUS',
        },
      ];
    }
    const list = /^\/crm\/v3\/lists\/([^/]+)\/memberships$/.exec(p);
    if (list) {
      const ids = fake.lists.get(list[1]!) ?? [];
      return [
        200,
        pageOf(
          ids.map((id) => ({ recordId: id, membershipTimestamp: '2026-01-01T00:00:00Z' })),
          url.searchParams.get('after') ?? undefined,
          Number(url.searchParams.get('limit') ?? 100),
        ),
      ];
    }
    const m =
      /^\/crm\/v3\/objects\/(companies|contacts|deals|emails|meetings)(?:\/(search|batch\/read|batch\/create|[^/]+))?$/.exec(
        p,
      );
    if (!m) return [404, { status: 'error', message: `no route ${req.method} ${p}`, category: 'OBJECT_NOT_FOUND' }];
    const type = m[1] as HsType;
    const store = fake.objects[type];
    const sorted = () => [...store.values()].sort((a, b) => Number(a.id) - Number(b.id));
    if (!m[2] && req.method === 'GET') {
      const archived = url.searchParams.get('archived') === 'true';
      const props = url.searchParams.getAll('properties');
      const assoc = url.searchParams.getAll('associations');
      const items = sorted()
        .filter((r) => r.archived === archived)
        .map((r) => view(type, r, props, assoc));
      return [
        200,
        pageOf(
          items,
          url.searchParams.get('after') ?? undefined,
          Math.min(Number(url.searchParams.get('limit') ?? 10), 100),
        ),
      ];
    }
    if (m[2] === 'search') {
      const b = JSON.parse(body) as SearchBody;
      const items = searchRecords(
        sorted().filter((r) => !unindexed.has(r.id)),
        b,
      );
      fake.searches.push({ type, after: b.after ?? null, filters: b.filterGroups?.[0]?.filters ?? [] });
      // At most `searchCap` results for one query: paging at or past it answers 400 (HubSpot's error
      // envelope; the message's wording is assumed).
      if (Number(b.after ?? 0) >= fake.searchCap)
        return [
          400,
          {
            status: 'error',
            message: `The search API returns at most ${fake.searchCap} results for one query: narrow the search to page further`,
            correlationId: `fake-${++seq}`,
            category: 'VALIDATION_ERROR',
          },
        ];
      const page = pageOf(
        items.slice(0, fake.searchCap).map((r) => view(type, r, b.properties ?? null)),
        b.after,
        Math.min(b.limit ?? 10, 200),
      );
      // The last page before the cap still offers `after` when more matched (as HubSpot does).
      if (
        !page.paging &&
        items.length > fake.searchCap &&
        Number(b.after ?? 0) + Math.min(b.limit ?? 10, 200) >= fake.searchCap
      )
        return [200, { total: items.length, ...page, paging: { next: { after: String(fake.searchCap) } } }];
      return [200, { total: items.length, ...page }];
    }
    if (m[2] === 'batch/read') {
      const b = JSON.parse(body) as { inputs: { id: string }[]; properties?: string[] };
      const results = b.inputs.flatMap((i) =>
        store.get(i.id) && !store.get(i.id)!.archived ? [view(type, store.get(i.id)!, b.properties ?? null)] : [],
      );
      return [
        200,
        { status: 'COMPLETE', results, startedAt: new Date().toISOString(), completedAt: new Date().toISOString() },
      ];
    }
    if (m[2] === 'batch/create') {
      const b = JSON.parse(body) as {
        inputs: {
          properties: Record<string, string>;
          objectWriteTraceId?: string;
          associations?: { to: { id: string }; types: { associationTypeId: number }[] }[];
        }[];
      };
      const kinds: Record<number, string> = {
        198: 'contacts',
        186: 'companies',
        200: 'contacts',
        188: 'companies',
        279: 'companies',
      };
      const results = b.inputs.map((i) => {
        const assoc: Record<string, string[]> = {};
        for (const a of i.associations ?? [])
          (assoc[kinds[a.types[0]!.associationTypeId] ?? 'unknown'] ??= []).push(a.to.id);
        const r = fake.create(type, i.properties, assoc);
        if (fake.indexLag) unindexed.add(r.id);
        return {
          ...view(type, r, null),
          ...(i.objectWriteTraceId ? { objectWriteTraceId: i.objectWriteTraceId } : {}),
        };
      });
      const stall = fake.stallAfterCommit.shift();
      if (stall) await new Promise((resolve) => setTimeout(resolve, stall));
      const lost = fake.failAfterCommit.shift();
      if (lost) return [lost, { status: 'error', message: 'internal error', category: 'INTERNAL_ERROR' }];
      // HubSpot does not promise input order in batch results: the fake answers in reverse.
      return [
        201,
        {
          status: 'COMPLETE',
          results: results.reverse(),
          startedAt: new Date().toISOString(),
          completedAt: new Date().toISOString(),
        },
      ];
    }
    if (m[2] && req.method === 'PATCH') {
      if (!store.get(m[2]))
        return [
          404,
          { status: 'error', message: `Object not found. objectId are usually numeric.`, category: 'OBJECT_NOT_FOUND' },
        ];
      const b = JSON.parse(body) as { properties: Record<string, string> };
      return [200, view(type, fake.update(type, m[2], b.properties), null)];
    }
    return [404, { status: 'error', message: `no route ${req.method} ${p}`, category: 'OBJECT_NOT_FOUND' }];
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'))
        .then(([status, body, headers = {}]) => {
          fake.requests.push({ method: req.method!, path: new URL(req.url!, 'http://x').pathname, status });
          res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
          res.end(typeof body === 'string' ? body : JSON.stringify(body));
        })
        .catch((err: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', message: err.message }));
        });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
