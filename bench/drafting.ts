// Drafting benchmark: research → draft through the real agents, with a zero-latency fake
// Messages API on loopback and small fixture sites on loopback, on embedded PGlite.
//
//   npx tsx bench/drafting.ts [signals=20]
//
// Prints drafts per minute for research alone (the baseline, same run), research + offline
// draft, and research + Claude draft (fake, zero latency, so this measures our own overhead);
// prompt tokens per draft with and without prompt caching (the fake estimates 4 characters a
// token and caches the system prefix as the API does); and the cost of one 5-step sequence at
// list price for a few models. Research runs with its heuristic extractor (no LLM), so every
// model call counted here is a drafting call.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ANTHROPIC_PRICES } from '../config.js';
import { draftAgent } from '../agents/draft.js';
import { researchAgent } from '../agents/research.js';
import { startBoss } from '../agents/boss.js';
import { assembleContext, type AppContext } from '../context.js';
import { one, type Sql } from '../db/index.js';
import { insertAccount } from '../db/queries/accounts.js';
import { insertContact } from '../db/queries/contacts.js';
import { migrate } from '../db/migrate.js';
import { workspaceSettings } from '../db/queries/step-approval.js';
import { openPglite } from '../db/pglite.js';
import { costUsd } from '../llm/pricing.js';
import { createLogger } from '../log.js';
import { createSecretBox } from '../secret-box.js';
import { startFakeAnthropic, type FakeRequest, type FakeReply } from '../test/support/fake-anthropic.js';
import { buildDraftWorkspace } from '../test/drafting/builders.js';
import { testConfig } from '../test/support/context.js';

const N = Number(process.argv[2] ?? 20);

/** A company site: homepage, about and blog pages with a few plain facts. */
function startSites() {
  const page = (title: string, body: string, links = '') =>
    `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}${links}</body></html>`;
  const server = http.createServer((req, res) => {
    const p = new URL(req.url!, 'http://x').pathname;
    const n = /^\/site\/(\d+)\//.exec(p)?.[1] ?? '0';
    const name = `Company ${n}`;
    res.writeHead(p.endsWith('robots.txt') ? 200 : 200, {
      'content-type': p.endsWith('robots.txt') ? 'text/plain' : 'text/html',
    });
    if (p.endsWith('robots.txt')) return res.end('User-agent: *\n');
    if (p.endsWith('/about'))
      return res.end(
        page(
          `About ${name}`,
          `<p>${name} builds analytics software for logistics teams.</p><p>The company has 120 employees in Denver and Austin.</p>`,
        ),
      );
    if (p.endsWith('/blog'))
      return res.end(page(`${name} blog`, `<p>${name} raised a $12M Series A to double its sales team this year.</p>`));
    return res.end(
      page(
        name,
        `<p>${name} helps operations teams plan shipments.</p>`,
        '<a href="about">About</a> <a href="blog">Blog</a>',
      ),
    );
  });
  return new Promise<{ base: string; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** A valid five-step answer citing the first fact id found in the prompt. */
const answer: FakeReply = (req: FakeRequest) => {
  const prompt = JSON.stringify(req.body.messages);
  const factId = Number(/\\"id\\": (\d+)/.exec(prompt)?.[1] ?? 0);
  const steps = [
    {
      subject: 'Congrats on the funding round',
      body:
        'Hi there,\n\nCongratulations on the new funding round. ' +
        'Teams that grow quickly usually need reps on accounts that are in motion now.\n\n' +
        'Would a short call next week be useful?',
      citedFactIds: factId ? [factId] : [],
    },
    {
      subject: '',
      body:
        'Hi there,\n\nOne more thought: every email we help write cites a verifiable reason to reach out, ' +
        'which keeps quality high while the team grows.',
      citedFactIds: [],
    },
    {
      subject: '',
      body: 'Quick question: who owns outbound research on your side today? Happy to send a short written summary instead of a call.',
      citedFactIds: [],
    },
    {
      subject: '',
      body: 'A different angle: managers see which signals turn into meetings, by rep and by step, without building a report.',
      citedFactIds: [],
    },
    {
      subject: '',
      body: 'I will stop here so I do not crowd your inbox. If this becomes a priority, a reply is all it takes.',
      citedFactIds: [],
    },
  ];
  return { kind: 'text', text: JSON.stringify({ steps }) };
};

async function main() {
  const sites = await startSites();
  const fake = await startFakeAnthropic({ fallback: answer, simulateCache: true });
  const db = await openPglite();
  await migrate(db);
  const boss = await startBoss(db, { supervise: false });
  const base = testConfig({}, { LOG_LEVEL: 'silent' });
  const ctx = assembleContext(
    { db, boss, config: base, log: createLogger('silent'), secrets: createSecretBox(base.appSecret), llm: undefined },
    async () => {
      await boss.stop({ graceful: false, wait: true, close: true });
      await db.close();
    },
  );
  const withKey = {
    ...ctx,
    config: testConfig(
      {},
      {
        LOG_LEVEL: 'silent',
        ANTHROPIC_API_KEY: 'bench',
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_MODEL: 'claude-sonnet-5-5',
        DRAFT_CONCURRENCY: '4',
      },
    ),
  };
  const ws = await buildDraftWorkspace(db);
  const siteMap: Record<string, string> = {};
  let n = 0;

  async function makeSignals(count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const k = ++n;
      const domain = `company-${k}.example`;
      siteMap[domain] = `${sites.base}/site/${k}/`;
      const acc = (await one(
        db,
        insertAccount(ws.id, {
          name: `Company ${k}`,
          domain,
          aliases: [],
          ownerId: ws.users.rep.id,
          timeZone: 'UTC',
          country: 'US',
          tags: [],
        }),
      ))!;
      const c = (await one(
        db,
        insertContact(ws.id, {
          accountId: acc.id,
          firstName: 'Alex',
          lastName: 'Doe',
          email: `alex@${domain}`,
          title: 'VP Sales',
          timeZone: null,
          linkedinUrl: null,
          isChampion: false,
        }),
      ))!;
      const insertSignal: Sql<{ id: number }> = {
        text: `INSERT INTO signals (workspace_id, account_id, contact_id, type, title, url, fingerprint)
               VALUES ($1, $2, $3, 'funding', $4, NULL, $5) RETURNING id`,
        values: [ws.id, acc.id, c.id, `Company ${k} raises $12M Series A`, `bench-${k}`],
      };
      const s = (await one(db, insertSignal))!;
      ids.push(s.id);
    }
    const settings = (await one(db, workspaceSettings(ws.id)))!.settings;
    await db.query('UPDATE workspaces SET settings = $2 WHERE id = $1', [
      ws.id,
      JSON.stringify({ ...settings, researchSiteMap: siteMap }),
    ]);
    return ids;
  }

  const helpers = (c: AppContext) => ({ ...c, jobId: randomUUID(), signal: new AbortController().signal });
  async function timed(label: string, draft: AppContext | null, count = N): Promise<number> {
    const ids = await makeSignals(count);
    const started = performance.now();
    for (const id of ids) {
      await researchAgent.handler({ signalId: id }, helpers(ctx));
      if (draft) await draftAgent.handler({ signalId: id }, helpers(draft));
    }
    const perMin = (count / (performance.now() - started)) * 60_000;
    if (label) console.log(`${label.padEnd(34)} ${perMin.toFixed(0).padStart(7)} per minute`);
    return perMin;
  }

  console.log(
    `drafting bench: ${N} funding signals per mode, PGlite, loopback sites, fake Messages API at zero latency\n`,
  );
  // Warm up every path (JIT, connection setup, the fake's cache) before measuring.
  await timed('', null, 3);
  await timed('', ctx, 3);
  await timed('', withKey, 3);
  fake.reset();
  await db.query('DELETE FROM llm_usage');
  const baseline = await timed('research only (baseline)', null);
  const offline = await timed('research + offline draft', ctx);
  const llm = await timed('research + Claude draft (fake)', withKey);
  console.log(
    `\nratio to baseline: offline ${(offline / baseline).toFixed(2)}x, ` +
      `Claude (fake) ${(llm / baseline).toFixed(2)}x of research-only throughput`,
  );

  const facts = (
    await db.query<{ n: number }>(
      'SELECT (count(*)::float8 / greatest(1, (SELECT count(*) FROM dossiers))) AS n FROM facts',
    )
  ).rows[0]!.n;
  console.log(`facts per dossier from the heuristic extractor: ${facts.toFixed(1)}`);
  const drafts = fake.requests.length;
  const { rows } = await db.query<{ input: number; output: number; cr: number; cw: number }>(
    `SELECT sum(input_tokens)::int AS input, sum(output_tokens)::int AS output,
            sum(cache_read_tokens)::int AS cr, sum(cache_write_tokens)::int AS cw FROM llm_usage`,
  );
  const u = rows[0]!;
  const prompt = (u.input + u.cr + u.cw) / drafts;
  console.log(
    `\nprompt tokens per call: ${prompt.toFixed(0)} in all; ` +
      `with caching ${((u.input + u.cw) / drafts).toFixed(0)} uncached + ${(u.cr / drafts).toFixed(0)} read from cache ` +
      `(${drafts} calls, ${(u.output / drafts).toFixed(0)} output tokens each)`,
  );
  console.log(
    `note: the cached prefix (rules + playbook) is about ${(u.cr / drafts).toFixed(0)} tokens; ` +
      `the API caches a prefix only from 1,024 tokens (Sonnet/Opus) or more, so a short playbook is not cached in practice`,
  );
  console.log('\ncost of one 5-step sequence (one call) at list price, with caching / without:');
  for (const model of ['claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-opus-5-5', 'claude-sonnet-4-5']) {
    const per = {
      inputTokens: u.input / drafts,
      outputTokens: u.output / drafts,
      cacheReadTokens: u.cr / drafts,
      cacheWriteTokens: u.cw / drafts,
    };
    const cached = costUsd(model, per);
    const plain = costUsd(model, {
      inputTokens: prompt,
      outputTokens: per.outputTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    const p = ANTHROPIC_PRICES[model]!;
    console.log(
      `  ${model.padEnd(20)} $${cached.toFixed(5)} / $${plain.toFixed(5)}   ($${p.input} in, $${p.output} out per MTok)`,
    );
  }
  await ctx.stop();
  await fake.close();
  await sites.close();
}

await main();
