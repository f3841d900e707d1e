// The model's second opinion on items no rule recognised, through the real SDK against a fake
// Messages API: used when valid, ignored when off-schema or failing, asked once per item.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import type { SignalRow } from '../../db/queries/signals.js';
import { ingestItems } from '../../signals/ingest.js';
import type { RawItem } from '../../signals/types.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { error, json, startFakeAnthropic, text, type FakeAnthropic } from '../support/fake-anthropic.js';

const NOW = new Date(Date.UTC(2026, 2, 10, 12));
const item = (key: string, title: string, summary = ''): RawItem => ({
  key,
  title,
  summary,
  url: `https://blog.example/${key}`,
  publishedAt: NOW,
  links: [],
});

describeEachBackend('signals: LLM second opinion', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let fake: FakeAnthropic;
  let ws: TestWorkspace;
  const ingest = (items: RawItem[]) =>
    ingestItems({ ...ctx, enqueueResearch: researchEnqueuer(ctx.boss) }, items, {
      workspaceId: ws.id,
      sourceId: null,
      now: NOW,
    });
  const signal = (title: string) =>
    one<SignalRow>(ctx.db, {
      text: 'SELECT * FROM signals WHERE workspace_id = $1 AND title = $2',
      values: [ws.id, title],
    });

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    ctx = await createTestContext(get(), { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url });
    ws = await buildWorkspace(ctx.db);
    for (const name of ['Orchid Bio', 'Helix Materials', 'Granite Legal']) {
      await run(
        ctx.db,
        insertAccount(ws.id, {
          name,
          domain: null,
          aliases: [],
          ownerId: null,
          timeZone: null,
          country: null,
          tags: [],
        }),
      );
    }
  });
  afterAll(async () => {
    await ctx?.stop();
    await fake?.close();
  });

  it('asks about a matched item the rules left as news/other, once, and uses a valid answer', async () => {
    fake.enqueue(
      json({
        type: 'funding',
        subtype: 'series_a',
        amount: 12_000_000,
        currency: 'USD',
        person: null,
        newTitle: null,
        role: null,
      }),
    );
    const it1 = item(
      'o1',
      'A big day for Orchid Bio',
      'Our thanks to the investors who believe in our early detection work.',
    );
    const r = await ingest([it1]);
    expect(r).toMatchObject({ created: 1, researchQueued: 1 });
    expect(await signal('A big day for Orchid Bio')).toMatchObject({
      type: 'funding',
      subtype: 'series_a',
      status: 'new',
      facts: expect.objectContaining({ amount: 12e6, currency: 'USD', classifiedBy: 'llm' }),
    });
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(fake.requests[0]!.body.messages)).toContain('A big day for Orchid Bio');
    // The feed repeats the item on the next poll: no second call.
    await ingest([it1]);
    expect(fake.requests).toHaveLength(1);
    const usage = await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM llm_usage WHERE purpose = 'classify_signal' AND workspace_id = $1`,
      values: [ws.id],
    });
    expect(usage!.n).toBe(1);
  });

  it('keeps the rules’ verdict when the answer is off-schema or the call fails', async () => {
    fake.enqueue(text('{"type":"gossip"}'), error(400));
    await ingest([
      item('h1', 'Helix Materials: notes from the factory floor'),
      item('g1', 'Granite Legal at the Legal Geek conference'),
    ]);
    expect(await signal('Helix Materials: notes from the factory floor')).toMatchObject({
      type: 'news',
      subtype: 'other',
      status: 'dismissed',
    });
    expect(await signal('Granite Legal at the Legal Geek conference')).toMatchObject({
      type: 'news',
      subtype: 'other',
      status: 'dismissed',
    });
  });

  it('does not ask about items the rules recognised or that match no account', async () => {
    const before = fake.requests.length;
    await ingest([
      item('o2', 'Orchid Bio launches a liquid biopsy panel'),
      item('u1', 'Some unknown company had a nice offsite'),
    ]);
    expect(fake.requests.length).toBe(before);
  });
});
