// A send's claim commits without waiting for its WAL flush, for its own transaction only
// (db/queries/sending-claim.ts). If the setting outlived the statement,
// every later commit on that pooled connection would be asynchronous too, the hand-over mark
// before MAIL FROM included, and a crash could then send a step twice. One connection, so the
// statements after the send run where the send ran.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { openPostgres } from '../../db/postgres.js';
import { approveSequence } from '../../sequencing/approve.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { ALWAYS, stepRows } from './builders.js';
import { useSmtpSending } from './builders.js';

const NOW = new Date('2026-03-10T15:00:00Z');
const setting = { text: `SELECT current_setting('synchronous_commit') AS v`, values: [] };

describeEachBackend(
  'commit mode of the send path',
  (get) => {
    let ctx: RunningContext;
    let ws: TestWorkspace;
    beforeAll(async () => {
      ctx = await createTestContext({ ...get(), db: openPostgres(get().url!, 1) });
      ws = await buildWorkspace(ctx.db);
    });
    afterAll(async () => {
      await ctx.stop();
      await ctx.db.close();
    });
    const sending = useSmtpSending(() => ({ ctx, ws }));

    it('sends on one connection, which commits synchronously again after the claim', async () => {
      expect((await one<{ v: string }>(ctx.db, setting))!.v).toBe('on');
      const b = await sending.sequence({ window: ALWAYS });
      await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW, random: () => 0 });
      const before = sending.smtp.received.length;
      const r = await sending.send(b.stepIds[0]!, NOW);
      expect(r.status).toBe('sent');
      await sending.smtp.waitFor(before + 1);
      expect((await stepRows(ctx.db, b.sequenceId))[0]!.status).toBe('sent');
      // The statement's transaction took it off; the connection's own value is untouched.
      expect((await one<{ v: string }>(ctx.db, setting))!.v).toBe('on');
      await ctx.db.transaction(async (tx) => {
        await run(tx, { text: `SELECT set_config('synchronous_commit', 'off', true)`, values: [] });
        expect((await one<{ v: string }>(tx, setting))!.v).toBe('off');
      });
      expect((await one<{ v: string }>(ctx.db, setting))!.v).toBe('on');
    });
  },
  ['postgres'],
);
