// Research → draft through both real agents: the dossier research saves is what drafting reads.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftAgent } from '../../agents/draft.js';
import { researchAgent } from '../../agents/research.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
import { sequencesForSignal } from '../../db/queries/drafting.js';
import { listSteps } from '../../db/queries/sequencing.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraftWorkspace } from './builders.js';

const PAGES: Record<string, string> = {
  '/': '<h1>Helix Materials</h1><p>Helix Materials makes recycled composite panels for builders.</p><a href="/about">About</a>',
  '/about':
    '<h1>About Helix Materials</h1><p>Helix Materials opened a second plant in Rotterdam this year.</p>' +
    '<p>The company employs 240 people.</p>',
};

describeEachBackend('research then draft', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const page = PAGES[new URL(req.url!, 'http://x').pathname];
      if (!page) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body>${page}</body></html>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    ctx = await createTestContext(get());
  });
  afterAll(async () => {
    await ctx?.stop();
    await new Promise((r) => server.close(r));
  });

  it('drafts offline from the dossier research saved, citing its facts', async () => {
    const { db } = get();
    const ws = await buildDraftWorkspace(db);
    await db.query(`UPDATE workspaces SET settings = settings || $2::jsonb WHERE id = $1`, [
      ws.id,
      JSON.stringify({ researchSiteMap: { 'helix.example': base } }),
    ]);
    const acc = (await one(
      db,
      insertAccount(ws.id, {
        name: 'Helix Materials',
        domain: 'helix.example',
        aliases: [],
        ownerId: ws.users.rep.id,
        timeZone: 'Europe/Amsterdam',
        country: 'NL',
        tags: [],
      }),
    ))!;
    const c = (await one(
      db,
      insertContact(ws.id, {
        accountId: acc.id,
        firstName: 'Daan',
        lastName: 'de Vries',
        email: 'daan@helix.example',
        title: 'Commercial Director',
        timeZone: null,
        linkedinUrl: null,
        isChampion: false,
      }),
    ))!;
    const signal = (await one<{ id: number }>(db, {
      text:
        `INSERT INTO signals (workspace_id, account_id, contact_id, type, title, fingerprint) ` +
        `VALUES ($1, $2, $3, 'news', 'Helix Materials opens a plant in Rotterdam', $4) RETURNING id`,
      values: [ws.id, acc.id, c.id, randomUUID()],
    }))!;
    const helpers = () => ({ ...ctx, jobId: randomUUID(), signal: new AbortController().signal });
    await researchAgent.handler({ signalId: signal.id }, helpers());
    await draftAgent.handler({ signalId: signal.id }, helpers());
    const [seq] = await run(db, sequencesForSignal(signal.id));
    expect(seq).toMatchObject({ status: 'pending_review', drafter: 'offline', contact_id: c.id, gate_failures: [] });
    const steps = await run(db, listSteps(seq!.id));
    expect(steps[0]!.body).toContain('Rotterdam');
    expect(steps[0]!.cited_fact_ids.length).toBeGreaterThan(0);
  });
});
