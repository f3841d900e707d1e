// Experiments through the real drafting path on both backends: a play with variants and a
// hold-out drafts researched signals offline; assignments are stored once and kept; held-out
// contacts get the evergreen draft (or nothing); outcomes per variant and per arm come from
// events written with the sender's own insertEvent; a clear winner goes only to new enrolments.
import { beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { armOutcomes, stepVariantOutcomes, variantOutcomes } from '../../db/queries/experiments.js';
import { insertEvent } from '../../db/queries/sending.js';
import { sequenceStages } from '../../db/queries/dashboard.js';
import { prepareSequences } from '../../drafting/load.js';
import { draftSignal } from '../../drafting/service.js';
import { experimentReports, liftReports } from '../../experiments/report.js';
import { createLogger } from '../../log.js';
import { createPlay } from '../../plays/service.js';
import type { TestWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { saveTemplate, templateFromForm } from '../../review-ui/routes/settings-templates.js';
import { buildDraftWorkspace, buildScene } from '../drafting/builders.js';

const log = createLogger('silent');
const WEEK_AGO = new Date(Date.now() - 7 * 86_400_000);
const SOON = new Date(Date.now() + 86_400_000);

interface Seq {
  id: number;
  contact_id: number;
  signal_id: number;
  status: string;
  variant: number | null;
  variant_of: string | null;
  variant_source: string | null;
  arm: string | null;
  stop_reason: string | null;
}

describeEachBackend('experiments: assignment, hold-out and results', (get) => {
  let ws: TestWorkspace;
  const deps = () => ({ db: get().db, config: { draftConcurrency: 2 }, log });
  const sequencesOfPlay = (playId: number) =>
    run<Seq>(get().db, { text: `SELECT * FROM sequences WHERE play_id = $1 ORDER BY id`, values: [playId] });
  const bodies = (sequenceId: number) =>
    run<{ subject: string; body: string }>(get().db, {
      text: `SELECT subject, body FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`,
      values: [sequenceId],
    });
  const play = async (name: string, experiment: unknown) =>
    (
      await createPlay(
        get().db,
        ws.id,
        { name, trigger: { kind: 'signal', signalType: 'funding' }, experiment },
        ws.users.revops.id,
      )
    ).id;
  /** `n` researched funding signals of the play, each with one contact, drafted offline. */
  const draftMany = async (playId: number, n: number) => {
    const scenes = [];
    for (let i = 0; i < n; i++) {
      const s = await buildScene(get().db, ws, 'funding');
      await get().db.query(`UPDATE signals SET play_id = $2 WHERE id = $1`, [s.signalId, playId]);
      await draftSignal(deps(), s.signalId);
      scenes.push(s);
    }
    return scenes;
  };

  beforeAll(async () => {
    ws = await buildDraftWorkspace(get().db);
  });

  let variantsPlay = 0;
  it('assigns a stable variant and arm before drafting; held-out contacts get the evergreen draft', async () => {
    variantsPlay = await play('Funding A/B', {
      variants: [
        { label: 'Ops', instruction: 'Write for operations.', angle: 'revops' },
        { label: 'Founder', instruction: 'Write for a founder.', angle: 'founder' },
      ],
      holdoutShare: 0.3,
      holdoutGets: 'evergreen',
    });
    const scenes = await draftMany(variantsPlay, 40);
    const seqs = await sequencesOfPlay(variantsPlay);
    expect(seqs).toHaveLength(40);
    const held = seqs.filter((s) => s.arm === 'holdout');
    const treated = seqs.filter((s) => s.arm === 'treated');
    expect(held.length + treated.length).toBe(40);
    // Binomial(40, 0.3): mean 12, sd 2.9; the bounds are 4 sd away.
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.length).toBeLessThanOrEqual(24);
    for (const s of held) expect([s.variant, s.variant_source]).toEqual([null, null]);
    for (const s of treated) {
      expect([0, 1]).toContain(s.variant);
      expect([s.variant_of, s.variant_source]).toEqual(['play', 'random']);
    }
    expect(new Set(treated.map((s) => s.variant)).size).toBe(2);

    // Held out: the evergreen sequence, nothing of the signal or its research; treated: the signal, in the variant's angle.
    const facts = scenes.flatMap((sc) => sc.fixture.facts.map((f) => f.text.slice(0, 40)));
    for (const s of held) {
      expect(s.status).toBe('pending_review');
      const text = (await bodies(s.id)).map((b) => `${b.subject}\n${b.body}`).join('\n');
      expect(text).toContain('introduce myself');
      expect(text.toLowerCase()).not.toMatch(/funding|raise|round|series/);
      for (const f of facts) expect(text).not.toContain(f);
    }
    for (const s of treated) {
      const steps = await bodies(s.id);
      expect(steps[0]!.body).toContain('funding');
      // The offline drafter's second step asks the angle's question.
      expect(steps[1]!.body).toContain(
        s.variant === 0 ? 'keep territories and routing in step' : 'What would make the coming quarter a good one',
      );
    }

    // Stable: preparing and re-drafting again changes nothing of the assignment.
    for (const sc of scenes.slice(0, 10)) {
      await prepareSequences(get().db, sc.signalId);
      await draftSignal(deps(), sc.signalId, { redraft: true });
    }
    const again = await sequencesOfPlay(variantsPlay);
    expect(again.map((s) => [s.id, s.variant, s.arm])).toEqual(seqs.map((s) => [s.id, s.variant, s.arm]));
  });

  it('counts each variant and each arm from the sequences’ events', async () => {
    const seqs = await sequencesOfPlay(variantsPlay);
    const treated = seqs.filter((s) => s.arm === 'treated');
    const held = seqs.filter((s) => s.arm === 'holdout');
    const ev = (s: Seq, type: string, data: unknown = {}, withSequence = true) =>
      run(
        get().db,
        insertEvent({
          workspaceId: ws.id,
          type,
          sequenceId: withSequence ? s.id : null,
          contactId: s.contact_id,
          signalId: s.signal_id,
          data,
          at: new Date(),
        }),
      );
    const expected = [0, 1].map(() => ({ sent: 0, replied: 0, positive: 0, meetings: 0, unsubscribed: 0, bounced: 0 }));
    for (const [i, s] of treated.entries()) {
      const e = expected[s.variant!]!;
      if (i % 5 === 4) continue; // never sent
      await ev(s, 'sent');
      await ev(s, 'sent'); // a second step: still one sequence sent
      e.sent++;
      if (i % 3 === 0) {
        await ev(s, 'reply', { intent: i % 2 ? 'interested' : 'not_interested' });
        e.replied++;
        if (i % 2) e.positive++;
      }
      if (i % 4 === 1) {
        await ev(s, 'meeting_booked', {}, false); // from the calendar: only the contact is known
        e.meetings++;
      }
      if (i % 7 === 2) {
        await ev(s, 'unsubscribe');
        e.unsubscribed++;
      }
      if (i % 7 === 3) {
        await ev(s, 'bounce');
        e.bounced++;
      }
    }
    await get().db.query(`UPDATE sequences SET status = 'rejected' WHERE id = $1`, [held[0]!.id]);
    await ev(held[0]!, 'meeting_booked', {}, false);

    const variants = experimentReports(await run(get().db, variantOutcomes(ws.id, WEEK_AGO, SOON, variantsPlay)));
    expect(variants).toHaveLength(1);
    expect(variants[0]!.arms.map((a) => a.letter)).toEqual(['A', 'B']);
    for (const a of variants[0]!.arms) {
      expect(a).toMatchObject(expected[a.variant]!);
      expect(a.sequences).toBe(treated.filter((s) => s.variant === a.variant).length);
    }
    expect(variants[0]!.arms.map((a) => a.label)).toEqual(['Ops', 'Founder']);
    expect(variants[0]!.comparison.winner).toBeNull(); // far below 100 sends per variant
    expect(variants[0]!.comparison.reason).toContain('at least 100 sends');

    const lift = liftReports(await run(get().db, armOutcomes(ws.id, WEEK_AGO, SOON))).find(
      (l) => l.playId === variantsPlay,
    )!;
    expect(lift.signalType).toBe('funding');
    expect(lift.treated.sequences).toBe(treated.length);
    expect(lift.holdout).toMatchObject({ sequences: held.length, meetings: 1, rejected: 1 });
    const meetings = expected[0]!.meetings + expected[1]!.meetings;
    expect(lift.treated.meetings).toBe(meetings);
    expect(lift.meetings.lift!.diff).toBeCloseTo(meetings / treated.length - 1 / held.length, 10);
  });

  it('gives held-out contacts nothing when the play says so', async () => {
    const id = await play('Funding, hold out with nothing', { holdoutShare: 0.5, holdoutGets: 'nothing' });
    const scenes = await draftMany(id, 16);
    const seqs = await sequencesOfPlay(id);
    const held = seqs.filter((s) => s.arm === 'holdout');
    // Binomial(16, 0.5): P(no one held out) = 1/65,536.
    expect(held.length).toBeGreaterThan(0);
    for (const s of held) {
      expect([s.status, s.stop_reason]).toEqual(['stopped', 'holdout']);
      expect(await bodies(s.id)).toEqual([]);
      const sig = scenes.find((sc) => sc.signalId === s.signal_id)!;
      const status = await one<{ status: string }>(get().db, {
        text: `SELECT status FROM signals WHERE id = $1`,
        values: [sig.signalId],
      });
      expect(status!.status).toBe('drafted');
    }
    for (const s of seqs.filter((x) => x.arm === 'treated')) expect(s.status).toBe('pending_review');
    // The managers' funnel counts only the drafted (treated) sequences of this play.
    const funnel = await run(get().db, sequenceStages(ws.id, WEEK_AGO, SOON, 'play'));
    expect(funnel.find((r) => r.key === 'Funding, hold out with nothing')!.sequences).toBe(seqs.length - held.length);
  });

  it('rolls a clear winner out to new enrolments only', async () => {
    const id = await play('Funding, auto-promote', {
      variants: [
        { label: 'Plain', instruction: '' },
        { label: 'Bold', instruction: 'Be bold.' },
      ],
      holdoutShare: 0,
      autoPromote: true,
      minSample: 30,
    });
    // History: 40 sends per variant; B got 20 positive replies, A got 2.
    const history = await build(id, 0, 40, 2);
    const historyB = await build(id, 1, 40, 20);
    const before = await sequencesOfPlay(id);
    await draftMany(id, 6);
    const after = await sequencesOfPlay(id);
    const fresh = after.filter((s) => !before.some((b) => b.id === s.id));
    expect(fresh).toHaveLength(6);
    for (const s of fresh) expect([s.variant, s.variant_source]).toEqual([1, 'promoted']);
    // The history keeps its own assignments, and the comparison still counts only random ones.
    for (const s of after.filter((x) => [...history, ...historyB].includes(x.id)))
      expect(s.variant_source).toBe('random');
    const report = experimentReports(await run(get().db, variantOutcomes(ws.id, WEEK_AGO, SOON, id)));
    expect(report[0]!.arms.map((a) => [a.sent, a.positive])).toEqual([
      [40, 2],
      [40, 20],
    ]);
    expect(report[0]!.comparison.winner).toBe(1);
  });

  it('assigns template step variants, entered in the template form, when the play has none', async () => {
    const form = {
      name: 'Two-angle opener',
      step_kind_0: 'opener',
      step_delay_0: '0',
      step_variants_0: 'Ops | Write for operations. | revops\nFounder | Write for a founder. | founder',
      step_kind_1: 'follow_up',
      step_delay_1: '3',
      step_variants_1: 'Ask | End on a question.\nProof | Give a proof point.',
      step_kind_2: 'breakup',
      step_delay_2: '5',
      window_days: ['2', '3', '4'],
      window_start: '09:00',
      window_end: '11:00',
    };
    const t = await saveTemplate({ db: get().db }, ws.id, ws.users.revops.id, undefined, templateFromForm(form));
    const id = (
      await createPlay(
        get().db,
        ws.id,
        { name: 'Funding, template A/B', trigger: { kind: 'signal', signalType: 'funding' }, templateId: t.id },
        ws.users.revops.id,
      )
    ).id;
    await draftMany(id, 12);
    const seqs = await sequencesOfPlay(id);
    expect(seqs).toHaveLength(12);
    for (const s of seqs) {
      expect([s.variant_of, s.variant_source, s.arm]).toEqual(['template', 'random', null]);
      const steps = await bodies(s.id);
      expect(steps).toHaveLength(3);
      expect(steps[1]!.body).toContain(
        s.variant === 0 ? 'keep territories and routing in step' : 'What would make the coming quarter a good one',
      );
    }
    expect(new Set(seqs.map((s) => s.variant))).toEqual(new Set([0, 1]));

    // Per step: both steps sent everywhere; A's first sequence replies to step 1, every B to step 2.
    const t0 = Date.now() - 3 * 3_600_000;
    const firstA = seqs.find((s) => s.variant === 0)!;
    for (const s of seqs) {
      const stepIds = await run<{ id: number }>(get().db, {
        text: `SELECT id FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`,
        values: [s.id],
      });
      const ev = (type: string, stepId: number | null, ms: number, data: unknown = {}) =>
        run(get().db, insertEvent({ workspaceId: ws.id, type, sequenceId: s.id, stepId, data, at: new Date(t0 + ms) }));
      await ev('sent', stepIds[0]!.id, 0);
      await ev('sent', stepIds[1]!.id, 3_600_000);
      if (s.id === firstA.id) await ev('reply', null, 1_800_000, { intent: 'interested' });
      if (s.variant === 1) await ev('reply', null, 7_200_000, { intent: 'not_interested' });
    }
    const [report] = experimentReports(
      (await run(get().db, variantOutcomes(ws.id, WEEK_AGO, SOON))).filter(
        (r) => r.variant_of === 'template' && r.owner_id === t.id,
      ),
      await run(get().db, stepVariantOutcomes(ws.id, WEEK_AGO, SOON)),
    );
    const nA = seqs.filter((s) => s.variant === 0).length;
    const nB = seqs.length - nA;
    expect(report!.steps!.map((st) => [st.step, st.arms.map((a) => [a.label, a.sent, a.replied, a.positive])])).toEqual(
      [
        [
          1,
          [
            ['Ops', nA, 1, 1],
            ['Founder', nB, 0, 0],
          ],
        ],
        [
          2,
          [
            ['Ask', nA, 0, 0],
            ['Proof', nB, nB, 0],
          ],
        ],
      ],
    );
    expect(report!.steps![1]!.comparison.winner).toBeNull(); // 12 sends are far below the minimum

    // The form refuses steps whose variants do not line up.
    expect(() => templateFromForm({ ...form, step_variants_1: 'One | only one' })).toThrow(/2 to 4|same number/);
  });

  /** `n` sent sequences of a play on one variant, `positive` of them with a positive reply. */
  async function build(playId: number, variant: number, n: number, positive: number): Promise<number[]> {
    const ids: number[] = [];
    const scene = await buildScene(get().db, ws, 'funding');
    for (let i = 0; i < n; i++) {
      const s = (await one<{ id: number }>(get().db, {
        text: `INSERT INTO sequences (workspace_id, signal_id, account_id, contact_id, play_id, status, variant, variant_of, variant_source)
               VALUES ($1, $2, $3, $4, $5, 'completed', $6, 'play', 'random') RETURNING id`,
        values: [ws.id, scene.signalId, scene.accountId, scene.contactId, playId, variant],
      }))!;
      ids.push(s.id);
      const at = new Date();
      await run(get().db, insertEvent({ workspaceId: ws.id, type: 'sent', sequenceId: s.id, at }));
      if (i < positive)
        await run(
          get().db,
          insertEvent({ workspaceId: ws.id, type: 'reply', sequenceId: s.id, data: { intent: 'interested' }, at }),
        );
    }
    return ids;
  }
});
