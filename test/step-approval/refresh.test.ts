// "Refresh this step" against the fake Messages API (the real SDK on loopback): the model gets
// what changed since approval as fenced research data, only the returned step's text changes,
// the gates judge it, and the version is kept with source 'refresh'.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { refreshStep } from '../../sequencing/step-refresh.js';
import { UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../../llm/fence.js';
import { buildWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { json, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { loggedIn, useWebApp } from '../support/web.js';
import { returnedStepFor, somethingChanged } from './builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
const OPENER = { subject: 'Congrats on the Series B', body: 'Hi Dana,\n\nSaw the $20M round. Worth a chat?' };

describeEachBackend('refresh this step', (get) => {
  let fake: FakeAnthropic;
  const env: Record<string, string> = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_MAX_RETRIES: '0' };
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    env.ANTHROPIC_BASE_URL = fake.url;
  });
  afterAll(() => fake.close());
  const app = useWebApp(get, env);

  const stepRow = (id: number) =>
    one<{ subject: string; body: string; status: string; gate_failures: { gate: string }[]; cited_fact_ids: number[] }>(
      app.ctx.db,
      {
        text: 'SELECT subject, body, status, gate_failures, cited_fact_ids FROM sequence_steps WHERE id = $1',
        values: [id],
      },
    );

  /** A returned step refreshed with a model answer that invents a number (the grounding gate fails). */
  const refreshWithInventedNumber = async (ws: Awaited<ReturnType<typeof buildWorkspace>>) => {
    const b = await returnedStepFor(app.ctx, ws, 3);
    fake.fallback = json({
      steps: [
        { ...OPENER, citedFactIds: b.factIds },
        { subject: '', body: 'Hi Dana, teams like yours cut ramp time by 73% with us.', citedFactIds: [] },
      ],
    });
    const r = await refreshStep(
      { db: app.ctx.db, config: app.ctx.config, log: app.ctx.log, llm: app.ctx.llm },
      b.stepIds[1]!,
      {
        userId: ws.users.rep.id,
      },
    );
    return { b, r };
  };

  it('redrafts the returned step with the new signal and title, through the gates, from the step page', async () => {
    fake.reset();
    const ws = await buildWorkspace(app.ctx.db);
    const b = await returnedStepFor(app.ctx, ws, 3);
    await somethingChanged(app.ctx, b, ws.id, hours(-1));
    const fresh = 'Hi Dana,\n\nNow that Acme is hiring 12 SDRs, a short idea on ramping the new team faster.';
    fake.fallback = json({
      steps: [
        { ...OPENER, citedFactIds: b.factIds },
        { subject: '', body: fresh, citedFactIds: [] },
      ],
    });

    const rep = await loggedIn(app.base, ws.users.rep);
    const { html, csrf } = await rep.page(`/steps/${b.stepIds[1]}`);
    expect(html).toContain('Refresh this step');
    const res = await rep.post(`/steps/${b.stepIds[1]}/refresh`, { _csrf: csrf! });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/steps/${b.stepIds[1]}?refreshed=1`);

    expect(await stepRow(b.stepIds[1]!)).toMatchObject({ body: fresh, status: 'awaiting_approval', gate_failures: [] });
    const opener = (await stepRow(b.stepIds[0]!))!;
    expect(opener.body).toBe(OPENER.body);
    const prompt = JSON.stringify(fake.requests[0]!.body.messages);
    const fenced = prompt.slice(prompt.indexOf(UNTRUSTED_OPEN), prompt.indexOf(UNTRUSTED_CLOSE));
    expect(fenced).toContain('changesSinceApproval');
    expect(fenced).toContain('hiring: Acme is hiring 12 SDRs');
    expect(fenced).toContain('title: VP Sales → Chief Revenue Officer');
    expect(prompt).toContain('Chief Revenue Officer');
    expect(prompt).toContain('Rewrite only step 2');
    const v = await one<{ source: string; steps: { body: string }[] }>(app.ctx.db, {
      text: `SELECT source, steps FROM draft_versions WHERE sequence_id = $1 ORDER BY version DESC LIMIT 1`,
      values: [b.sequenceId],
    });
    expect(v!.source).toBe('refresh');
    expect(v!.steps.map((s) => s.body)).toEqual([OPENER.body, fresh]);
    const usage = await run<{ purpose: string }>(app.ctx.db, {
      text: 'SELECT purpose FROM llm_usage WHERE sequence_id = $1',
      values: [b.sequenceId],
    });
    expect(usage.map((u) => u.purpose)).toEqual(['refresh']);
    expect((await rep.page(`/steps/${b.stepIds[1]}?refreshed=1`)).html).toContain(
      'Refreshed: read the new text, then approve.',
    );
  });

  it("keeps the gates' verdict on the step when the model invents a number, and bulk approval leaves it out", async () => {
    fake.reset();
    const ws = await buildWorkspace(app.ctx.db);
    const { b, r } = await refreshWithInventedNumber(ws);
    expect(r.failures.map((f) => f.gate)).toContain('grounding');
    expect(fake.requests).toHaveLength(2); // one retry with the failures fed back, as for any draft
    const row = (await stepRow(b.stepIds[1]!))!;
    expect(row.body).toContain('73%');
    expect(row.gate_failures.map((g) => g.gate)).toContain('grounding');

    const rep = await loggedIn(app.base, ws.users.rep);
    const list = await rep.page('/queue/steps');
    expect(list.html).toMatch(new RegExp(`data-id="${b.stepIds[1]}" data-unchanged="0"`));
    expect(list.html).toContain('Approve all 0 with nothing changed');
    expect((await rep.page(`/steps/${b.stepIds[1]}`)).html).toContain('Flagged by the gates after the refresh');
  });

  it('approves a refreshed step the gates flagged only once its failures are confirmed by name, page and API', async () => {
    fake.reset();
    const ws = await buildWorkspace(app.ctx.db);
    const flaggedStep = async () => {
      const { b, r } = await refreshWithInventedNumber(ws);
      expect(r.failures.map((f) => f.gate)).toEqual(['grounding']);
      return b.stepIds[1]!;
    };
    const rep = await loggedIn(app.base, ws.users.rep);

    // The page: approving asks first, naming the failure; only the ticked box with every gate approves.
    const id = await flaggedStep();
    const { html, csrf } = await rep.page(`/steps/${id}`);
    const digest = /name="digest" value="([0-9a-f]{32})"/.exec(html)![1]!;
    const ask = await rep.post(`/steps/${id}/approve`, { _csrf: csrf!, digest });
    expect(ask.status).toBe(200);
    const asked = await ask.text();
    expect(asked).toContain('despite 1 gate failure');
    expect(asked).toContain('73%');
    expect(asked).toContain('name="confirm_gates" value="grounding"');
    expect((await stepRow(id))!.status).toBe('awaiting_approval');
    await rep.post(`/steps/${id}/approve`, { _csrf: csrf!, digest, confirm_gates: 'grounding' });
    expect((await stepRow(id))!.status).toBe('awaiting_approval');
    await rep.post(`/steps/${id}/approve`, { _csrf: csrf!, digest, confirm_gates: 'links', confirm_failures: 'yes' });
    expect((await stepRow(id))!.status).toBe('awaiting_approval');
    const yes = await rep.post(`/steps/${id}/approve`, {
      _csrf: csrf!,
      digest,
      confirm_gates: 'grounding',
      confirm_failures: 'yes',
    });
    expect(yes.status).toBe(303);
    expect((await stepRow(id))!.status).toBe('scheduled');
    const audit = await run<{ data: { confirmedGateFailures?: string[] } }>(app.ctx.db, {
      text: `SELECT data FROM audit_log WHERE entity_id = $1 AND action = 'step.approved'`,
      values: [id],
    });
    expect(audit.map((a) => a.data.confirmedGateFailures)).toEqual([['grounding']]);

    // The API: 409 with the failures until the request names every failed gate.
    const id2 = await flaggedStep();
    const approveApi = (body: unknown) =>
      rep.fetch(`/api/steps/${id2}/approve`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf! },
        body: JSON.stringify(body),
      });
    const refused = await approveApi({});
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      error: {
        code: 'GATE_FAILURES',
        gates: ['grounding'],
        failures: [expect.objectContaining({ gate: 'grounding' })],
      },
    });
    expect((await approveApi({ confirmGateFailures: ['links'] })).status).toBe(409);
    expect((await stepRow(id2))!.status).toBe('awaiting_approval');
    expect((await approveApi({ confirmGateFailures: ['grounding'] })).status).toBe(200);
    expect((await stepRow(id2))!.status).toBe('scheduled');
  });

  it('records each refresh in the audit log, from the page and from the API alike', async () => {
    fake.reset();
    const ws = await buildWorkspace(app.ctx.db);
    const b = await returnedStepFor(app.ctx, ws, 3);
    const id = b.stepIds[1]!;
    fake.fallback = json({
      steps: [
        { ...OPENER, citedFactIds: b.factIds },
        { subject: '', body: 'Hi Dana,\n\nA short idea on ramping a new sales team faster.', citedFactIds: [] },
      ],
    });
    const rep = await loggedIn(app.base, ws.users.rep);
    const { csrf } = await rep.page(`/steps/${id}`);
    expect((await rep.post(`/steps/${id}/refresh`, { _csrf: csrf! })).status).toBe(303);
    const res = await rep.fetch(`/api/steps/${id}/refresh`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-csrf-token': csrf! },
    });
    expect(res.status).toBe(200);
    const api = (await res.json()) as { stepId: number; version: number };
    expect(api.stepId).toBe(id);
    const audit = await run<{ user_id: number; data: { sequenceId: number; version: number } }>(app.ctx.db, {
      text: `SELECT user_id, data FROM audit_log WHERE action = 'step.refreshed' AND entity_type = 'sequence_step'
             AND entity_id = $1 ORDER BY id`,
      values: [String(id)],
    });
    expect(audit).toEqual([
      { user_id: ws.users.rep.id, data: { sequenceId: b.sequenceId, version: api.version - 1 } },
      { user_id: ws.users.rep.id, data: { sequenceId: b.sequenceId, version: api.version } },
    ]);
  });

  it('refuses a step that is not waiting for approval, and refreshing without an LLM', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    const b = await returnedStepFor(app.ctx, ws, 3);
    const deps = { db: app.ctx.db, config: app.ctx.config, log: app.ctx.log };
    await expect(refreshStep({ ...deps, llm: app.ctx.llm }, b.stepIds[0]!)).rejects.toMatchObject({
      code: 'STATE',
    });
    await expect(refreshStep(deps, b.stepIds[1]!)).rejects.toMatchObject({ code: 'STATE' });
  });
});
