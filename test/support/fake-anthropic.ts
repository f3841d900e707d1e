// A fake Anthropic Messages API on loopback, for driving the real SDK in tests and benchmarks.
//
//   const fake = await startFakeAnthropic();
//   fake.enqueue(json({ steps: [...] }), error(429, { 'retry-after': '1' }), hang());
//   const config = testConfig(t, { ANTHROPIC_API_KEY: 'test', ANTHROPIC_BASE_URL: fake.url });
//   ...; expect(fake.requests).toHaveLength(2); await fake.close();
//
// Replies are consumed in order, one per POST /v1/messages; when the queue is empty the
// `fallback` answers (by default a 500 saying nothing was scripted, so a test never passes on
// an accidental answer). A reply may be a function of the request, to answer by content.
// Usage is estimated at 4 characters a token; with `simulateCache` a prompt prefix ending in a
// `cache_control` block is written to the cache the first time and read from it afterwards,
// as the real API reports it (input_tokens then excludes the cached part).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FakeRequest {
  /** The parsed JSON body the SDK sent (model, system, messages, output_config, …). */
  body: Record<string, any>;
  headers: IncomingMessage['headers'];
  /** performance.now() when the request arrived: compare two of these, never a wall clock. */
  at: number;
}

export type FakeReply =
  | { kind: 'text'; text: string; usage?: Partial<FakeUsage>; stopReason?: string }
  | { kind: 'error'; status: number; errorType?: string; message?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | ((req: FakeRequest) => FakeReply | Promise<FakeReply>);

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A successful answer whose text is `value` as JSON (structured output). */
export const json = (value: unknown, usage?: Partial<FakeUsage>): FakeReply => ({
  kind: 'text',
  text: JSON.stringify(value),
  usage,
});
export const text = (t: string, usage?: Partial<FakeUsage>): FakeReply => ({ kind: 'text', text: t, usage });
export const error = (status: number, headers?: Record<string, string>, message?: string): FakeReply => ({
  kind: 'error',
  status,
  headers,
  message,
});
/** Accepts the request and never answers: the client's timeout (or abort) must end it. */
export const hang = (): FakeReply => ({ kind: 'hang' });

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export interface FakeAnthropic {
  url: string;
  requests: FakeRequest[];
  enqueue(...replies: FakeReply[]): void;
  /** Answers every request once the queue is empty. */
  fallback: FakeReply;
  /** Replies still queued. */
  pending(): number;
  reset(): void;
  close(): Promise<void>;
}

interface FakeOptions {
  fallback?: FakeReply;
  simulateCache?: boolean;
  /** Milliseconds to wait before every answer (0 by default). */
  latencyMs?: number;
}

export async function startFakeAnthropic(opts: FakeOptions = {}): Promise<FakeAnthropic> {
  const queue: FakeReply[] = [];
  const requests: FakeRequest[] = [];
  const cached = new Set<string>();
  const sockets = new Set<Socket>();
  let counter = 0;

  const fake: FakeAnthropic = {
    url: '',
    requests,
    fallback: opts.fallback ?? error(500, {}, 'the fake Messages API had no scripted reply'),
    enqueue: (...r) => void queue.push(...r),
    pending: () => queue.length,
    reset() {
      queue.length = 0;
      requests.length = 0;
      cached.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      return send(res, 404, {
        type: 'error',
        error: { type: 'not_found_error', message: `no route ${req.method} ${req.url}` },
      });
    }
    let body: Record<string, any>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'body is not JSON' } });
    }
    const request: FakeRequest = { body, headers: req.headers, at: performance.now() };
    requests.push(request);
    let reply: FakeReply = queue.shift() ?? fake.fallback;
    while (typeof reply === 'function') reply = await reply(request);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    if (reply.kind === 'hang') return; // the socket stays open until the client gives up or close()
    if (reply.kind === 'error') {
      const type = ERROR_TYPES[reply.status] ?? (reply.status >= 500 ? 'api_error' : 'invalid_request_error');
      return send(res, reply.status, { type: 'error', error: { type, message: reply.message ?? type } }, reply.headers);
    }
    const usage = { ...estimateUsage(body, reply.text, opts.simulateCache ? cached : undefined), ...reply.usage };
    send(res, 200, {
      id: `msg_fake_${++counter}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: reply.text, citations: null }],
      stop_reason: reply.stopReason ?? 'end_turn',
      stop_sequence: null,
      usage,
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${Date.now()}`, ...headers });
  res.end(JSON.stringify(payload));
}

const tokensOf = (s: string) => Math.ceil(s.length / 4);

/** Prompt blocks in the order the API reads them (system, then messages), with cache marks. */
function promptBlocks(body: Record<string, any>): { text: string; cache: boolean }[] {
  const blocks: { text: string; cache: boolean }[] = [];
  const add = (content: unknown) => {
    if (typeof content === 'string') return void blocks.push({ text: content, cache: false });
    for (const b of (content as any[]) ?? [])
      blocks.push({ text: typeof b.text === 'string' ? b.text : JSON.stringify(b), cache: !!b.cache_control });
  };
  add(body.system ?? []);
  for (const m of body.messages ?? []) add(m.content);
  return blocks;
}

function estimateUsage(body: Record<string, any>, answer: string, cache?: Set<string>): FakeUsage {
  const blocks = promptBlocks(body);
  const total = blocks.reduce((n, b) => n + tokensOf(b.text), 0);
  const usage: FakeUsage = {
    input_tokens: total,
    output_tokens: tokensOf(answer),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const last = blocks.map((b) => b.cache).lastIndexOf(true);
  if (!cache || last < 0) return usage;
  const prefix = blocks.slice(0, last + 1);
  const prefixTokens = prefix.reduce((n, b) => n + tokensOf(b.text), 0);
  const key = createHash('sha256')
    .update(`${body.model}\n${prefix.map((b) => b.text).join('\u0000')}`)
    .digest('hex');
  usage.input_tokens = total - prefixTokens;
  if (cache.has(key)) usage.cache_read_input_tokens = prefixTokens;
  else {
    cache.add(key);
    usage.cache_creation_input_tokens = prefixTokens;
  }
  return usage;
}
