// Killed mid-flight: two workers on PostgreSQL; one gets SIGKILL while openers are being handed to
// a slow SMTP server and research is fetching slow sites. The other worker finishes everything
// the dead one had not taken; nothing is sent twice; what the dead one held is not lost: its
// `sending` steps are reconciled (never blindly resent) and its jobs are still in the queue.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createCaches } from '../../context.js';
import { createLogger } from '../../log.js';
import { createSecretBox } from '../../secret-box.js';
import { reconcileStuck, STUCK_AFTER_MS } from '../../sequencing/reconcile.js';
import { TEST_SECRET, testConfig } from '../support/context.js';
import { eventually } from '../support/eventually.js';
import { dueNow, pollNow, rows, startStack, type Stack } from './stack.js';

const NAMES = ['Borealis Freight', 'Cinder Labs', 'Driftwood Media', 'Ember Health', 'Fennel Robotics'];
const companies = NAMES.map((name) => {
  const domain = `${name.split(' ')[0]!.toLowerCase()}.test`;
  return {
    domain,
    name,
    contact: { first: 'Sam', last: name.split(' ')[0]!, title: 'VP of Sales' },
    paragraphs: [
      `${name} sells software to mid-sized companies across North America.`,
      `${name} employs 180 people and is growing its sales team.`,
    ],
  };
});
const story = (name: string) => ({
  id: name.toLowerCase().replace(/\W+/g, '-'),
  title: `${name} raises $20 million Series A to grow its sales team`,
  paragraphs: [
    `${name} has raised $20 million in a Series A round led by Loopback Capital.`,
    'The company plans to double its sales team this year.',
  ],
});

let s: Stack;
let failed = false;
beforeAll(async () => {
  // Only batch B's sites are slow: its research must still be fetching when the worker is killed;
  // batch A and the late signal are researched at loopback speed.
  s = await startStack({
    label: 'e2ekilled',
    companies,
    siteDelayMs: 2_500,
    slowDomains: [companies[2]!.domain, companies[3]!.domain],
    smtpDelayMs: 4_000,
  });
}, 120_000);
afterAll(async () => {
  await s?.close(failed);
});

describe('a worker killed mid-flight', { timeout: 240_000 }, () => {
  it('the other worker finishes the work; no step is sent twice; no job or step is lost', async () => {
    onTestFailed(() => {
      failed = true;
    });
    // Batch A: two funding signals drafted and approved; their openers will go out together.
    s.world.stories.push(story(NAMES[0]!), story(NAMES[1]!));
    await pollNow(s);
    const drafts = await eventually(
      'two drafts',
      async () => {
        const r = await rows<{ id: number; version: number }>(
          s,
          `SELECT id, version FROM sequences WHERE status = 'pending_review' ORDER BY id`,
        );
        return r.length === 2 ? r : undefined;
      },
      { timeout: 90_000 },
    );
    for (const d of drafts)
      expect(
        (await s.api(`/api/drafts/${d.id}/approve`, { method: 'POST', body: { version: d.version } })).status,
      ).toBe(200);
    await dueNow(
      s,
      drafts.map((d) => d.id),
    );

    // The moment a send is in flight, batch B arrives and research starts on slow sites.
    await eventually(
      'a step being sent',
      async () => (await rows(s, `SELECT id FROM sequence_steps WHERE status = 'sending'`)).length > 0,
      { timeout: 120_000, every: 200 },
    );
    s.world.stories.push(story(NAMES[2]!), story(NAMES[3]!));
    await pollNow(s);
    await eventually(
      'research running',
      async () => (await rows(s, `SELECT id FROM pgboss.job WHERE name = 'research' AND state = 'active'`)).length > 0,
      { timeout: 30_000, every: 200 },
    );
    s.workers[0]!.child.kill('SIGKILL');
    expect(await s.workers[0]!.exit()).toBeNull();

    // The survivor does the work that arrives after the kill: research, draft, and the send.
    s.world.stories.push(story(NAMES[4]!));
    await pollNow(s);
    const late = await eventually(
      'the survivor to draft the new signal',
      async () =>
        (
          await rows<{ id: number; version: number }>(
            s,
            `SELECT q.id, q.version FROM sequences q JOIN signals g ON g.id = q.signal_id WHERE g.title LIKE $1 ` +
              `AND q.status = 'pending_review'`,
            [`${NAMES[4]}%`],
          )
        )[0],
      { timeout: 90_000 },
    );
    expect(
      (await s.api(`/api/drafts/${late.id}/approve`, { method: 'POST', body: { version: late.version } })).status,
    ).toBe(200);
    await dueNow(s, [late.id]);
    await eventually(
      'the survivor to send it',
      async () =>
        (
          await rows(s, `SELECT id FROM sequence_steps WHERE sequence_id = $1 AND position = 1 AND status = 'sent'`, [
            late.id,
          ])
        ).length === 1,
      { timeout: 150_000, every: 1_000 },
    );

    // What the dead worker held is not lost: its jobs are still active with retries left (pg-boss
    // hands them out again when their lease expires), their signals wait in `researching`, and every
    // signal is drafted or held so.
    const held = await rows<{ signal_id: string; state: string; retry_count: number; retry_limit: number }>(
      s,
      `SELECT data->>'signalId' AS signal_id, state, retry_count, retry_limit FROM pgboss.job WHERE name ` +
        `IN ('research', 'draft') AND state NOT IN ('completed')`,
    );
    expect(held.every((j) => j.state === 'active' && j.retry_count < j.retry_limit)).toBe(true);
    const signals = await rows<{ id: number; status: string }>(s, 'SELECT id, status FROM signals ORDER BY id');
    expect(signals).toHaveLength(5);
    for (const g of signals)
      expect(
        g.status === 'drafted' || held.some((j) => j.signal_id === String(g.id)),
        `signal ${g.id} ${g.status}`,
      ).toBe(true);

    // Nothing was delivered twice, and every delivery is a step we recorded (sent) or still hold (sending).
    const byId = new Map<string, number>();
    for (const m of s.smtp.received) byId.set(m.parsed.messageId!, (byId.get(m.parsed.messageId!) ?? 0) + 1);
    expect([...byId.values()].every((n) => n === 1)).toBe(true);
    const steps = await rows<{ id: number; status: string; message_id: string | null }>(
      s,
      `SELECT id, status, message_id FROM sequence_steps WHERE status IN ('sent', 'sending', 'unknown')`,
    );
    for (const st of steps.filter((x) => x.status === 'sent')) expect(byId.get(st.message_id!)).toBe(1);
    for (const id of byId.keys()) expect(steps.map((x) => x.message_id)).toContain(id);

    // A step the dead worker left in `sending` is reconciled once it is stale: looked up in the
    // mailbox's IMAP Sent folder (not there: the test SMTP server keeps no copy) → `unknown`, for a person.
    const stale = new Date(Date.now() + STUCK_AFTER_MS + 60_000);
    const ctx = {
      db: s.t.db,
      log: createLogger('silent'),
      secrets: createSecretBox(TEST_SECRET),
      config: testConfig(s.t),
      caches: createCaches(),
    };
    const before = s.smtp.received.length;
    const r = await reconcileStuck(ctx, { now: stale });
    const after = await rows<{ status: string }>(
      s,
      `SELECT status FROM sequence_steps WHERE status IN ('sending', 'unknown')`,
    );
    expect(after.every((x) => x.status === 'unknown')).toBe(true);
    // (a step the dead worker claimed but never handed to the server goes back to `scheduled` instead)
    expect(r.unknown + r.sent + r.released).toBe(steps.filter((x) => x.status === 'sending').length);
    expect(s.smtp.received.length).toBe(before);
  });
});
