// The experiments pages in Chromium: RevOps set a play's variants and hold-out share on its
// experiment page; a manager reads the variants and the lift with the database's numbers, with
// a hostile play name shown as text, and finds the lift panel on the dashboard and the CSV.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { insertEvent } from '../../db/queries/sending.js';
import { readExperiment } from '../../experiments/schema.js';
import { difference } from '../../experiments/stats.js';
import { createPlay } from '../../plays/service.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';

const HOSTILE = `<img src=x onerror="window.__pwned=1">Funding & "friends"`;

describeEachBackend('experiments pages in Chromium', (get) => {
  const app = useBrowserApp(get, { viewport: { width: 1400, height: 900 } });
  let page: Page;
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await buildWorkspace(app.ctx.db);
  });

  const as = async (role: 'revops' | 'manager') => {
    page = await app.login(ws.users[role]);
  };

  /** `n` sequences of the play in one arm/variant, `sent` of them sent and `meetings` with a meeting booked. */
  async function seqs(
    playId: number,
    signalId: number,
    o: { n: number; sent: number; positive?: number; meetings?: number; variant?: number; arm: string },
  ) {
    for (let i = 0; i < o.n; i++) {
      const s = (await one<{ id: number }>(app.ctx.db, {
        text: `INSERT INTO sequences (workspace_id, signal_id, play_id, status, variant, variant_of, variant_source, arm)
               VALUES ($1, $2, $3, 'completed', $4, $5, $6, $7) RETURNING id`,
        values: [
          ws.id,
          signalId,
          playId,
          o.variant ?? null,
          o.variant == null ? null : 'play',
          o.variant == null ? null : 'random',
          o.arm,
        ],
      }))!;
      const at = new Date();
      const ev = (type: string, data: unknown = {}) =>
        run(app.ctx.db, insertEvent({ workspaceId: ws.id, type, sequenceId: s.id, signalId, data, at }));
      if (i < o.sent) await ev('sent');
      if (i < (o.positive ?? 0)) await ev('reply', { intent: 'interested' });
      if (i < (o.meetings ?? 0)) await ev('meeting_booked');
    }
  }

  it('RevOps set variants and a hold-out share; a manager reads the results the database holds', async () => {
    const play = await createPlay(
      app.ctx.db,
      ws.id,
      { name: HOSTILE, trigger: { kind: 'signal', signalType: 'funding' } },
      ws.users.revops.id,
    );
    await as('revops');
    await page.goto(`${app.base}/plays/${play.id}/experiment`);
    await page.locator('textarea[name=variants]').fill('Short | Under 60 words. | revops\nStory | Open with a story.');
    await page.getByLabel("Hold out contacts to measure the signal's lift").check();
    await page.getByLabel('Share held out (%)').fill('20');
    await page.getByRole('button', { name: 'Save experiment' }).click();
    await expect
      .poll(async () =>
        readExperiment(
          (await one<{ experiment: unknown }>(app.ctx.db, {
            text: `SELECT experiment FROM plays WHERE id = $1`,
            values: [play.id],
          }))!.experiment,
        ),
      )
      .toMatchObject({
        variants: [
          { label: 'Short', instruction: 'Under 60 words.', angle: 'revops' },
          { label: 'Story', instruction: 'Open with a story.' },
        ],
        holdoutShare: 0.2,
        holdoutGets: 'evergreen',
      });
    await page.context().close();

    const signal = (await one<{ id: number }>(app.ctx.db, {
      text:
        `INSERT INTO signals (workspace_id, type, title, fingerprint, status, play_id) ` +
        `VALUES ($1, 'funding', 'Raise', $2, 'drafted', $3) RETURNING id`,
      values: [ws.id, `fp-${Math.random()}`, play.id],
    }))!;
    await seqs(play.id, signal.id, { n: 12, sent: 10, positive: 3, meetings: 2, variant: 0, arm: 'treated' });
    await seqs(play.id, signal.id, { n: 9, sent: 8, positive: 1, meetings: 1, variant: 1, arm: 'treated' });
    await seqs(play.id, signal.id, { n: 5, sent: 4, arm: 'holdout' });

    await as('manager');
    await page.goto(`${app.base}/experiments`);
    const section = page.locator('section.experiment[data-kind=play]');
    await expect.poll(() => section.locator('h3').textContent()).toBe(`Play: ${HOSTILE}`);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    const cells = async (letter: string) => section.locator(`tr[data-variant=${letter}] td`).allTextContents();
    // Variant, sequences, sent, replied, positive, meetings, unsubscribed, bounced, rejected.
    expect((await cells('A')).slice(0, 9)).toEqual(['A · Short', '12', '10', '3', '3', '2', '0', '0', '0']);
    expect((await cells('B')).slice(0, 9)).toEqual(['B · Story', '9', '8', '1', '1', '1', '0', '0', '0']);
    expect((await cells('B'))[9]).toBe('12.5% (2.2% to 47.1%)');
    const d = difference({ successes: 1, trials: 8 }, { successes: 3, trials: 10 })!;
    const pts = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v * 100).toFixed(1)}`;
    expect((await cells('B'))[10]).toBe(`${pts(d.diff)} pts (${pts(d.lo)} to ${pts(d.hi)})`);
    expect(await section.locator('.verdict').textContent()).toContain('at least 100 sends');

    const lift = page.locator('#lift-table tbody tr');
    await expect.poll(() => lift.count()).toBe(1);
    const row = await lift.locator('td').allTextContents();
    expect(row.slice(0, 4)).toEqual([HOSTILE, 'funding', '21 / 5', '14.3% / 0.0%']);
    const m = difference({ successes: 3, trials: 21 }, { successes: 0, trials: 5 })!;
    expect(row[4]).toBe(`${pts(m.diff)} pts (${pts(m.lo)} to ${pts(m.hi)})`);
    expect(await page.locator('#lift-chart title').textContent()).toContain('Meeting rate');
    await screenshot(page, 'experiments');

    const csv = await page.evaluate(async () => (await fetch('/experiments.csv')).text());
    expect(csv).toContain('variant,play,');
    expect(csv.split('\r\n').find((l) => l.startsWith('lift,'))).toContain(',funding,21,5,3,0,');

    // The JSON API says the same, and the OpenAPI document describes it.
    const api = (await page.evaluate(async () => (await fetch('/api/experiments')).json())) as {
      experiments: {
        name: string;
        arms: { sent: number; positive: number }[];
        comparison: { winner: number | null };
      }[];
      lift: { treated: { sequences: number }; holdout: { sequences: number }; meetings: { lift: { diff: number } } }[];
    };
    expect(api.experiments[0]!.name).toBe(HOSTILE);
    expect(api.experiments[0]!.arms.map((a) => [a.sent, a.positive])).toEqual([
      [10, 3],
      [8, 1],
    ]);
    expect(api.experiments[0]!.comparison.winner).toBeNull();
    expect([api.lift[0]!.treated.sequences, api.lift[0]!.holdout.sequences]).toEqual([21, 5]);
    expect(api.lift[0]!.meetings.lift.diff).toBeCloseTo(m.diff, 10);
    const doc = (await page.evaluate(async () => (await fetch('/api/openapi.json')).json())) as {
      paths: Record<string, { get?: { summary: string } }>;
    };
    expect(doc.paths['/api/experiments']?.get?.summary).toContain('beta-binomial');

    await page.goto(`${app.base}/dashboard`);
    await expect.poll(() => page.locator('#lift-table tbody tr').count()).toBe(1);
  });
});
