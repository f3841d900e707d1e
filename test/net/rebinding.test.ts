// DNS rebinding: a name is resolved once per connection, every answer is checked, and the socket
// connects to the address that was checked. The names are served by a DNS server on loopback
// (test/support/dns.ts) that answers differently each time it is asked, and the guard is pointed
// at it through DNS_SERVERS' hook, `useDnsServers`: the product's own resolution path.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGuarded, resolvePinned, useDnsServers } from '../../net/guard.js';
import { safeFetch } from '../../net/http.js';
import { startGuardProxy } from '../../net/proxy.js';
import { startRebindingDns, type RebindingDns } from '../support/dns.js';

/** Two servers on one port: 127.0.0.1 (the first answer) and 127.0.0.2 (what the name rebinds to). */
let first: http.Server, second: http.Server, port: number;
const hits = { first: 0, second: 0 };
let dns: RebindingDns;
const PUBLIC = '93.184.216.34';

const listen = (s: http.Server, host: string, p: number) => new Promise<void>((r) => s.listen(p, host, r));

beforeAll(async () => {
  first = http.createServer((_q, res) => (hits.first++, res.end('first')));
  second = http.createServer((_q, res) => (hits.second++, res.end('second')));
  await listen(first, '127.0.0.1', 0);
  port = (first.address() as AddressInfo).port;
  await listen(second, '127.0.0.2', port);
  dns = await startRebindingDns({
    'check.rebind.test': [PUBLIC, '127.0.0.1'],
    'fetch.rebind.test': ['127.0.0.1', '127.0.0.2'],
    'proxy.rebind.test': ['127.0.0.1', '127.0.0.2'],
    'tunnel.rebind.test': ['127.0.0.1', '127.0.0.2'],
    'mail.rebind.test': ['127.0.0.1', '127.0.0.2'],
  });
  useDnsServers([dns.address]);
});

afterAll(async () => {
  useDnsServers();
  await dns.close();
  first.closeAllConnections();
  second.closeAllConnections();
  await Promise.all([new Promise((r) => first.close(r)), new Promise((r) => second.close(r))]);
});

describe('a name is resolved once and the checked address is the one connected to', () => {
  it('checks the answer it got and asks once; the rebound answer is refused when asked again', async () => {
    expect(await resolvePinned('check.rebind.test', false)).toEqual({ address: PUBLIC, family: 4 });
    expect(dns.asked('check.rebind.test')).toBe(1);
    await expect(resolvePinned('check.rebind.test', false)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    expect(dns.asked('check.rebind.test')).toBe(2);
  });

  it('safeFetch connects to the address it resolved and checked, not to a second answer', async () => {
    const r = await safeFetch(`http://fetch.rebind.test:${port}/`, { allowPrivate: true });
    expect(r.body.toString()).toBe('first');
    expect(dns.asked('fetch.rebind.test')).toBe(1);
    expect(hits.second).toBe(0);
  });

  it("the browser's guard proxy pins the address for plain requests and CONNECT tunnels", async () => {
    const proxy = await startGuardProxy({ allowPrivate: true });
    try {
      const viaProxy = await new Promise<string>((resolve, reject) => {
        const u = new URL(proxy.url);
        http
          .get({ host: u.hostname, port: u.port, path: `http://proxy.rebind.test:${port}/`, agent: false }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
      expect(viaProxy).toBe('first');
      expect(dns.asked('proxy.rebind.test')).toBe(1);

      // A tunnel (https, WebSockets): CONNECT, then a request through the raw tunnel.
      const u = new URL(proxy.url);
      const tunnelled = await new Promise<string>((resolve, reject) => {
        const s = net.connect(Number(u.port), u.hostname);
        let buf = '';
        s.on('data', (c: Buffer) => {
          buf += c.toString();
          if (buf.startsWith('HTTP/1.1 200') && !buf.includes('GET-SENT') && buf.includes('\r\n\r\n')) {
            buf += 'GET-SENT';
            s.write(`GET / HTTP/1.1\r\nhost: tunnel.rebind.test:${port}\r\nconnection: close\r\n\r\n`);
          }
        });
        s.on('end', () => resolve(buf));
        s.on('error', reject);
        s.write(`CONNECT tunnel.rebind.test:${port} HTTP/1.1\r\nhost: tunnel.rebind.test:${port}\r\n\r\n`);
      });
      expect(tunnelled).toMatch(/first$/);
      expect(dns.asked('tunnel.rebind.test')).toBe(1);
      expect(hits.second).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('mailbox connections go to the address checked', async () => {
    const s = await connectGuarded('smtp', 'mail.rebind.test', port, { allowPrivate: true }, 10_000);
    expect(s.remoteAddress).toBe('127.0.0.1');
    s.destroy();
    expect(dns.asked('mail.rebind.test')).toBe(1);
  });
});
