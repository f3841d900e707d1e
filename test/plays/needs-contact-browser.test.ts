// "Needs a contact" in a real browser: research finds nobody the play can write to, the signal
// waits at the top of the rep's queue with the people research found, the rep adds one, and the
// draft proceeds to the review queue.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftAgent } from '../../agents/draft.js';
import { researchAgent } from '../../agents/research.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
import { seedDefaultPlays } from '../../plays/service.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraftWorkspace } from '../drafting/builders.js';

const SITE = `<!doctype html><html><body><h1>Quill Bank</h1><p>Quill Bank builds lending software for credit unions.</p>
  <a href="/team">Team</a></body></html>`;
const TEAM = `<!doctype html><html><body><h1>Our leadership</h1>
  <div class="person"><h3>Rosa Quintero</h3><p>Chief Revenue Officer</p></div>
  <div class="person"><h3>Ian Park</h3><p>Head of Engineering</p></div></body></html>`;

describeEachBackend('needs a contact', (get) => {
  const app = useBrowserApp(get, { viewport: { width: 1280, height: 900 } });
  let site: http.Server;
  const helpers = () => ({ ...app.ctx, jobId: randomUUID(), signal: new AbortController().signal });

  beforeAll(async () => {
    site = http.createServer((req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(req.url === '/team' ? TEAM : SITE),
    );
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise((r) => site.close(r));
  });

  it('shows the signal with the people research found; the rep adds one and a draft reaches the queue', async () => {
    const { db } = get();
    const ws = await buildDraftWorkspace(db);
    await seedDefaultPlays(db, ws.id);
    const siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;
    await db.query(`UPDATE workspaces SET settings = settings || $2::jsonb WHERE id = $1`, [
      ws.id,
      JSON.stringify({ researchSiteMap: { 'quill-bank.example': siteUrl } }),
    ]);
    const acc = (await one(
      db,
      insertAccount(ws.id, {
        name: 'Quill Bank',
        domain: 'quill-bank.example',
        aliases: [],
        ownerId: ws.users.rep.id,
        timeZone: 'America/Chicago',
        country: 'US',
        tags: [],
      }),
    ))!;
    // The only contact is an engineer: no persona of the funding play fits.
    await run(
      db,
      insertContact(ws.id, {
        accountId: acc.id,
        firstName: 'Ian',
        lastName: 'Park',
        email: 'ian@quill-bank.example',
        title: 'Head of Engineering',
        timeZone: null,
        linkedinUrl: null,
        isChampion: false,
      }),
    );
    const signal = (await one<{ id: number }>(db, {
      text:
        `INSERT INTO signals (workspace_id, account_id, type, subtype, title, facts, fingerprint) ` +
        `VALUES ($1, $2, 'funding', 'series_b', 'Quill Bank raises $30M Series B', '{"round":"series_b"}', $3) RETURNING id`,
      values: [ws.id, acc.id, randomUUID()],
    }))!;
    await researchAgent.handler({ signalId: signal.id }, helpers());
    expect(
      (await one<{ status: string }>(db, { text: 'SELECT status FROM signals WHERE id = $1', values: [signal.id] }))!
        .status,
    ).toBe('needs_contact');

    const page = await app.login(ws.users.rep);
    await page.goto(`${app.base}/queue`);
    await page.getByRole('link', { name: 'Quill Bank: Quill Bank raises $30M Series B' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Needs a contact: Quill Bank');
    await expect.poll(() => page.getByText("matches none of the play's personas").count()).toBe(1);
    await page.locator('tr', { hasText: 'Rosa Quintero' }).getByRole('button', { name: 'Use' }).click();
    expect(await page.getByLabel('Title').inputValue()).toBe('Chief Revenue Officer');
    await page.getByLabel('Email').fill('rosa@quill-bank.example');
    await screenshot(page, 'needs-contact');
    await Promise.all([page.waitForURL(/\/queue/), page.getByRole('button', { name: 'Add and continue' }).click()]);

    // The research job the form queued, run here; then drafting.
    const job = await one<{ n: number }>(db, {
      text: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'research' AND (data->>'signalId')::int = $1`,
      values: [signal.id],
    });
    expect(job!.n).toBe(1);
    await researchAgent.handler({ signalId: signal.id }, helpers());
    await draftAgent.handler({ signalId: signal.id }, helpers());
    const seq = await one<{ status: string; email: string }>(db, {
      text: `SELECT q.status, c.email FROM sequences q JOIN contacts c ON c.id = q.contact_id WHERE q.signal_id = $1`,
      values: [signal.id],
    });
    expect(seq).toEqual({ status: 'pending_review', email: 'rosa@quill-bank.example' });
    await page.goto(`${app.base}/queue`);
    await expect.poll(() => page.locator('[data-queue-row]').count()).toBe(1);
    expect(await page.getByText('Needs a contact').count()).toBe(0);
  });
});
