// Anonymous signed endpoints (both backends): a body larger than the endpoint needs, or a request
// whose headers cannot carry a valid signature, is refused before the body is read (the answer
// arrives while the client is still sending, and the connection closes); the signature is checked
// before any work; and an anonymous request never creates state (the workspace's inbound secret).
import http from 'node:http';
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { signTimestamped } from '../../sequencing/tracking.js';
import { describeEachBackend } from '../support/db.js';
import { useWebApp } from '../support/web.js';

/** Sends the headers and 1 KB of a body declared as `declared` bytes, and waits for the answer without sending more. */
function partialPost(base: string, path: string, headers: Record<string, string>, declared: number) {
  const url = new URL(path, base);
  return new Promise<{ status: number; body: string; closed: Promise<void> }>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(declared), 'content-type': 'message/rfc822' },
    });
    const closed = new Promise<void>((r) => req.on('close', () => r()));
    req.on('error', () => undefined);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, closed }));
      res.on('error', reject);
    });
    req.flushHeaders();
    req.write(Buffer.alloc(1024, 'x'));
    setTimeout(() => reject(new Error('no answer while the body was still being sent')), 10_000).unref();
  });
}

describeEachBackend('anonymous webhooks', (get) => {
  const app = useWebApp(get);

  it('refuses an inbound-mail body over the limit before reading it, and closes the connection', async () => {
    const sig = signTimestamped('not-the-secret', '');
    const res = await partialPost(app.base, '/api/inbound?mailbox=1', { 'x-prospector-signature': sig }, 60 << 20);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('TOO_LARGE');
    await res.closed;
  });

  it('refuses unsigned or malformed requests on every signed endpoint before reading the body', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/api/inbound?mailbox=1', {}],
      ['/api/inbound?mailbox=1', { 'x-prospector-signature': 't=1,v1=' + 'a'.repeat(64) }], // stale
      ['/api/inbound', { 'x-prospector-signature': signTimestamped('x', '') }], // no mailbox
      ['/api/events', { 'x-prospector-workspace': '1', 'x-prospector-signature': 'nope' }],
      ['/api/signals', { 'x-prospector-source': 'abc', 'x-prospector-signature': 'sha256=' + 'a'.repeat(64) }],
      [`/api/webhooks/booking/calcom/1`, {}],
      [`/api/webhooks/booking/other/1`, { 'x-cal-signature-256': 'a'.repeat(64) }],
    ];
    for (const [path, headers] of cases) {
      const res = await partialPost(app.base, path, headers, 200_000);
      expect([path, res.status]).toEqual([path, 401]);
      await res.closed;
    }
  });

  it('never creates the workspace inbound secret for an anonymous event, signed or not', async () => {
    const { ws, ctx } = app;
    const secret = async () =>
      (await one<{ s: string | null }>(ctx.db, {
        text: 'SELECT inbound_secret_enc AS s FROM workspaces WHERE id = $1',
        values: [ws.id],
      }))!.s;
    expect(await secret()).toBeNull();
    const res = await fetch(`${app.base}/api/events`, {
      method: 'POST',
      headers: { 'x-prospector-workspace': String(ws.id), 'x-prospector-signature': 'sha256=' + 'b'.repeat(64) },
      body: JSON.stringify({ event: 'signup', email: 'x@y.example' }),
    });
    expect(res.status).toBe(401);
    expect(await secret()).toBeNull();
  });

  it('answers an inbound post for an unknown mailbox as it answers a wrong signature', async () => {
    const body = 'From: a@b.example\r\nSubject: hi\r\n\r\nhello';
    const res = await fetch(`${app.base}/api/inbound?mailbox=999999`, {
      method: 'POST',
      headers: { 'x-prospector-signature': signTimestamped('wrong', body), 'content-type': 'message/rfc822' },
      body,
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe('Missing or invalid signature.');
  });
});
