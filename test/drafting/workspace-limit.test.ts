// The drafting limit per workspace holds across processes: two workers on one database (two
// contexts, two pg-boss instances) never have more than DRAFT_CONCURRENCY model calls in flight
// for a workspace, counted at the fake Messages API.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftAgent } from '../../agents/draft.js';
import { Queues } from '../../agents/queues.js';
import { startAgents, type RunningAgents } from '../../agents/runtime.js';
import type { RunningContext } from '../../context.js';
import { withWorkspaceLimit } from '../../drafting/workspace-limit.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { json, startFakeAnthropic, type FakeAnthropic, type FakeRequest } from '../support/fake-anthropic.js';
import { buildDraftWorkspace, buildScene, goodFundingDraft, type Scene } from './builders.js';

const LIMIT = 2;
const SIGNALS = 6;
const ANSWER_MS = 400;

describeEachBackend('drafts in flight per workspace', (get) => {
  let fake: FakeAnthropic;
  const workers: { ctx: RunningContext; agents: RunningAgents }[] = [];
  let scenes: Scene[] = [];
  let inFlight = 0;
  let peak = 0;
  const keys = new Set<string>();

  beforeAll(async () => {
    fake = await startFakeAnthropic({
      fallback: async (req: FakeRequest) => {
        keys.add(String(req.headers.authorization).replace('Bearer ', ''));
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, ANSWER_MS));
        inFlight--;
        const asked = JSON.stringify(req.body);
        const scene = scenes.find((s) => asked.includes(s.fixture.account.domain))!;
        return json(goodFundingDraft(scene.factIds, scene.fixture.account.domain));
      },
    });
    // Two worker processes: each its own context, pg-boss and draft agent (2 jobs at once each).
    for (const key of ['worker-a', 'worker-b']) {
      const ctx = await createTestContext(get(), {
        ANTHROPIC_API_KEY: key,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_MODEL: 'claude-sonnet-5-5',
        ANTHROPIC_MAX_RETRIES: '0',
        DRAFT_CONCURRENCY: String(LIMIT),
      });
      workers.push({ ctx, agents: await startAgents(ctx, [draftAgent] as never) });
    }
  });
  afterAll(async () => {
    for (const w of workers) await w.agents.stop(5000);
    for (const w of workers) await w.ctx.stop();
    await fake?.close();
  });

  it(`two workers on one database draft at most ${LIMIT} at once for a workspace`, async () => {
    const db = get().db;
    const ws = await buildDraftWorkspace(db);
    scenes = [];
    for (let i = 0; i < SIGNALS; i++) scenes.push(await buildScene(db, ws, 'funding'));
    for (const s of scenes) await workers[0]!.ctx.boss.send(Queues.draft.name, { signalId: s.signalId });
    await eventually(
      'every signal drafted',
      async () => {
        const r = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM signals WHERE workspace_id = $1 AND status = 'drafted'`,
          [ws.id],
        );
        return r.rows[0]!.n === SIGNALS;
      },
      { timeout: 90_000 },
    );
    expect(fake.requests.length).toBeGreaterThanOrEqual(SIGNALS);
    // Both processes drafted, and together they kept to the workspace's limit (each alone allows 2).
    expect([...keys].sort()).toEqual(['worker-a', 'worker-b']);
    expect(peak).toBe(LIMIT);
    const left = await db.query(`SELECT * FROM draft_slots WHERE workspace_id = $1`, [ws.id]);
    expect(left.rows).toEqual([]);
  });

  it('takes over a slot whose holder stopped renewing it (a killed process) once its lease ran out', async () => {
    const db = get().db;
    const ws = await buildDraftWorkspace(db);
    await db.query(
      `INSERT INTO draft_slots (workspace_id, slot, holder, expires_at)
       VALUES ($1, 0, 'killed', now() - interval '1 second'), ($1, 1, 'alive', now() + interval '1 minute')`,
      [ws.id],
    );
    const held = await withWorkspaceLimit(db, ws.id, 2, async () => {
      const r = await db.query<{ slot: number; holder: string }>(
        `SELECT slot, holder FROM draft_slots WHERE workspace_id = $1 ORDER BY slot`,
        [ws.id],
      );
      return r.rows;
    });
    expect(held[0]).toMatchObject({ slot: 0 });
    expect(held[0]!.holder).not.toBe('killed');
    expect(held[1]).toEqual({ slot: 1, holder: 'alive' });
    const after = await db.query(`SELECT slot FROM draft_slots WHERE workspace_id = $1`, [ws.id]);
    expect(after.rows).toEqual([{ slot: 1 }]);
  });

  it('stops waiting for a slot when the job is aborted, without taking one', async () => {
    const db = get().db;
    const ws = await buildDraftWorkspace(db);
    await db.query(
      `INSERT INTO draft_slots (workspace_id, slot, holder, expires_at) VALUES ($1, 0, 'busy', now() + interval '1 minute')`,
      [ws.id],
    );
    const abort = new AbortController();
    let ran = false;
    const waiting = withWorkspaceLimit(db, ws.id, 1, async () => (ran = true), { signal: abort.signal });
    abort.abort(new Error('shutdown'));
    await expect(waiting).rejects.toThrow('shutdown');
    expect(ran).toBe(false);
    const rows = await db.query(`SELECT holder FROM draft_slots WHERE workspace_id = $1`, [ws.id]);
    expect(rows.rows).toEqual([{ holder: 'busy' }]);
  });
});
