// The page and the JSON API refuse the same input with the same words, because the rules live in
// the use cases (draft-actions.ts, sequencing/step-approval.ts), not in either route: a reject
// without a reason or with one over 1,000 characters, a redraft instruction over 2,000, an
// approval carrying something that is not a digest. Nothing changes when they are refused.
import { beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';
import { Browserish, useWebApp } from '../support/web.js';
import { buildReturnedStep } from '../step-approval/builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
const collapse = (s: string) => s.replace(/\s+/g, ' ');

describeEachBackend('page and API share their rules', (get) => {
  const app = useWebApp(get);
  let rep: Browserish;
  let csrf: string;
  beforeAll(async () => {
    rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    csrf = (await rep.page('/queue')).csrf!;
  });

  /** Posts the same fields as a form to the page and as JSON to /api; both answers' status and message. */
  async function both(path: string, fields: Record<string, string>) {
    const page = await rep.post(path, { ...fields, _csrf: csrf });
    const api = await rep.fetch(`/api${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(fields),
    });
    const body = (await api.json()) as { error?: { message: string } };
    return { page: { status: page.status, text: collapse(await page.text()) }, api: { status: api.status, body } };
  }
  const status = async (id: number) =>
    (await one<{ status: string }>(app.ctx.db, { text: 'SELECT status FROM sequences WHERE id = $1', values: [id] }))!
      .status;

  it('refuses a reject without a reason, or with one too long, in the same words', async () => {
    const d = await buildDraft(app.ctx.db, { workspaceId: app.ws.id, ownerId: app.ws.users.rep.id });
    for (const [reason, words] of [
      ['   ', 'Say why you reject this draft; it helps the drafter and your manager.'],
      ['x'.repeat(1001), 'Keep the reason under 1,000 characters.'],
    ] as const) {
      const r = await both(`/drafts/${d.sequenceId}/reject`, { reason });
      expect([r.page.status, r.api.status]).toEqual([400, 400]);
      expect(r.api.body.error?.message).toBe(words);
      expect(r.page.text).toContain(words);
    }
    expect(await status(d.sequenceId)).toBe('pending_review');
  });

  it('refuses a redraft instruction over 2,000 characters in the same words', async () => {
    const d = await buildDraft(app.ctx.db, { workspaceId: app.ws.id, ownerId: app.ws.users.rep.id });
    const r = await both(`/drafts/${d.sequenceId}/regenerate`, { instruction: 'y'.repeat(2001) });
    expect([r.page.status, r.api.status]).toEqual([400, 400]);
    const words = 'Keep the instruction under 2,000 characters.';
    expect(r.api.body.error?.message).toBe(words);
    expect(r.page.text).toContain(words);
    expect(await status(d.sequenceId)).toBe('pending_review');
  });

  it('refuses an approval whose digest is not a digest in the same words', async () => {
    const b = await buildReturnedStep(app.ctx, {
      workspaceId: app.ws.id,
      ownerId: app.ws.users.rep.id,
      approvedAt: hours(-48),
      dueAt: hours(2),
    });
    const stepId = b.stepIds[1]!;
    const r = await both(`/steps/${stepId}/approve`, { digest: 'not-a-digest' });
    expect([r.page.status, r.api.status]).toEqual([400, 400]);
    const words = 'digest: the digest of the text you read (32 hex characters, from GET /steps/:id)';
    expect(r.api.body.error?.message).toBe(words);
    expect(r.page.text).toContain(words);
    const step = await one<{ status: string }>(app.ctx.db, {
      text: 'SELECT status FROM sequence_steps WHERE id = $1',
      values: [stepId],
    });
    expect(step!.status).toBe('awaiting_approval');
  });
});
