// The draft queue handler end to end, on real PostgreSQL and PGlite, with the fake Messages API.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { draftVersions, sequencesForSignal, usageForSequence } from '../../db/queries/drafting.js';
import { listSteps } from '../../db/queries/sequencing.js';
import { createLlm } from '../../llm/client.js';
import { costUsd } from '../../llm/pricing.js';
import { classifyReply } from '../../sequencing/inbox/reply-intent.js';
import { editStats } from '../../drafting/edit-stats.js';
import { PROMPT_VERSION } from '../../drafting/prompt.js';
import { restoreDraftVersion } from '../../drafting/service.js';
import type { TestWorkspace } from '../support/builders.js';
import { createTestContext, testConfig } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { error, json, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { onlineContext, runDraftJob } from './agent-harness.js';
import { buildDraftWorkspace, buildScene, goodFundingDraft } from './builders.js';

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => fake.close());
beforeEach(() => fake.reset());

describeEachBackend('draft agent', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  const offline = () => ctx;
  const online = (): AppContext => onlineContext(ctx, get(), fake);
  const handle = runDraftJob;
  const sequencesOf = (signalId: number) => run(get().db, sequencesForSignal(signalId));
  const signalRow = async (id: number) =>
    (
      await get().db.query<{ status: string; error: string | null }>(
        'SELECT status, error FROM signals WHERE id = $1',
        [id],
      )
    ).rows[0]!;

  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildDraftWorkspace(get().db);
  });
  afterAll(async () => ctx?.stop());

  it(`without an API key, drafts offline: one sequence in review with owner, mailbox, template steps, citations \
and version 1`, async () => {
    const scene = await buildScene(get().db, ws, 'hiring');
    await handle(offline(), { signalId: scene.signalId });
    const [seq, ...more] = await sequencesOf(scene.signalId);
    expect(more).toEqual([]);
    expect(seq).toMatchObject({
      status: 'pending_review',
      drafter: 'offline',
      contact_id: scene.contactId,
      owner_id: ws.users.rep.id,
      gate_failures: [],
    });
    expect(seq!.mailbox_id).not.toBeNull();
    const steps = await run(get().db, listSteps(seq!.id));
    expect(steps.map((s) => [s.kind, s.delay_days])).toEqual([
      ['opener', 0],
      ['follow_up', 3],
      ['follow_up', 4],
      ['follow_up', 5],
      ['breakup', 6],
    ]);
    expect(steps.every((s) => s.body && s.body === s.drafted_body)).toBe(true);
    // bigint[] comes back as strings from node-postgres (only scalar int8 is parsed to numbers).
    expect(steps[0]!.cited_fact_ids.map(Number).every((id) => scene.factIds.includes(id))).toBe(true);
    expect(steps[0]!.cited_fact_ids.length).toBeGreaterThan(0);
    const versions = await run<{ version: number; source: string }>(get().db, draftVersions(seq!.id));
    expect(versions.map((v) => [v.version, v.source])).toEqual([[1, 'offline']]);
    expect((await signalRow(scene.signalId)).status).toBe('drafted');

    await handle(offline(), { signalId: scene.signalId }); // delivered twice: no second sequence or version
    expect(await sequencesOf(scene.signalId)).toHaveLength(1);
    expect(await run(get().db, draftVersions(seq!.id))).toHaveLength(1);
  });

  it('marks a signal whose dossier has no contact as needs_contact, with no sequence', async () => {
    const scene = await buildScene(get().db, ws, 'news', { contact: false });
    await handle(offline(), { signalId: scene.signalId });
    expect((await signalRow(scene.signalId)).status).toBe('needs_contact');
    expect(await sequencesOf(scene.signalId)).toEqual([]);
  });

  it('drafts with Claude: prompt version, citations and the cost of the call in llm_usage', async () => {
    const scene = await buildScene(get().db, ws, 'funding');
    const usage = {
      input_tokens: 2000,
      output_tokens: 900,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1100,
    };
    fake.enqueue(json(goodFundingDraft(scene.factIds, scene.fixture.account.domain), usage));
    await handle(online(), { signalId: scene.signalId });
    const [seq] = await sequencesOf(scene.signalId);
    expect(seq).toMatchObject({
      status: 'pending_review',
      drafter: 'llm',
      prompt_version: PROMPT_VERSION,
      gate_failures: [],
    });
    const rows = await run<{ purpose: string; cost_usd: number; input_tokens: number; cache_read_tokens: number }>(
      get().db,
      usageForSequence(seq!.id),
    );
    expect(rows).toEqual([expect.objectContaining({ purpose: 'draft', input_tokens: 2000, cache_read_tokens: 1100 })]);
    expect(rows[0]!.cost_usd).toBeCloseTo(
      costUsd('claude-sonnet-5-5', {
        inputTokens: 2000,
        outputTokens: 900,
        cacheReadTokens: 1100,
        cacheWriteTokens: 0,
      }),
      6,
    );
  });

  it('sends a draft that fails its gates twice to review with its failures, and records both calls', async () => {
    const scene = await buildScene(get().db, ws, 'funding');
    const bad = goodFundingDraft(scene.factIds, scene.fixture.account.domain);
    bad.steps[3]!.body += ' https://tracker.example/x';
    bad.steps[0]!.citedFactIds.push(987654);
    fake.enqueue(json(bad), json(bad));
    await handle(online(), { signalId: scene.signalId });
    const [seq] = await sequencesOf(scene.signalId);
    expect(seq!.status).toBe('pending_review');
    expect((seq!.gate_failures as { gate: string }[]).map((f) => f.gate).sort()).toEqual(['cited_facts', 'links']);
    const rows = await run<{ purpose: string; cost_usd: number }>(get().db, usageForSequence(seq!.id));
    expect(rows.map((r) => r.purpose)).toEqual(['draft', 'draft.retry']);
    const total = (
      await get().db.query<{ total: number }>(
        'SELECT sum(cost_usd)::float8 AS total FROM llm_usage WHERE sequence_id = $1',
        [seq!.id],
      )
    ).rows[0]!.total;
    expect(total).toBeCloseTo(
      rows.reduce((n, r) => n + r.cost_usd, 0),
      6,
    );
  });

  it('keeps facts research flagged as instruction-like out of the prompt and out of what may be cited', async () => {
    const scene = await buildScene(get().db, ws, 'funding');
    await get().db.query(`UPDATE facts SET flags = '{instruction_like}' WHERE id = $1`, [scene.factIds[2]]);
    const draft = goodFundingDraft(scene.factIds, scene.fixture.account.domain); // step 3 cites the flagged fact
    fake.enqueue(json(draft), json(draft));
    await handle(online(), { signalId: scene.signalId });
    expect(JSON.stringify(fake.requests[0]!.body.messages)).not.toContain('opened an office in Denver');
    const [seq] = await sequencesOf(scene.signalId);
    expect((seq!.gate_failures as { gate: string; step: number }[]).filter((f) => f.gate === 'cited_facts')).toEqual([
      expect.objectContaining({ step: 3 }),
    ]);
  });

  it('keeps the signal and stores the error when the API fails, then drafts on the next try', async () => {
    const scene = await buildScene(get().db, ws, 'funding');
    fake.enqueue(error(500));
    await expect(handle(online(), { signalId: scene.signalId })).rejects.toMatchObject({ code: 'LLM_FAILED' });
    expect(await signalRow(scene.signalId)).toMatchObject({
      status: 'drafting',
      error: expect.stringContaining('500'),
    });
    expect((await sequencesOf(scene.signalId))[0]!.status).toBe('drafting');
    fake.enqueue(json(goodFundingDraft(scene.factIds, scene.fixture.account.domain)));
    await handle(online(), { signalId: scene.signalId });
    expect((await sequencesOf(scene.signalId))[0]!.status).toBe('pending_review');
    expect((await signalRow(scene.signalId)).status).toBe('drafted');
  });

  it('rewrites with a rep instruction as a new version, and can go back to the first', async () => {
    const scene = await buildScene(get().db, ws, 'funding');
    const first = goodFundingDraft(scene.factIds, scene.fixture.account.domain);
    fake.enqueue(json(first));
    await handle(online(), { signalId: scene.signalId });
    const [seq] = await sequencesOf(scene.signalId);
    const shorter = goodFundingDraft(scene.factIds, scene.fixture.account.domain);
    shorter.steps[0]!.body =
      'Hi Dana,\n\nCongratulations on the $12M Series A. Would a 20-minute call next week be useful?';
    fake.enqueue(json(shorter));
    await handle(online(), { sequenceId: seq!.id, instruction: 'shorter' });
    expect(fake.requests[1]!.body.messages[0].content).toContain('<rep_instruction>\nshorter');
    const versions = await run<{ version: number; source: string; instruction: string | null }>(
      get().db,
      draftVersions(seq!.id),
    );
    expect(versions.map((v) => [v.version, v.source, v.instruction])).toEqual([
      [1, 'llm', null],
      [2, 'llm', 'shorter'],
    ]);
    expect((await run(get().db, listSteps(seq!.id)))[0]!.body).toBe(shorter.steps[0]!.body);

    await restoreDraftVersion(get().db, seq!.id, 1, ws.users.rep.id);
    expect((await run(get().db, listSteps(seq!.id)))[0]!.body).toBe(first.steps[0]!.body);
    expect(await run(get().db, draftVersions(seq!.id))).toHaveLength(3);
  });

  it('drops a rewrite for a sequence that left review, keeping its versions as they were', async () => {
    const scene = await buildScene(get().db, ws, 'manual');
    await handle(offline(), { signalId: scene.signalId });
    const [seq] = await sequencesOf(scene.signalId);
    await get().db.query(`UPDATE sequences SET status = 'active' WHERE id = $1`, [seq!.id]);
    await handle(online(), { sequenceId: seq!.id, instruction: 'shorter' });
    expect(fake.requests).toEqual([]);
    expect(await run(get().db, draftVersions(seq!.id))).toHaveLength(1);
  });

  it('records the cost of a reply classification by the cheaper model', async () => {
    fake.enqueue(json({ intent: 'not_now', confidence: 0.8 }, { input_tokens: 300, output_tokens: 20 }));
    const c = await classifyReply('Ping me in Q3', {
      llm: createLlm(
        testConfig(get(), {
          ANTHROPIC_API_KEY: 'k',
          ANTHROPIC_BASE_URL: fake.url,
          ANTHROPIC_CLASSIFY_MODEL: 'claude-haiku-5-5',
        }),
      ),
      usage: { db: get().db, workspaceId: ws.id },
    });
    expect(c).toMatchObject({ intent: 'not_now', by: 'llm' });
    const row = (
      await get().db.query<{ model: string; cost_usd: number }>(
        `SELECT model, cost_usd::float8 AS cost_usd FROM llm_usage WHERE workspace_id = $1 AND purpose = 'classify_reply'`,
        [ws.id],
      )
    ).rows;
    expect(row).toEqual([{ model: 'claude-haiku-5-5', cost_usd: (300 * 0.1 + 20 * 0.5) / 1e6 }]);
  });

  it('computes edit statistics per prompt version and template from approved sequences', async () => {
    const { db } = get();
    const fresh = await buildDraftWorkspace(db);
    const ids: number[] = [];
    for (const type of ['funding', 'hiring'] as const) {
      const scene = await buildScene(db, fresh, type);
      await handle(offline(), { signalId: scene.signalId });
      ids.push((await sequencesOf(scene.signalId))[0]!.id);
    }
    await db.query(`UPDATE sequence_steps SET body = body || ' Edited.' WHERE sequence_id = $1 AND position = 1`, [
      ids[0],
    ]);
    await db.query(`UPDATE sequences SET approved_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
    const [stats, ...others] = await editStats(db, fresh.id);
    expect(others).toEqual([]);
    expect(stats).toMatchObject({
      promptVersion: 'offline-v2',
      drafter: 'offline',
      sequences: 2,
      steps: 10,
      approvedUnedited: 0.5,
      meanEditDistance: 0.8,
    });
  });
});
