// The daily cap is counted in the mailbox owner's day (migration 0035): it resets at midnight in
// the owner's time zone, not at midnight UTC, and a claim given back is taken off that same day.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { releaseUnhanded } from '../../db/queries/sending.js';
import { claimStepCall } from '../../db/queries/sending-claim.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ALWAYS, buildSequence } from './builders.js';

// Los Angeles is UTC-8 in January: its midnight of 13 January is 08:00 UTC.
const ZONE = 'America/Los_Angeles';
const at = (iso: string) => new Date(iso);
const fixed = (d: Date) => () => d;

describeEachBackend("daily cap in the mailbox owner's day", (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let smtp: TestSmtp;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(get().db);
    await ctx.db.query(`UPDATE users SET time_zone = $2 WHERE id = $1`, [ws.users.rep.id, ZONE]);
    smtp = await startSmtp();
    transports = new TransportPool(transportDeps(ctx));
  });
  afterAll(async () => {
    await transports.close();
    await smtp.close();
    await ctx.stop();
  });

  /** Two approved steps on a mailbox of cap 1, due at `first` and `second`. */
  const twoSteps = async (first: Date, second: Date) => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      contactTz: ZONE,
      window: ALWAYS,
      fallback: null,
      steps: [{ delayDays: 0 }, { delayDays: 0 }],
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, dailyCap: 1 },
    });
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: first, random: () => 0 });
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE id = $1`, [b.stepIds[0], first]);
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = $2 WHERE id = $1`, [b.stepIds[1], second]);
    return b;
  };
  const counter = async (mailboxId: number | null) =>
    (await one<{ sent_day: string; sent_on_day: number }>(ctx.db, {
      text: `SELECT to_char(sent_day, 'YYYY-MM-DD') AS sent_day, sent_on_day FROM mailboxes WHERE id = $1`,
      values: [mailboxId],
    }))!;

  it("resets at the owner's midnight: 23:30 and 00:10 there are two days, though one UTC day", async () => {
    const first = at('2026-01-13T07:30:00Z'); // 23:30 on the 12th in Los Angeles
    const second = at('2026-01-13T08:10:00Z'); // 00:10 on the 13th there; the same UTC day
    const b = await twoSteps(first, second);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(first) })).status).toBe('sent');
    expect(await counter(b.mailboxId)).toEqual({ sent_day: '2026-01-12', sent_on_day: 1 });
    expect((await sendStep(ctx, b.stepIds[1]!, { transports, now: fixed(second) })).status).toBe('sent');
    expect(await counter(b.mailboxId)).toEqual({ sent_day: '2026-01-13', sent_on_day: 1 });
  });

  it('does not reset at midnight UTC while it is still the same day for the owner', async () => {
    const first = at('2026-01-13T23:30:00Z'); // 15:30 on the 13th in Los Angeles
    const second = at('2026-01-14T00:10:00Z'); // 16:10 on the 13th there; the next UTC day
    const b = await twoSteps(first, second);
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: fixed(first) })).status).toBe('sent');
    expect(await sendStep(ctx, b.stepIds[1]!, { transports, now: fixed(second) })).toMatchObject({
      status: 'deferred',
      reason: 'daily cap reached',
    });
    expect(await counter(b.mailboxId)).toEqual({ sent_day: '2026-01-13', sent_on_day: 1 });
  });

  it("gives a claim that never reached the server back to the owner's day it was counted on", async () => {
    const first = at('2026-01-20T07:30:00Z'); // 23:30 on the 19th in Los Angeles, the 20th in UTC
    const b = await twoSteps(first, at('2026-01-20T07:40:00Z'));
    // Claimed (counted on the 19th), then found never handed over, as after a crash.
    const claim = await one(ctx.db, claimStepCall(b.stepIds[0]!, first, 0, '<cap-day.test@'));
    expect(claim!.facts!.claimed_mailbox).not.toBeNull();
    expect(await counter(b.mailboxId)).toEqual({ sent_day: '2026-01-19', sent_on_day: 1 });
    expect(await one(ctx.db, releaseUnhanded(b.stepIds[0]!, 'never handed over', first))).toBeDefined();
    expect(await counter(b.mailboxId)).toEqual({ sent_day: '2026-01-19', sent_on_day: 0 });
  });
});
