// The two agents: the tick claims due sources and enqueues one poll each (not again on the next
// tick), turns pending contact changes into signals; the poll agent polls through pg-boss.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pollSourceAgent, signalsTickAgent } from '../../agents/poll-source.js';
import type { Helpers } from '../../agents/runtime.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertSource, type SignalSourceRow } from '../../db/queries/signal-sources.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { fixtureServer, send, type FixtureServer } from './http-fixture.js';

let srv: FixtureServer;
beforeAll(async () => {
  srv = await fixtureServer({
    '/feed.xml': send(
      'application/rss+xml',
      `<rss version="2.0"><channel><title>w</title><link>https://w.example/</link>
      <item><title>Orchid Bio secures $25M Series A led by Lux Capital</title><link>https://w.example/o</link>` +
        `<pubDate>${new Date(Date.now() - 3600_000).toUTCString()}</pubDate></item></channel></rss>`,
    ),
  });
});
afterAll(async () => srv?.close());

describeEachBackend('signal agents', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  const helpers = (): Helpers => ({ ...ctx, jobId: 'test', signal: new AbortController().signal });
  const pollJobs = () =>
    run<{ data: { sourceId: number } }>(ctx.db, {
      text: `SELECT data FROM pgboss.job WHERE name = 'signals.poll' ORDER BY created_on`,
      values: [],
    });

  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(ctx.db);
    await run(
      ctx.db,
      insertAccount(ws.id, {
        name: 'Orchid Bio',
        domain: 'orchid.example',
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: [],
      }),
    );
  });
  afterAll(async () => ctx?.stop());

  it('the tick enqueues one poll per due source, and none for a source it already claimed', async () => {
    const s = await one(
      ctx.db,
      insertSource(ws.id, {
        kind: 'feed',
        name: 'Wire',
        url: `${srv.base}/feed.xml`,
        config: {},
        secretEnc: null,
        pollIntervalMinutes: 30,
      }),
    );
    await one(
      ctx.db,
      insertSource(ws.id, {
        kind: 'webhook',
        name: 'Hook',
        url: null,
        config: {},
        secretEnc: null,
        pollIntervalMinutes: 30,
      }),
    );
    await signalsTickAgent.handler({}, helpers());
    await signalsTickAgent.handler({}, helpers());
    expect((await pollJobs()).map((j) => j.data.sourceId)).toEqual([s!.id]);
    const after = await one<SignalSourceRow>(ctx.db, {
      text: 'SELECT * FROM signal_sources WHERE id = $1',
      values: [s!.id],
    });
    expect(after!.next_poll_at!.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
  });

  it('the poll agent polls the source and queues research for the new signal', async () => {
    const [job] = await pollJobs();
    await pollSourceAgent.handler(job!.data, helpers());
    const s = await one<{ id: number; status: string; type: string }>(ctx.db, {
      text: `SELECT id, status, type FROM signals WHERE workspace_id = $1`,
      values: [ws.id],
    });
    expect(s).toMatchObject({ status: 'new', type: 'funding' });
    const research = await run<{ data: { signalId: number } }>(ctx.db, {
      text: `SELECT data FROM pgboss.job WHERE name = 'research'`,
      values: [],
    });
    expect(research.map((r) => r.data.signalId)).toEqual([s!.id]);
  });
});
