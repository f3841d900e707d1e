// A source whose poll failed, on the sources page: the reason in words ("The address … could not be
// found (DNS)", "The server refused the connection", "The server answered 404 Not Found") with the codes in
// brackets, never the system's raw text ("getaddrinfo ENOTFOUND …", "connect ECONNREFUSED 127.0.0.1:…").
// Real failures on loopback (a server answering 404, a port nobody listens on) and a name under .invalid,
// through the real poll path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { insertSource, type SignalSourceRow } from '../../db/queries/signal-sources.js';
import { escapeHtml } from '../../review-ui/html.js';
import { pollSource } from '../../signals/poll.js';
import { describeEachBackend } from '../support/db.js';
import { useSourcesWeb } from '../support/sources-web.js';

describeEachBackend(
  'a failed poll on the sources page',
  (get) => {
    const app = useSourcesWeb(get);
    let server: http.Server;
    let base = '';
    let closedPort = 0;
    beforeAll(async () => {
      server = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('no'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // A port that was just free and is closed again: connecting to it is refused.
      const gone = http.createServer();
      await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
      closedPort = (gone.address() as AddressInfo).port;
      await new Promise((r) => gone.close(r));
    });
    afterAll(() => new Promise((r) => server?.close(r)));

    const failed = async (name: string, url: string) => {
      const s = (await one(
        app.ctx.db,
        insertSource(app.ws.id, { kind: 'feed', name, url, config: {}, pollIntervalMinutes: 60 }),
      ))!;
      const r = await pollSource({ ...app.ctx, enqueueResearch: async () => {} }, s.id);
      expect(r.ok, name).toBe(false);
      return (await one<SignalSourceRow>(app.ctx.db, {
        text: 'SELECT * FROM signal_sources WHERE id = $1',
        values: [s.id],
      }))!.last_error!;
    };

    it('stores and shows the reason in words, escaped, with the codes in brackets', async () => {
      const errors = {
        missing: await failed('Missing <feed>', `${base}/gone.xml`),
        refused: await failed('Refused & co', `http://127.0.0.1:${closedPort}/feed.xml`),
        unknown: await failed('Unknown "name"', 'http://feeds.prospector-test.invalid/feed.xml'),
      };
      expect(errors.missing).toBe('The server answered 404 Not Found [FETCH_FAILED]');
      expect(errors.refused).toBe('The server refused the connection [FETCH_FAILED ECONNREFUSED]');
      expect(errors.unknown).toMatch(
        /^The address feeds\.prospector-test\.invalid could not be found \(DNS\) \[FETCH_FAILED (ENOTFOUND|EAI_AGAIN)\]$/,
      );
      const page = (await app.page.page('/settings/sources')).html;
      for (const e of Object.values(errors)) expect(page).toContain(`<span class="bad">${escapeHtml(e)}</span>`);
      expect(page).toContain(escapeHtml('Missing <feed>'));
      for (const raw of ['getaddrinfo', 'connect ECONNREFUSED', 'answered HTTP 404']) expect(page).not.toContain(raw);
    });
  },
  ['pglite'],
);
