// RevOps and managers in a real browser: a CSV import with two bad rows (mapping, preview,
// progress, per-row errors), adding a source and testing it against a feed on loopback, and
// the dashboard's numbers (every stage in signals, sequences apart) against counts taken
// straight from the database.
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importAgent } from '../../agents/import.js';
import { startAgents, type RunningAgents } from '../../agents/runtime.js';
import { one, run } from '../../db/index.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft, type BuiltDraft } from '../support/review-builders.js';

const FEED =
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Funding news</title><link>http://127.0.0.1/</link>
<item><title>Initech raises $12M &lt;script&gt;x&lt;/script&gt;</title><link>http://127.0.0.1/a</link>` +
  `<guid>a</guid><pubDate>${new Date().toUTCString()}</pubDate><description>Series A</description></item>
<item><title>Hooli opens Berlin office</title><link>http://127.0.0.1/b</link><guid>b</guid>` +
  `<pubDate>${new Date().toUTCString()}</pubDate><description>Expansion</description></item>
</channel></rss>`;

describeEachBackend(
  'RevOps and dashboard in Chromium',
  (get) => {
    const app = useBrowserApp(get, { viewport: { width: 1280, height: 900 } });
    let feed: Server;
    let feedUrl: string;
    let agents: RunningAgents;
    let page: Page;

    beforeAll(async () => {
      agents = await startAgents(app.ctx, [importAgent] as never);
      feed = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED));
      await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
      feedUrl = `http://127.0.0.1:${(feed.address() as { port: number }).port}/feed.xml`;
    });
    afterAll(async () => {
      await agents?.stop(5000);
      await new Promise((r) => feed?.close(r));
    });

    const as = async (role: 'revops' | 'manager') => {
      const r = await app.as(role);
      page = r.page;
      return r.ws;
    };

    it('imports a CSV with two bad rows: map, preview, progress, per-row errors', async () => {
      const ws = await as('revops');
      await page.goto(`${app.base}/imports`);
      await page.getByLabel('What').selectOption('accounts');
      await page.getByLabel('CSV file').setInputFiles({
        name: 'accounts.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          'Company,Site,Zone\nInitech,initech.example,America/Chicago\n,nameless.example,UTC\n' +
            'Hooli,hooli.example,Mars/Base\nGlobex,globex.example,Europe/Paris\n',
        ),
      });
      await Promise.all([
        page.waitForURL(/\/imports\/\d+\/map$/),
        page.getByRole('button', { name: 'Upload and map columns' }).click(),
      ]);
      await page.getByLabel('domain').selectOption('Site');
      await page.getByLabel('time zone').selectOption('Zone');
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect
        .poll(() => page.getByRole('status').first().textContent())
        .toContain('2 of 4 rows will be skipped (2 with errors, 0 in conflict)');
      const results = await page.locator('table.import-preview tbody tr td:nth-last-child(2)').allTextContents();
      expect(results.map((t) => t.trim())).toEqual(['new', 'error', 'error', 'new']);
      const preview = await page.locator('table.import-preview').textContent();
      expect(preview).toContain('Name (column "Company") is required');
      expect(preview).toContain('Time zone (column "Zone") must be an IANA name');
      await screenshot(page, 'import-map');
      await Promise.all([
        page.waitForURL(/\/imports\/\d+$/),
        page.getByRole('button', { name: 'Start import' }).click(),
      ]);
      await expect
        .poll(
          async () => (await page.reload(), page.locator('[data-import-status]').getAttribute('data-import-status')),
          { timeout: 20_000 },
        )
        .toBe('done');
      // Whitespace as the browser renders it: the template wraps lines inside the summary.
      const text = (await page.locator('#main').textContent())!.replace(/\s+/g, ' ');
      expect(text).toContain('4 of 4 rows, 2 created, 0 updated, 0 unchanged, 2 with errors');
      expect(text).toContain('Name (column "Company") is required');
      expect(text).toContain('Time zone (column "Zone") must be an IANA name');
      await screenshot(page, 'import-done');
      const names = await run<{ name: string }>(app.ctx.db, {
        text: 'SELECT name FROM accounts WHERE workspace_id = $1 ORDER BY name',
        values: [ws.id],
      });
      expect(names.map((n) => n.name)).toEqual(['Globex', 'Initech']);
    });

    it('adds a source and tests it: the parsed items are shown as text', async () => {
      const ws = await as('revops');
      await page.goto(`${app.base}/settings/sources`);
      await page.getByLabel('Kind').selectOption('feed');
      await page.getByLabel('Name').fill('Funding news');
      await page.getByLabel('URL').fill(feedUrl);
      await page.getByRole('button', { name: 'Add source' }).click();
      await expect.poll(() => page.locator('[data-source-id]').count()).toBe(1);
      await page.getByRole('button', { name: 'Test now' }).click();
      await expect.poll(() => page.locator('.test-items li').count(), { timeout: 20_000 }).toBe(2);
      expect(await page.locator('.test-items').textContent()).toContain('Initech raises $12M');
      expect(await page.locator('#main script').count()).toBe(0);
      await screenshot(page, 'sources');
      await page.getByRole('button', { name: 'Disable' }).click();
      const row = await one<{ enabled: boolean }>(app.ctx.db, {
        text: 'SELECT enabled FROM signal_sources WHERE workspace_id = $1',
        values: [ws.id],
      });
      expect(row!.enabled).toBe(false);
    });

    it("shows the funnel with the database's counts, and exports it", async () => {
      const ws = await as('manager');
      const rep = ws.users.rep.id;
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
      const built: BuiltDraft[] = [];
      for (const [type, status] of [
        ['funding', 'active'],
        ['funding', 'active'],
        ['funding', 'pending_review'],
        ['hiring', 'active'],
        ['hiring', 'rejected'],
        ['funding', 'active'],
      ] as const) {
        built.push(
          await buildDraft(app.ctx.db, {
            workspaceId: ws.id,
            ownerId: rep,
            signalType: type,
            status,
            detectedAt: hoursAgo(30),
          }),
        );
      }
      // A second contact reached for the first signal: one signal, two sequences (the sixth
      // draft's own signal is left matched but never drafted).
      await run(app.ctx.db, {
        text: 'UPDATE sequences SET signal_id = $2 WHERE id = $1',
        values: [built[5]!.sequenceId, built[0]!.signalId],
      });
      await run(app.ctx.db, {
        text: `INSERT INTO signals (workspace_id, type, title, fingerprint, status) VALUES ($1, 'news', 'Unmatched', $2, 'unmatched')`,
        values: [ws.id, `fp-unmatched-${ws.id}`],
      });
      await run(app.ctx.db, {
        values: [ws.id],
        text:
          `UPDATE sequences SET approved_at = created_at + interval '2 hours', approved_by = owner_id ` +
          `WHERE workspace_id = $1 AND status = 'active'`,
      });
      const ev = (type: string, i: number, data = '{}') =>
        run(app.ctx.db, {
          text:
            `INSERT INTO events (workspace_id, type, sequence_id, step_id, data, occurred_at) ` +
            `VALUES ($1, $2, $3, $4, $5, now() - interval '1 hour')`,
          values: [ws.id, type, built[i]!.sequenceId, type === 'sent' ? built[i]!.stepIds[0] : null, data],
        });
      await ev('sent', 0);
      await ev('sent', 1);
      await ev('sent', 3);
      await ev('reply', 0, '{"intent":"interested"}');
      await ev('reply', 3, '{"intent":"not_interested"}');
      await ev('meeting_booked', 0);
      await ev('sent', 5);
      await ev('reply', 5, '{"intent":"interested"}');

      await page.goto(`${app.base}/dashboard`);
      const cell = async (key: string, stage: string) =>
        Number(await page.locator(`tr[data-key="${key}"] td[data-stage="${stage}"] .n`).first().textContent());
      const count = async (text: string) => (await one<{ n: number }>(app.ctx.db, { text, values: [ws.id] }))!.n;
      const db = {
        signals: await count(`SELECT count(*)::int AS n FROM signals WHERE workspace_id = $1`),
        matched: await count(
          `SELECT count(*)::int AS n FROM signals WHERE workspace_id = $1 AND account_id IS NOT NULL`,
        ),
        // Every stage from drafted on counts signals (distinct signal_id), not sequences.
        drafted: await count(`SELECT count(DISTINCT signal_id)::int AS n FROM sequences WHERE workspace_id = $1`),
        approved: await count(
          `SELECT count(DISTINCT signal_id)::int AS n FROM sequences WHERE workspace_id = $1 AND approved_at IS NOT NULL`,
        ),
        sent: await count(
          `SELECT count(DISTINCT q.signal_id)::int AS n FROM events e JOIN sequences q ON q.id = e.sequence_id ` +
            `WHERE e.workspace_id = $1 AND e.type = 'sent'`,
        ),
        replied: await count(
          `SELECT count(DISTINCT q.signal_id)::int AS n FROM events e JOIN sequences q ON q.id = e.sequence_id ` +
            `WHERE e.workspace_id = $1 AND e.type = 'reply'`,
        ),
        positive: await count(
          `SELECT count(DISTINCT q.signal_id)::int AS n FROM events e JOIN sequences q ON q.id = e.sequence_id ` +
            `WHERE e.workspace_id = $1 AND e.type = 'reply' AND e.data->>'intent' IN ('interested', 'meeting_request')`,
        ),
        meetings: await count(
          `SELECT count(DISTINCT q.signal_id)::int AS n FROM events e JOIN sequences q ON q.id = e.sequence_id ` +
            `WHERE e.workspace_id = $1 AND e.type = 'meeting_booked'`,
        ),
      };
      // Sequences (one per contact reached) are counted apart from the stages.
      const sequences = await count(`SELECT count(*)::int AS n FROM sequences WHERE workspace_id = $1`);
      expect(sequences).toBe(6);
      expect(db).toEqual({
        signals: 7,
        matched: 6,
        drafted: 5,
        approved: 3,
        sent: 3,
        replied: 2,
        positive: 1,
        meetings: 1,
      });
      for (const [stage, n] of Object.entries(db)) expect(await cell('All', stage), stage).toBe(n);
      expect(Number(await page.locator('tr[data-key="All"] td[data-stage="sequences"]').first().textContent())).toBe(
        sequences,
      );
      expect(await page.locator('tr[data-key="All"] td[data-stage="contacts-per-signal"]').first().textContent()).toBe(
        (sequences / db.drafted).toFixed(1),
      );
      const fundingSent = await count(
        `SELECT count(DISTINCT q.signal_id)::int AS n FROM events e JOIN sequences q ON q.id = e.sequence_id ` +
          `JOIN signals s ON s.id = q.signal_id WHERE e.workspace_id = $1 AND e.type = 'sent' AND s.type = 'funding'`,
      );
      expect(fundingSent).toBe(2);
      expect(await cell('funding', 'sent')).toBe(fundingSent);
      expect(await cell('funding', 'signals')).toBe(4);
      expect(await page.locator('svg#funnel-chart rect').count()).toBe(8);
      await screenshot(page, 'dashboard');

      const csv = await page.request.get(`${app.base}/dashboard.csv?dim=signal_type`);
      expect(csv.headers()['content-type']).toMatch(/text\/csv/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe(
        'signal_type,signals,matched,drafted,approved,sent,replied,positive,meetings,sequences,' +
          'reply_rate,meeting_rate,signal_to_first_send_hours',
      );
      expect(lines.at(-1)!.split(',').slice(0, 10)).toEqual([
        'All',
        ...Object.values(db).map(String),
        String(sequences),
      ]);
      const api = await page.request.get(`${app.base}/api/funnel?dim=rep`, { headers: { accept: 'application/json' } });
      expect(((await api.json()) as { total: { counts: Record<string, number> } }).total.counts).toEqual(db);
    });
  },
  ['postgres'],
);
