// A loopback server speaking just enough of the Messages API for the real SDK: POST /v1/messages
// answers with the JSON the test sets, and every request body is kept for inspection.
import http, { type Server } from 'node:http';

export interface FakeAnthropic {
  baseURL: string;
  requests: { system?: unknown; messages: { role: string; content: unknown }[]; output_config?: unknown }[];
  answer: unknown;
  close(): Promise<void>;
}

export async function startFakeAnthropic(answer: unknown = { facts: [] }): Promise<FakeAnthropic> {
  const fake: FakeAnthropic = { baseURL: '', requests: [], answer, close: async () => {} };
  const server: Server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method !== 'POST' || !req.url!.startsWith('/v1/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'no such route' } }));
    }
    const parsed = JSON.parse(body) as FakeAnthropic['requests'][number] & { model: string };
    fake.requests.push(parsed);
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${fake.requests.length}` });
    res.end(
      JSON.stringify({
        id: `msg_${fake.requests.length}`,
        type: 'message',
        role: 'assistant',
        model: parsed.model,
        content: [{ type: 'text', text: JSON.stringify(fake.answer) }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1234, output_tokens: 321, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
