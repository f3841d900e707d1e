// The review queue and draft actions over HTTP, on both backends: roles, CSRF, escaping,
// optimistic versions, approve → scheduled steps, regenerate → a draft job.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queues } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { addUser } from '../../review-ui/auth/users.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createLlm } from '../../llm/client.js';
import { createTestContext, testConfig } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft, type BuiltDraft } from '../support/review-builders.js';
import { Browserish, listen } from '../support/web.js';

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)>`;

describeEachBackend('review queue and drafts over HTTP', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let srv: { base: string; close(): Promise<void> };
  let ws: TestWorkspace;
  let other: { id: number; email: string; password: string };
  let mine: BuiltDraft, theirs: BuiltDraft, hostile: BuiltDraft;

  beforeAll(async () => {
    ctx = await createTestContext(get());
    srv = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
    const o = await addUser(ctx.db, {
      workspaceId: ws.id,
      email: `rep2-${ws.id}@test.example`,
      role: 'rep',
      name: 'Other Rep',
    });
    other = { id: o.user.id, email: o.user.email, password: o.password };
    const hour = 3_600_000;
    mine = await buildDraft(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      detectedAt: new Date(Date.now() - 2 * hour),
      signalType: 'funding',
    });
    theirs = await buildDraft(ctx.db, {
      workspaceId: ws.id,
      ownerId: other.id,
      detectedAt: new Date(Date.now() - hour),
      signalType: 'hiring',
    });
    hostile = await buildDraft(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      signalTitle: `Acme ${HOSTILE}`,
      detectedAt: new Date(Date.now() - 3 * hour),
      steps: [{ subject: `Hi ${HOSTILE}`, body: `Body ${HOSTILE}` }],
      gateFailures: [{ gate: 'grounding', message: `unsupported ${HOSTILE}` }],
      facts: [{ text: `Fact ${HOSTILE}`, quote: `Quote ${HOSTILE}`, url: 'javascript:alert(3)' }],
    });
  });
  afterAll(async () => {
    await srv?.close();
    await ctx?.stop();
  });

  const as = async (who: { email: string; password: string }) => {
    const b = new Browserish(srv.base);
    expect((await b.login(who.email, who.password)).status).toBe(303);
    return b;
  };

  it('shows a rep only their own drafts, flagged first, then newest signal first, with counts per filter', async () => {
    const rep = await as(ws.users.rep);
    const { res, html } = await rep.page('/queue');
    expect(res.status).toBe(200);
    const ids = [...html.matchAll(/href="\/drafts\/(\d+)" class="row-link"/g)].map((m) => Number(m[1]));
    expect(ids).toEqual([hostile.sequenceId, mine.sequenceId]);
    // A flagged draft has no box to tick for bulk approval.
    expect(html).toContain(`value="${mine.sequenceId}:`);
    expect(html).not.toContain(`value="${hostile.sequenceId}:`);
    expect(html).toContain('funding (2)');
    expect(html).toMatch(/Flagged by\s+gates\s+\(1\)/);
    // The app's time and its parts, for operators (and bench/review.ts).
    expect(res.headers.get('server-timing')).toMatch(/^session;dur=[\d.]+, db;dur=[\d.]+, app;dur=[\d.]+$/);
    const flagged = await rep.page('/queue?flagged=1');
    expect([...flagged.html.matchAll(/class="row-link"/g)]).toHaveLength(1);
    const manager = await as(ws.users.manager);
    const all = await manager.page('/queue?type=hiring');
    expect(all.html).toContain(`/drafts/${theirs.sequenceId}`);
    expect(all.html).not.toContain(`/drafts/${mine.sequenceId}"`);
  });

  it("answers 403 when a rep opens another rep's draft, page or API", async () => {
    const rep = await as(ws.users.rep);
    expect((await rep.fetch(`/drafts/${theirs.sequenceId}`)).status).toBe(403);
    expect(
      (await rep.fetch(`/api/drafts/${theirs.sequenceId}`, { headers: { accept: 'application/json' } })).status,
    ).toBe(403);
  });

  it('renders hostile scraped and drafted text as text', async () => {
    const rep = await as(ws.users.rep);
    const { html } = await rep.page(`/drafts/${hostile.sequenceId}`);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('href="javascript:');
  });

  it('marks an empty follow-up subject as the same thread before approval', async () => {
    const { html } = await (await as(ws.users.rep)).page(`/drafts/${mine.sequenceId}`);
    expect(html).toContain('(same thread: sent as a reply to the step before)');
    expect(html).toMatch(/name="subject_\d+"[^>]*placeholder="\(same thread\)"/);
  });

  it('refuses a form post without the CSRF token', async () => {
    const rep = await as(ws.users.rep);
    const res = await rep.post(`/drafts/${mine.sequenceId}/reject`, { reason: 'no token' });
    expect(res.status).toBe(403);
    const rows = await run<{ status: string }>(ctx.db, {
      text: 'SELECT status FROM sequences WHERE id = $1',
      values: [mine.sequenceId],
    });
    expect(rows[0]!.status).toBe('pending_review');
  });

  it('refuses the second of two saves made from the same version', async () => {
    const a = await as(ws.users.rep);
    const b = await as(ws.users.admin);
    const { csrf: ca } = await a.page(`/drafts/${mine.sequenceId}`);
    const { csrf: cb } = await b.page(`/drafts/${mine.sequenceId}`);
    const body = (subject: string) =>
      JSON.stringify({
        version: 1,
        steps: [{ position: 0, subject, body: 'Hi Dana,\n\nEdited: congrats on the $20M round.' }],
      });
    const patch = (c: Browserish, csrf: string | undefined, subject: string) =>
      c.fetch(`/api/drafts/${mine.sequenceId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf ?? '' },
        body: body(subject),
      });
    const first = await patch(a, ca, 'First edit');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ version: 2 });
    const second = await patch(b, cb, 'Second edit');
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(
      /Someone else saved this draft/,
    );
    const steps = await run<{ subject: string }>(ctx.db, {
      text: 'SELECT subject FROM sequence_steps WHERE sequence_id = $1 AND position = 0',
      values: [mine.sequenceId],
    });
    expect(steps[0]!.subject).toBe('First edit');
    const versions = await run<{ source: string }>(ctx.db, {
      text: 'SELECT source FROM draft_versions WHERE sequence_id = $1 ORDER BY version',
      values: [mine.sequenceId],
    });
    expect(versions.map((v) => v.source)).toEqual(['llm', 'edit']);
  });

  it('refuses to approve a version the reviewer did not see', async () => {
    const rep = await as(ws.users.rep);
    const d = await buildDraft(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
    const { csrf } = await rep.page(`/drafts/${d.sequenceId}`);
    await run(ctx.db, { text: 'UPDATE sequences SET version = version + 1 WHERE id = $1', values: [d.sequenceId] });
    const res = await rep.post(`/drafts/${d.sequenceId}/approve`, { _csrf: csrf!, version: '1' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('changed after you opened it');
    const bulk = await rep.post('/queue/approve', { _csrf: csrf!, ids: `${d.sequenceId}:1`, confirm: 'yes' });
    expect(await bulk.text()).toContain('not approved: This draft changed after you opened it');
    const rows = await run<{ status: string }>(ctx.db, {
      text: 'SELECT status FROM sequences WHERE id = $1',
      values: [d.sequenceId],
    });
    expect(rows[0]!.status).toBe('pending_review');
    expect((await rep.post(`/drafts/${d.sequenceId}/approve`, { _csrf: csrf!, version: '2' })).status).toBe(303);
  });

  it('never approves a flagged draft in bulk; alone only once its failures are confirmed by name (page and API)', async () => {
    const rep = await as(ws.users.rep);
    const failures = [
      {
        gate: 'emails',
        step: 4,
        message: "email address that is neither the rep's nor the recipient's: ap@pay.example",
      },
      { gate: 'links', step: 4, message: 'link to a domain that is not allowed: pay.example/invoice' },
    ];
    const flagged = () => buildDraft(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, gateFailures: failures });
    const status = async (id: number) =>
      (await run<{ status: string }>(ctx.db, { text: 'SELECT status FROM sequences WHERE id = $1', values: [id] }))[0]!
        .status;
    const d = await flagged();
    const { csrf } = await rep.page(`/drafts/${d.sequenceId}`);

    const bulk = await rep.post('/queue/approve', { _csrf: csrf!, ids: `${d.sequenceId}:1`, confirm: 'yes' });
    expect(await bulk.text()).toContain('not approved: Flagged by the emails, links gates');
    const apiBulk = await rep.fetch('/api/drafts/bulk-approve', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf! },
      body: JSON.stringify({ ids: [d.sequenceId] }),
    });
    expect(((await apiBulk.json()) as { results: unknown[] }).results).toEqual([
      { id: d.sequenceId, ok: false, error: { code: 'GATE_FAILURES', message: expect.stringContaining('emails') } },
    ]);
    expect(await status(d.sequenceId)).toBe('pending_review');

    // Alone, the page asks first: it names every failure, and approves only with the box ticked.
    const ask = await rep.post(`/drafts/${d.sequenceId}/approve`, { _csrf: csrf!, version: '1' });
    expect(ask.status).toBe(200);
    const page = await ask.text();
    expect(page).toContain('despite 2 gate failures');
    expect(page).toContain('ap@pay.example');
    expect(page).toContain('pay.example/invoice');
    expect(page).toContain('name="confirm_gates" value="emails,links"');
    expect(await status(d.sequenceId)).toBe('pending_review');
    const unticked = await rep.post(`/drafts/${d.sequenceId}/approve`, {
      _csrf: csrf!,
      version: '1',
      confirm_gates: 'emails,links',
    });
    expect(unticked.status).toBe(200);
    expect(await status(d.sequenceId)).toBe('pending_review');
    const partly = await rep.post(`/drafts/${d.sequenceId}/approve`, {
      _csrf: csrf!,
      version: '1',
      confirm_gates: 'emails',
      confirm_failures: 'yes',
    });
    expect(await partly.text()).toContain('despite 2 gate failures');
    const yes = await rep.post(`/drafts/${d.sequenceId}/approve`, {
      _csrf: csrf!,
      version: '1',
      confirm_gates: 'emails,links',
      confirm_failures: 'yes',
    });
    expect(yes.status).toBe(303);
    expect(await status(d.sequenceId)).toBe('active');
    const audit = await run<{ data: { confirmedGateFailures?: string[] } }>(ctx.db, {
      text: `SELECT data FROM audit_log WHERE entity_id = $1 AND action = 'draft.approved'`,
      values: [d.sequenceId],
    });
    expect(audit.map((a) => a.data.confirmedGateFailures)).toEqual([['emails', 'links']]);

    // The API answers 409 with the failures, and approves when the request names every failed gate.
    const e = await flagged();
    const approveApi = (body: unknown) =>
      rep.fetch(`/api/drafts/${e.sequenceId}/approve`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf! },
        body: JSON.stringify(body),
      });
    const refused = await approveApi({});
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: 'GATE_FAILURES', message: expect.any(String), gates: ['emails', 'links'], failures },
    });
    expect((await approveApi({ confirmGateFailures: ['links'] })).status).toBe(409);
    expect(await status(e.sequenceId)).toBe('pending_review');
    expect((await approveApi({ confirmGateFailures: ['emails', 'links'] })).status).toBe(200);
    expect(await status(e.sequenceId)).toBe('active');
  });

  it('lets a manager read a draft but not act on it', async () => {
    const m = await as(ws.users.manager);
    const { res, html, csrf } = await m.page(`/drafts/${theirs.sequenceId}`);
    expect(res.status).toBe(200);
    expect(html).toContain('Read-only');
    expect((await m.post(`/drafts/${theirs.sequenceId}/approve`, { _csrf: csrf! })).status).toBe(403);
  });

  it('regenerates by queueing a draft job with the instruction; offline, it says the instruction cannot be followed', async () => {
    const rep = await as(ws.users.rep);
    const { csrf, html } = await rep.page(`/drafts/${hostile.sequenceId}`);
    const jobs = async () =>
      (
        await run<{ data: { sequenceId: number; instruction?: string } }>(ctx.db, {
          text: `SELECT data FROM pgboss.job WHERE name = $1 AND (data->>'sequenceId')::bigint = $2 ORDER BY created_on`,
          values: [Queues.draft.name, hostile.sequenceId],
        })
      ).map((j) => j.data.instruction ?? null);
    // No model in this context: the form says so, and an instruction is refused rather than ignored.
    expect(html).toContain('the offline drafter cannot follow an instruction');
    const offline = await rep.post(`/drafts/${hostile.sequenceId}/regenerate`, {
      _csrf: csrf!,
      instruction: 'shorter please',
    });
    expect(offline.status).toBe(409);
    expect(await offline.text()).toContain('the offline drafter cannot follow an instruction');
    expect(await jobs()).toEqual([]);
    const plain = await rep.post(`/drafts/${hostile.sequenceId}/regenerate`, { _csrf: csrf!, instruction: '' });
    expect(plain.status).toBe(303);
    expect(await jobs()).toEqual([null]);
    // With a model configured (the client is only built here; the job is queued, not run).
    const saved = ctx.llm;
    ctx.llm = createLlm(testConfig(get(), { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' }));
    try {
      const res = await rep.post(`/drafts/${hostile.sequenceId}/regenerate`, {
        _csrf: csrf!,
        instruction: 'shorter please',
      });
      expect(res.status).toBe(303);
      expect(await rep.page(`/drafts/${hostile.sequenceId}`)).not.toMatchObject({
        html: expect.stringContaining('the offline drafter cannot follow an instruction'),
      });
    } finally {
      ctx.llm = saved;
    }
    expect(await jobs()).toEqual([null, 'shorter please']);
  });

  it('approves through the API and schedules every step', async () => {
    const rep = await as(ws.users.rep);
    const { csrf } = await rep.page('/queue');
    const res = await rep.fetch(`/api/drafts/${mine.sequenceId}/approve`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-csrf-token': csrf! },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { firstSendAt: string };
    const steps = await run<{ status: string; scheduled_at: Date }>(ctx.db, {
      text: 'SELECT status, scheduled_at FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
      values: [mine.sequenceId],
    });
    expect(steps.map((s) => s.status)).toEqual(['scheduled', 'scheduled']);
    expect(new Date(body.firstSendAt).getTime()).toBe(steps[0]!.scheduled_at.getTime());
    expect(steps[1]!.scheduled_at.getTime()).toBeGreaterThan(steps[0]!.scheduled_at.getTime());
  });

  it('answers the queue and funnel to an API token, with the same roles', async () => {
    const repToken = await createApiToken(ctx.db, ws.users.rep.id, 'script');
    const get = (path: string, token: string) =>
      fetch(srv.base + path, { headers: { authorization: `Bearer ${token}` } });
    const q = (await (await get('/api/queue?type=funding', repToken)).json()) as {
      total: number;
      capped: boolean;
      items: { id: number }[];
      counts: { type: Record<string, number> };
    };
    expect(q.capped).toBe(false);
    expect(q.items.map((i) => i.id)).toContain(hostile.sequenceId);
    expect(q.items.map((i) => i.id)).not.toContain(theirs.sequenceId);
    expect(q.total).toBe(q.items.length);
    expect(q.counts.type.hiring ?? 0).toBe(0);
    expect((await get('/api/funnel', repToken)).status).toBe(403);
    const managerToken = await createApiToken(ctx.db, ws.users.manager.id, 'bi');
    const f = (await (await get('/api/funnel?dim=rep', managerToken)).json()) as {
      total: { counts: { drafted: number } };
    };
    const drafted = await run<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM sequences WHERE workspace_id = $1 AND status <> 'drafting'`,
      values: [ws.id],
    });
    expect(f.total.counts.drafted).toBe(drafted[0]!.n);
    const reject = await fetch(`${srv.base}/api/drafts/${theirs.sequenceId}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${repToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x' }),
    });
    expect(reject.status).toBe(403);
  });

  it('publishes an OpenAPI document generated from the schemas', async () => {
    const res = await fetch(`${srv.base}/api/openapi.json`);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.paths['/api/drafts/{id}']!.patch!.requestBody).toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/queue',
        '/api/drafts/{id}/approve',
        '/api/drafts/{id}/reject',
        '/api/imports/{kind}',
      ]),
    );
  });
});
