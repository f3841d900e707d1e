// The JSON twins: list returned steps, read one with what changed, approve with the digest
// (409 when the text changed since), in the OpenAPI document.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { loggedIn, useWebApp } from '../support/web.js';
import { returnedStepFor, somethingChanged } from './builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

describeEachBackend('returned steps API', (get) => {
  const app = useWebApp(get);

  it('lists, shows what changed, refuses a stale digest and approves the current one', async () => {
    const { ctx, ws } = app;
    const b = await returnedStepFor(ctx, ws, 2);
    await somethingChanged(ctx, b, ws.id, hours(-1));
    const rep = await loggedIn(app.base, ws.users.rep);
    const csrf = (await rep.page('/queue')).csrf!;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await rep.fetch(`/api${path}`, {
        method,
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, data: (await res.json()) as any };
    };
    const list = await api('GET', '/steps');
    expect(list.data.steps.map((s: { id: number }) => s.id)).toEqual([b.stepIds[1]]);
    expect(list.data.steps[0]).toMatchObject({ changes: 2, step: 2, kind: 'follow_up' });
    const one1 = await api('GET', `/steps/${b.stepIds[1]}`);
    expect(one1.data.changes.map((c: { kind: string }) => c.kind).sort()).toEqual(['contact', 'signal']);
    await ctx.db.query(`UPDATE sequence_steps SET body = body || ' (edited)' WHERE id = $1`, [b.stepIds[1]]);
    expect((await api('POST', `/steps/${b.stepIds[1]}/approve`, { digest: one1.data.step.digest })).status).toBe(409);
    const fresh = await api('GET', `/steps/${b.stepIds[1]}`);
    const ok = await api('POST', `/steps/${b.stepIds[1]}/approve`, { digest: fresh.data.step.digest });
    expect(ok).toMatchObject({ status: 200, data: { id: b.stepIds[1], status: 'scheduled' } });
    expect(
      (await one<{ approved_by: number }>(ctx.db, {
        text: 'SELECT approved_by FROM sequence_steps WHERE id = $1',
        values: [b.stepIds[1]],
      }))!.approved_by,
    ).toBe(ws.users.rep.id);
    // The draft page links a step that waits for its own approval to its page.
    expect((await rep.page(`/drafts/${b.sequenceId}`)).html).not.toContain(`href="/steps/${b.stepIds[1]}"`);
    const doc = (await (await fetch(`${app.base}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/steps', '/api/steps/{id}/approve']));
  });
});

describeEachBackend('editing a returned step', (get) => {
  const app = useWebApp(get);

  it("saves the rep's text over what they saw, refuses a stale form, and links the step from the draft page", async () => {
    const { ctx, ws } = app;
    const b = await returnedStepFor(ctx, ws, 2);
    const rep = await loggedIn(app.base, ws.users.rep);
    const { html, csrf } = await rep.page(`/steps/${b.stepIds[1]}`);
    const digest = /name="digest" value="([0-9a-f]{32})"/.exec(html)![1]!;
    expect((await rep.page(`/drafts/${b.sequenceId}`)).html).toContain(`href="/steps/${b.stepIds[1]}"`);
    const ok = await rep.post(`/steps/${b.stepIds[1]}/edit`, {
      _csrf: csrf!,
      digest,
      subject: '',
      body: 'Hi Dana, a shorter note.',
    });
    expect(ok.status).toBe(303);
    expect(
      (await one<{ body: string }>(ctx.db, {
        text: 'SELECT body FROM sequence_steps WHERE id = $1',
        values: [b.stepIds[1]],
      }))!.body,
    ).toBe('Hi Dana, a shorter note.');
    expect(
      (await rep.post(`/steps/${b.stepIds[1]}/edit`, { _csrf: csrf!, digest, subject: '', body: 'An older tab.' }))
        .status,
    ).toBe(409);
    expect((await rep.post(`/steps/${b.stepIds[1]}/approve`, { _csrf: csrf!, digest })).status).toBe(409);
  });
});
