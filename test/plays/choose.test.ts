import { beforeAll, expect, it } from 'vitest';
import { one, run, type Database } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
import { choosePlayContacts, type SignalForPlay } from '../../plays/choose.js';
import { createPlay, editPlay, seedDefaultPlays } from '../../plays/service.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';

const mx = (noMx: string[]) => async (domain: string) => {
  if (noMx.includes(domain)) throw Object.assign(new Error('queryMx ENOTFOUND'), { code: 'ENOTFOUND' });
  return [{ exchange: `mx.${domain}`, priority: 10 }];
};

async function account(db: Database, ws: TestWorkspace, domain: string, people: [string, string][]) {
  const a = (await one(
    db,
    insertAccount(ws.id, {
      name: domain,
      domain,
      aliases: [],
      ownerId: ws.users.rep.id,
      timeZone: null,
      country: null,
      tags: [],
    }),
  ))!;
  const ids: Record<string, number> = {};
  for (const [local, title] of people) {
    const c = (await one(
      db,
      insertContact(ws.id, {
        accountId: a.id,
        firstName: local,
        lastName: 'X',
        email: `${local}@${domain}`,
        title,
        timeZone: null,
        linkedinUrl: null,
        isChampion: false,
      }),
    ))!;
    ids[local] = c.id;
  }
  return { accountId: a.id, ids };
}

const signal = (ws: TestWorkspace, accountId: number, over: Partial<SignalForPlay> = {}): SignalForPlay => ({
  id: 0,
  workspace_id: ws.id,
  account_id: accountId,
  contact_id: null,
  type: 'funding',
  subtype: 'series_b',
  facts: { round: 'series_b' },
  ...over,
});

describeEachBackend('choosing contacts for a play', (get) => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await buildWorkspace(get().db);
    expect(await seedDefaultPlays(get().db, ws.id)).toBeGreaterThan(4);
    expect(await seedDefaultPlays(get().db, ws.id)).toBe(0);
  });

  it('picks up to two people by persona rank and staggers them', async () => {
    const { db } = get();
    const a = await account(db, ws, 'rank-co.com', [
      ['eng', 'Sales Engineer'],
      ['dir', 'Director of Sales'],
      ['vp', 'VP, Sales'],
      ['cro', 'Chief Revenue Officer'],
    ]);
    const choice = await choosePlayContacts(db, signal(ws, a.accountId), { resolveMx: mx([]) });
    expect(choice.play?.name).toBe('Funding: Series A or later');
    expect(choice.contacts).toEqual([
      { id: a.ids.cro, persona: 'Sales leadership', startAfterHours: 0 },
      { id: a.ids.vp, persona: 'Sales leadership', startAfterHours: 24 },
    ]);
    expect(choice.skipped).toContainEqual({ id: a.ids.eng, reason: "matches none of the play's personas" });
  });

  it('skips people in an active sequence, contacted within the cooldown, or suppressed', async () => {
    const { db } = get();
    const a = await account(db, ws, 'busy-co.com', [
      ['active', 'CRO'],
      ['recent', 'VP Sales'],
      ['supp', 'Head of Sales'],
      ['free', 'Director of Sales'],
    ]);
    await run(db, {
      text: `INSERT INTO sequences (workspace_id, account_id, contact_id, status) VALUES ($1, $2, $3, 'active')`,
      values: [ws.id, a.accountId, a.ids.active],
    });
    await run(db, {
      text: `UPDATE contacts SET last_contacted_at = now() - interval '30 days' WHERE id = $1`,
      values: [a.ids.recent],
    });
    await run(db, {
      text: `INSERT INTO suppressions (workspace_id, kind, value, reason) VALUES ($1, 'email', 'SUPP@busy-co.com', 'unsubscribed')`,
      values: [ws.id],
    });
    const choice = await choosePlayContacts(db, signal(ws, a.accountId), { resolveMx: mx([]) });
    expect(choice.contacts.map((c) => c.id)).toEqual([a.ids.free]);
    expect(Object.fromEntries(choice.skipped.map((s) => [s.id, s.reason]))).toMatchObject({
      [a.ids.active!]: 'already in a sequence',
      [a.ids.recent!]: 'contacted in the last 90 days',
      [a.ids.supp!]: 'suppressed',
    });
  });

  it('does not use a contact whose domain has no MX, and marks them undeliverable', async () => {
    const { db } = get();
    const a = await account(db, ws, 'nomail.com', [['cro', 'CRO']]);
    const choice = await choosePlayContacts(db, signal(ws, a.accountId), { resolveMx: mx(['nomail.com']) });
    expect(choice.contacts).toEqual([]);
    expect(choice.skipped).toEqual([{ id: a.ids.cro, reason: 'nomail.com has no MX record (ENOTFOUND)' }]);
    const c = await one<{ status: string; status_reason: string }>(db, {
      text: 'SELECT status, status_reason FROM contacts WHERE id = $1',
      values: [a.ids.cro],
    });
    expect(c).toEqual({ status: 'undeliverable', status_reason: 'nomail.com has no MX record (ENOTFOUND)' });
  });

  it('starts nothing when no enabled play fires, and follows edits to a play (versioned)', async () => {
    const { db } = get();
    const a = await account(db, ws, 'seed-co.com', [['ceo', 'CEO']]);
    const seed = signal(ws, a.accountId, { subtype: 'seed', facts: { round: 'seed' } });
    const none = await choosePlayContacts(db, seed, { resolveMx: mx([]) });
    expect(none.noPlay).toMatch(/no enabled play fires for a funding \(seed\) signal/);
    const play = await createPlay(
      db,
      ws.id,
      {
        name: 'Seed rounds',
        trigger: { kind: 'signal', signalType: 'funding', subtypes: ['seed'] },
        personas: [{ name: 'CEO', titleKeywords: ['chief executive officer'] }],
      },
      ws.users.revops.id,
    );
    expect((await choosePlayContacts(db, seed, { resolveMx: mx([]) })).contacts.map((c) => c.id)).toEqual([a.ids.ceo]);
    await editPlay(
      db,
      ws.id,
      play.id,
      1,
      { name: 'Seed rounds', trigger: { kind: 'signal', signalType: 'funding', subtypes: ['seed'] }, enabled: false },
      ws.users.revops.id,
    );
    await expect(
      editPlay(db, ws.id, play.id, 1, { name: 'stale edit', trigger: { kind: 'manual' } }, null),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await choosePlayContacts(db, seed, { resolveMx: mx([]) })).noPlay).toBeDefined();
    const versions = await run<{ version: number }>(db, {
      text: 'SELECT version FROM play_versions WHERE play_id = $1 ORDER BY version',
      values: [play.id],
    });
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses a bad definition in words, on create and on edit, and stores nothing (issue 16)', async () => {
    const { db } = get();
    const count = async () =>
      (await one<{ n: number }>(db, {
        text: 'SELECT count(*)::int AS n FROM plays WHERE workspace_id = $1',
        values: [ws.id],
      }))!.n;
    const before = await count();
    await expect(
      createPlay(
        db,
        ws.id,
        { name: ' ', trigger: { kind: 'manual' }, limits: { maxContactsPerAccount: 2.5, staggerHours: 999 } },
        null,
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message:
        'Name must not be empty; Limits max contacts per account must be a whole number; Limits stagger hours must be at most 336',
    });
    expect(await count()).toBe(before);
    const play = await createPlay(db, ws.id, { name: 'Worded', trigger: { kind: 'manual' } }, null);
    await expect(
      editPlay(db, ws.id, play.id, 1, { name: 'Worded', trigger: { kind: 'inbound', event: 'webinar' } }, null),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'Trigger event must be one of trial_signup, resource_download, demo_attended',
    });
    expect(
      (await one<{ version: number }>(db, { text: 'SELECT version FROM plays WHERE id = $1', values: [play.id] }))!
        .version,
    ).toBe(1);
  });

  it('uses the person who changed jobs for a job-change signal', async () => {
    const { db } = get();
    const a = await account(db, ws, 'mover-co.com', [
      ['boss', 'CEO'],
      ['newvp', 'VP Sales'],
    ]);
    const choice = await choosePlayContacts(
      db,
      signal(ws, a.accountId, {
        type: 'job_change',
        subtype: 'appointment',
        contact_id: a.ids.newvp!,
        facts: { champion: false },
      }),
      { resolveMx: mx([]) },
    );
    expect(choice.play?.name).toBe('Job change: new leader at a target account');
    expect(choice.contacts.map((c) => c.id)).toEqual([a.ids.newvp]);
  });
});
