// The approval mode as RevOps set it: on the workspace page and per template, a new workspace
// defaulting to each_step, drafting giving each new sequence the mode that applies, and the
// manager dashboard's approval numbers per step kind.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { prepareSequences } from '../../drafting/load.js';
import { ensureWorkspace } from '../../review-ui/auth/users.js';
import { stepApprovalTick, approveStep } from '../../sequencing/step-approval.js';
import { createTestDb, describeEachBackend } from '../support/db.js';
import { loggedIn, useLoggedInApp } from '../support/web.js';
import { returnedStepFor } from './builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

describeEachBackend('approval mode settings', (get, backend) => {
  const app = useLoggedInApp(get, 'revops', '/settings/workspace');
  const settings = async () =>
    (await one<{ settings: Record<string, unknown> }>(app.ctx.db, {
      text: 'SELECT settings FROM workspaces WHERE id = $1',
      values: [app.ws.id],
    }))!.settings;

  it('a brand-new workspace approves each step; an existing one (no setting) keeps approving whole sequences', async () => {
    const empty = await createTestDb(backend, { label: 'fresh-ws' });
    try {
      const created = await ensureWorkspace(empty.db);
      expect(created.settings).toMatchObject({ approvalMode: 'each_step' });
    } finally {
      await empty.dispose();
    }
    expect((await settings()).approvalMode).toBeUndefined();
  });

  it('saves the workspace mode, lead time, missed windows and staleness; a form without them keeps them', async () => {
    const page = await app.user.page('/settings/workspace');
    expect(page.html).toContain('Approval before each send');
    const base = { _csrf: app.csrf, name: 'WS', physicalAddress: '1 Main St', cooldownDays: '30' };
    expect(
      (
        await app.user.post('/settings/workspace', {
          ...base,
          approvalMode: 'each_step',
          stepApprovalLeadHours: '12',
          maxMissedWindows: '2',
          staleFactDays: '45',
        })
      ).status,
    ).toBe(303);
    expect(await settings()).toMatchObject({
      approvalMode: 'each_step',
      stepApprovalLeadHours: 12,
      maxMissedWindows: 2,
      staleFactDays: 45,
    });
    expect((await app.user.post('/settings/workspace', base)).status).toBe(303);
    expect(await settings()).toMatchObject({ approvalMode: 'each_step', stepApprovalLeadHours: 12 });
    expect((await app.user.post('/settings/workspace', { ...base, maxMissedWindows: '0' })).status).toBe(400);
  });

  it('a template overrides the workspace; drafting gives each new sequence the mode that applies', async () => {
    const form = {
      _csrf: app.csrf,
      name: 'Two steps',
      step_kind_0: 'opener',
      step_delay_0: '0',
      step_kind_1: 'follow_up',
      step_delay_1: '3',
      window_days: '2',
      window_start: '09:00',
      window_end: '11:00',
      fallback_after_days: '3',
      is_default: '1',
      approval_mode: 'sequence',
    };
    expect((await app.user.post('/settings/templates', form)).status).toBe(303);
    const t = (await one<{ id: number; approval_mode: string | null }>(app.ctx.db, {
      text: `SELECT id, approval_mode FROM sequence_templates WHERE workspace_id = $1 AND name = 'Two steps'`,
      values: [app.ws.id],
    }))!;
    expect(t.approval_mode).toBe('sequence');
    expect((await app.user.page('/settings/templates')).html).toContain('approve the sequence once');

    const draftable = async () => {
      const q = async (text: string, values: unknown[]) =>
        (await one<{ id: number }>(app.ctx.db, { text, values }))!.id;
      const acc = await q(
        `INSERT INTO accounts (workspace_id, name, owner_id) VALUES ($1, 'Initech', $2) RETURNING id`,
        [app.ws.id, app.ws.users.rep.id],
      );
      const c = await q(`INSERT INTO contacts (workspace_id, account_id, email) VALUES ($1, $2, $3) RETURNING id`, [
        app.ws.id,
        acc,
        `p-${Math.random()}@initech.example`,
      ]);
      const sig = await q(
        `INSERT INTO signals (workspace_id, account_id, type, title, fingerprint, status) ` +
          `VALUES ($1, $2, 'news', 'Initech news', $3, 'researched') RETURNING id`,
        [app.ws.id, acc, `fp-${Math.random()}`],
      );
      await q(
        `INSERT INTO dossiers (workspace_id, signal_id, account_id, contact_id) VALUES ($1, $2, $3, $4) RETURNING id`,
        [app.ws.id, sig, acc, c],
      );
      return (await prepareSequences(app.ctx.db, sig)).sequences[0] as unknown as { approval_mode: string };
    };
    expect((await draftable()).approval_mode).toBe('sequence');
    const edit = { ...form, approval_mode: '' };
    expect((await app.user.post(`/settings/templates/${t.id}`, edit)).status).toBe(303);
    expect((await draftable()).approval_mode).toBe('each_step');
  });

  it('the dashboard shows approval latency per step kind and the share skipped for lack of approval', async () => {
    const b = await returnedStepFor(app.ctx, app.ws, 1, 2);
    await stepApprovalTick(app.ctx, { now: hours(-0.5) });
    await approveStep(app.ctx, { stepId: b.stepIds[1]!, userId: app.ws.users.rep.id, now: new Date() });
    const manager = await loggedIn(app.base, app.ws.users.manager);
    const { html } = await manager.page('/dashboard');
    expect(html).toContain('Approval per step');
    const row = /<tr data-kind="follow_up">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(row).toContain('<td>1</td>');
    expect(row).toContain('0 (0%)');
  });
});
