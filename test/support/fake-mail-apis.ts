// Fake Gmail API and Microsoft Graph mail endpoints on one loopback HTTP server, speaking the
// request and response shapes of the real ones for what Prospector calls:
//   Gmail  POST /gmail/v1/users/me/messages/send  {raw: base64url RFC 822} → 200 {id, threadId, labelIds}
//          GET  /gmail/v1/users/me/messages?q=in:sent rfc822msgid:<id> → {messages: [{id, threadId}], resultSizeEstimate}
//   Graph  POST /v1.0/me/sendMail  text/plain base64 MIME → 202, empty body
//          GET  /v1.0/me/mailFolders/sentitems/messages?$filter=internetMessageId eq '<id>' → {value: [...]}
// Reading: Gmail GET profile {historyId}, messages?labelIds=INBOX, history?startHistoryId=N
// {history: [{messagesAdded: [{message}]}], historyId}, messages/{id}?format=raw {raw}; Graph GET
// mailFolders/inbox/messages/delta {value, @odata.deltaLink}, messages/{id}/$value (the MIME).
// A bearer token must be live at the fake authorization server (`validate`), else 401 with the
// provider's error body. What the fakes ASSUME rather than know from the docs: both keep the
// Message-ID, In-Reply-To, References and List-Unsubscribe headers of the MIME as given (Gmail
// does, documented for threading; Graph's MIME send is documented, its keeping our Message-ID is
// assumed here); the fakes store the MIME byte for byte.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ApiSent {
  provider: 'google' | 'microsoft';
  /** Whose token sent it (the token's email at the authorization server). */
  user: string;
  id: string;
  threadId: string;
  raw: string;
  parsed: ParsedMail;
}

export interface FakeMailApis {
  url: string;
  sent: ApiSent[];
  /** Requests per kind, for "sent once" checks. */
  counts: { send: number; search: number; unauthorized: number };
  /** The next sends answer these statuses first (e.g. [429]); the message is not kept. */
  failNext: number[];
  /** The next send keeps the message and then drops the connection instead of answering. */
  dropNextAfterBody: boolean;
  /** A message arrives in `user`'s inbox. */
  deliver(user: string, raw: string): void;
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

export async function startFakeMailApis(
  validate: (token: string) => { email: string } | undefined,
): Promise<FakeMailApis> {
  const sockets = new Set<Socket>();
  const threads = new Map<string, string>(); // Message-ID → Gmail threadId
  const inbox: { user: string; id: string; seq: number; raw: string }[] = [];
  let seq = 100;
  const api: FakeMailApis = {
    url: '',
    sent: [],
    counts: { send: 0, search: 0, unauthorized: 0 },
    failNext: [],
    dropNextAfterBody: false,
    deliver(user, raw) {
      inbox.push({ user, id: randomBytes(8).toString('hex'), seq: ++seq, raw });
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };

  const keep = async (
    provider: 'google' | 'microsoft',
    user: string,
    raw: string,
    requestedThread?: string,
  ): Promise<ApiSent> => {
    const parsed = await simpleParser(raw);
    const refs = [parsed.inReplyTo, ...[parsed.references ?? []].flat()].filter((x): x is string => !!x);
    const byHeaders = refs.map((r) => threads.get(r)).find(Boolean);
    // Gmail (users.messages.send): a message joins a thread only when the request names its
    // `threadId` and the headers agree; Graph threads by the headers alone.
    const threadId =
      (provider === 'google'
        ? requestedThread && requestedThread === byHeaders
          ? byHeaders
          : undefined
        : byHeaders) ?? randomBytes(8).toString('hex');
    const m: ApiSent = { provider, user, id: randomBytes(8).toString('hex'), threadId, raw, parsed };
    if (parsed.messageId) threads.set(parsed.messageId, threadId);
    api.sent.push(m);
    return m;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const graph = url.pathname.startsWith('/v1.0/');
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const who = validate(token);
    const body = await read(req);
    if (!who) {
      api.counts.unauthorized++;
      return graph
        ? json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' } })
        : json(res, 401, {
            error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
          });
    }
    const isSend =
      req.method === 'POST' &&
      (url.pathname === '/gmail/v1/users/me/messages/send' || url.pathname === '/v1.0/me/sendMail');
    if (isSend) {
      api.counts.send++;
      const fail = api.failNext.shift();
      if (fail)
        return json(res, fail, {
          error: { code: fail, message: fail === 429 ? 'Too many requests' : 'Backend error' },
        });
      let raw: string;
      let requestedThread: string | undefined;
      if (graph) {
        if (!/^text\/plain/.test(req.headers['content-type'] ?? ''))
          return json(res, 400, { error: { code: 'ErrorInvalidRequest', message: 'expected MIME as text/plain' } });
        raw = Buffer.from(body, 'base64').toString('utf8');
      } else {
        const j = JSON.parse(body) as { raw: string; threadId?: string };
        raw = Buffer.from(j.raw, 'base64url').toString('utf8');
        requestedThread = j.threadId;
      }
      const m = await keep(graph ? 'microsoft' : 'google', who.email, raw, requestedThread);
      if (api.dropNextAfterBody) {
        api.dropNextAfterBody = false;
        return req.socket.destroy();
      }
      if (graph) {
        res.writeHead(202).end();
        return;
      }
      return json(res, 200, { id: m.id, threadId: m.threadId, labelIds: ['SENT'] });
    }
    const mine = inbox.filter((m) => m.user === who.email);
    const gmail = '/gmail/v1/users/me';
    if (req.method === 'GET' && url.pathname === `${gmail}/profile`)
      return json(res, 200, { emailAddress: who.email, historyId: String(seq) });
    if (req.method === 'GET' && url.pathname === `${gmail}/messages` && url.searchParams.get('labelIds') === 'INBOX')
      return json(res, 200, { messages: mine.map((m) => ({ id: m.id, threadId: m.id })).reverse() });
    if (req.method === 'GET' && url.pathname === `${gmail}/history`) {
      const from = Number(url.searchParams.get('startHistoryId'));
      const added = mine.filter((m) => m.seq > from);
      return json(res, 200, {
        ...(added.length
          ? { history: added.map((m) => ({ id: String(m.seq), messagesAdded: [{ message: { id: m.id } }] })) }
          : {}),
        historyId: String(seq),
      });
    }
    const one = /^\/gmail\/v1\/users\/me\/messages\/([^/]+)$/.exec(url.pathname)?.[1];
    const m1 = one && mine.find((m) => m.id === one);
    if (req.method === 'GET' && m1 && url.searchParams.get('format') === 'raw')
      return json(res, 200, { id: m1.id, threadId: m1.id, raw: Buffer.from(m1.raw).toString('base64url') });
    if (req.method === 'GET' && url.pathname === '/v1.0/me/mailFolders/inbox/messages/delta') {
      const from = Number(url.searchParams.get('$deltatoken') ?? 0);
      return json(res, 200, {
        value: mine.filter((m) => m.seq > from).map((m) => ({ id: m.id })),
        '@odata.deltaLink': `${api.url}/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=${seq}`,
      });
    }
    const graphOne = /^\/v1\.0\/me\/messages\/([^/]+)\/\$value$/.exec(url.pathname)?.[1];
    const g1 = graphOne && mine.find((m) => m.id === graphOne);
    if (req.method === 'GET' && g1) {
      res.writeHead(200, { 'content-type': 'message/rfc822' }).end(g1.raw);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/gmail/v1/users/me/messages') {
      api.counts.search++;
      const id = /rfc822msgid:(\S+)/.exec(url.searchParams.get('q') ?? '')?.[1];
      const found = api.sent.filter(
        (m) => m.provider === 'google' && m.user === who.email && m.parsed.messageId === id,
      );
      return json(res, 200, {
        ...(found.length ? { messages: found.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}),
        resultSizeEstimate: found.length,
      });
    }
    if (req.method === 'GET' && url.pathname === '/v1.0/me/mailFolders/sentitems/messages') {
      api.counts.search++;
      const id = /^internetMessageId eq '(.+)'$/.exec(url.searchParams.get('$filter') ?? '')?.[1]?.replace(/''/g, "'");
      const found = api.sent.filter(
        (m) => m.provider === 'microsoft' && m.user === who.email && m.parsed.messageId === id,
      );
      return json(res, 200, {
        value: found.map((m) => ({ id: m.id, conversationId: m.threadId, internetMessageId: m.parsed.messageId })),
      });
    }
    json(res, 404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => json(res, 500, { error: { code: 500, message: err.message } }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
