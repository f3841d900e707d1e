// Plays from trigger to drafts: a signed inbound event starts the onboarding play, a rep's manual
// enrollment drafts two contacts at one account with staggered starts, and a signal no play takes
// is kept and starts nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftAgent } from '../../agents/draft.js';
import { researchAgent } from '../../agents/research.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { inboundSecret } from '../../plays/enroll.js';
import { seedDefaultPlays } from '../../plays/service.js';
import { approveSequence } from '../../sequencing/approve.js';
import { signBody } from '../../signals/sources/webhook.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';
import { buildDraftWorkspace } from '../drafting/builders.js';
import { buildAccount, buildContact, type TestWorkspace } from '../support/builders.js';

interface SeqRow {
  id: number;
  contact_id: number;
  play_id: number | null;
  persona: string | null;
  stagger_hours: number;
  status: string;
  drafter: string;
}

describeEachBackend('plays end to end', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  const helpers = () => ({ ...ctx, jobId: randomUUID(), signal: new AbortController().signal });
  const researchJobs = async (signalId: number) =>
    (
      await get().db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'research' AND (data->>'signalId')::int = $1`,
        [signalId],
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildDraftWorkspace(get().db);
    await seedDefaultPlays(get().db, ws.id);
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${web.base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('refuses an unsigned or wrongly signed inbound event and stores nothing', async () => {
    const body = JSON.stringify({ id: 'evt_bad', event: 'trial_signup', email: 'eve@attacker.example' });
    expect((await post(body, { 'x-prospector-workspace': String(ws.id) })).status).toBe(401);
    expect(
      (
        await post(body, {
          'x-prospector-workspace': String(ws.id),
          'x-prospector-signature': signBody('wrong-secret', body),
        })
      ).status,
    ).toBe(401);
    const n = await one<{ n: number }>(get().db, {
      text: `SELECT count(*)::int AS n FROM contacts WHERE email = 'eve@attacker.example'`,
      values: [],
    });
    expect(n!.n).toBe(0);
  });

  it('starts the onboarding play from a signed trial signup, once per event id, through to a draft', async () => {
    const { db } = get();
    const secret = await inboundSecret(db, ctx.secrets, ws.id);
    const body = JSON.stringify({
      id: 'evt_1',
      event: 'trial_signup',
      email: 'sam@newco.example',
      firstName: 'Sam',
      lastName: 'Ng',
      title: 'Head of Sales',
      company: 'NewCo',
      detail: 'Team plan trial',
    });
    const res = await post(body, {
      'x-prospector-workspace': String(ws.id),
      'x-prospector-signature': signBody(secret, body),
    });
    expect(res.status).toBe(202);
    const { signalId } = (await res.json()) as { signalId: number };
    const again = await post(body, {
      'x-prospector-workspace': String(ws.id),
      'x-prospector-signature': signBody(secret, body),
    });
    expect(await again.json()).toEqual({ duplicate: true });
    expect(await researchJobs(signalId)).toBe(1);
    const signal = await one<{ type: string; subtype: string; play_name: string; account_name: string }>(db, {
      text:
        `SELECT s.type, s.subtype, p.name AS play_name, a.name AS account_name FROM signals s JOIN plays p ` +
        `ON p.id = s.play_id JOIN accounts a ON a.id = s.account_id WHERE s.id = $1`,
      values: [signalId],
    });
    expect(signal).toEqual({
      type: 'inbound',
      subtype: 'trial_signup',
      play_name: 'Onboarding: trial signup',
      account_name: 'NewCo',
    });
    await researchAgent.handler({ signalId }, helpers());
    await draftAgent.handler({ signalId }, helpers());
    const seqs = await run<SeqRow & { email: string; play_name: string }>(db, {
      text:
        `SELECT q.*, c.email, p.name AS play_name FROM sequences q JOIN contacts c ON c.id = q.contact_id ` +
        `JOIN plays p ON p.id = q.play_id WHERE q.signal_id = $1`,
      values: [signalId],
    });
    expect(seqs).toHaveLength(1);
    expect(seqs[0]).toMatchObject({
      email: 'sam@newco.example',
      play_name: 'Onboarding: trial signup',
      status: 'pending_review',
    });
  });

  it('enrolls two contacts by hand: one signal, two drafts, the second starting a day later', async () => {
    const { db } = get();
    const acc = await buildAccount(db, ws, 'Twofold', 'twofold.example');
    const ids: number[] = [];
    for (const [first, title] of [
      ['Ada', 'VP Sales'],
      ['Ben', 'Head of RevOps'],
    ]) {
      ids.push(
        (
          await buildContact(db, ws, {
            accountId: acc.id,
            firstName: first!,
            lastName: 'T',
            email: `${first!.toLowerCase()}@twofold.example`,
            title: title!,
          })
        ).id,
      );
    }
    const play = await one<{ id: number }>(db, {
      text: `SELECT id FROM plays WHERE workspace_id = $1 AND name LIKE 'Funding%'`,
      values: [ws.id],
    });
    const token = await createApiToken(db, ws.users.rep.id, 'enroll');
    const res = await fetch(`${web.base}/api/plays/${play!.id}/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contactIds: ids, note: 'Met at the RevOps summit' }),
    });
    expect(res.status).toBe(202);
    const { signalIds } = (await res.json()) as { signalIds: number[] };
    expect(signalIds).toHaveLength(1);
    await researchAgent.handler({ signalId: signalIds[0]! }, helpers());
    await draftAgent.handler({ signalId: signalIds[0]! }, helpers());
    const seqs = await run<SeqRow>(db, {
      text: `SELECT * FROM sequences WHERE signal_id = $1 ORDER BY stagger_hours`,
      values: [signalIds[0]],
    });
    expect(seqs.map((s) => [s.contact_id, s.stagger_hours, s.play_id, s.status])).toEqual([
      [ids[0], 0, play!.id, 'pending_review'],
      [ids[1], 24, play!.id, 'pending_review'],
    ]);
    // Approved together, the second contact's first email waits at least a day after the first's.
    const now = new Date('2026-12-01T10:00:00Z'); // a Tuesday: 10:00 UTC is inside the default window
    const a = await approveSequence(ctx, { sequenceId: seqs[0]!.id, userId: ws.users.rep.id, now, random: () => 0 });
    const b = await approveSequence(ctx, { sequenceId: seqs[1]!.id, userId: ws.users.rep.id, now, random: () => 0 });
    expect(a.firstSendAt!.getTime() - now.getTime()).toBeLessThan(3_600_000);
    expect(b.firstSendAt!.getTime() - now.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000);
  });

  it('RevOps open a blank play form, and a form with no name or a bad persona line is refused with the reason', async () => {
    const b = new Browserish(web.base);
    await b.login(ws.users.revops.email, ws.users.revops.password);
    const form = await b.page('/plays/new');
    expect(form.res.status).toBe(200);
    const base = {
      _csrf: form.csrf!,
      triggerKind: 'signal',
      signalType: 'funding',
      maxContacts: '2',
      cooldownDays: '90',
      staggerHours: '24',
    };
    const noName = await b.post('/plays', { ...base, name: '', personas: '' });
    expect(noName.status).toBe(400);
    expect(await noName.text()).toContain('Name must not be empty');
    const badPersona = await b.post('/plays', { ...base, name: 'Broken', personas: 'no colon here' });
    expect(badPersona.status).toBe(400);
    expect(await badPersona.text()).toContain('line 1: start with a name and a colon');
  });

  it('keeps a signal no enabled play takes, dismissed with the reason, and drafts nothing', async () => {
    const { db } = get();
    const acc = await buildAccount(db, ws, 'Seedling', 'seedling.example');
    await buildContact(db, ws, {
      accountId: acc.id,
      firstName: 'Cy',
      lastName: 'S',
      email: 'cy@seedling.example',
      title: 'CEO',
    });
    const s = (await one<{ id: number }>(db, {
      text:
        `INSERT INTO signals (workspace_id, account_id, type, subtype, title, facts, fingerprint) ` +
        `VALUES ($1, $2, 'funding', 'seed', 'Seedling raises a seed round', '{"round":"seed"}', $3) RETURNING id`,
      values: [ws.id, acc.id, randomUUID()],
    }))!;
    await researchAgent.handler({ signalId: s.id }, helpers());
    const row = await one<{ status: string; error: string }>(db, {
      text: 'SELECT status, error FROM signals WHERE id = $1',
      values: [s.id],
    });
    expect(row).toEqual({ status: 'dismissed', error: 'no enabled play fires for a funding (seed) signal' });
    expect((await run(db, { text: 'SELECT 1 FROM sequences WHERE signal_id = $1', values: [s.id] })).length).toBe(0);
  });
});

describeEachBackend('funnel by play', (get) => {
  it('groups signals and drafts by the play that took them', async () => {
    const { db } = get();
    const ctx = await createTestContext(get());
    const web = await listen(ctx);
    try {
      const ws = await buildDraftWorkspace(db);
      await seedDefaultPlays(db, ws.id);
      const play = (await one<{ id: number }>(db, {
        text: `SELECT id FROM plays WHERE workspace_id = $1 AND name LIKE 'Hiring%'`,
        values: [ws.id],
      }))!;
      const acc = await buildAccount(db, ws, 'Hire Co', 'hire.example');
      const c = await buildContact(db, ws, {
        accountId: acc.id,
        firstName: 'H',
        lastName: 'C',
        email: 'h@hire.example',
        title: 'VP Sales',
      });
      for (const [playId, status] of [
        [play.id, 'pending_review'],
        [play.id, 'active'],
        [null, null],
      ] as const) {
        const s = (await one<{ id: number }>(db, {
          text:
            `INSERT INTO signals (workspace_id, account_id, type, title, fingerprint, play_id, status) ` +
            `VALUES ($1, $2, 'hiring', 'Hire Co hires SDRs', $3, $4, 'drafted') RETURNING id`,
          values: [ws.id, acc.id, randomUUID(), playId],
        }))!;
        if (status)
          await run(db, {
            text:
              `INSERT INTO sequences (workspace_id, signal_id, account_id, contact_id, play_id, status, ` +
              `approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            values: [ws.id, s.id, acc.id, c.id, playId, status, status === 'active' ? new Date() : null],
          });
      }
      const token = await createApiToken(db, ws.users.manager.id, 'funnel');
      const res = await fetch(`${web.base}/api/funnel?dim=play`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: { key: string; counts: Record<string, number | null> }[] };
      const byKey = Object.fromEntries(body.rows.map((r) => [r.key, r.counts]));
      expect(byKey['Hiring: building a sales team']).toMatchObject({ signals: 2, drafted: 2, approved: 1 });
      expect(byKey['no play']).toMatchObject({ signals: 1, drafted: 0 });
    } finally {
      await web.close();
      await ctx.stop();
    }
  });
});
