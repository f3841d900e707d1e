import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { approveSequence } from '../../sequencing/approve.js';
import { reconcileStuck } from '../../sequencing/reconcile.js';
import { createTestContext, TEST_SECRET } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ALWAYS, buildSequence } from './builders.js';

function child(env: Record<string, string>): { proc: ChildProcess; done: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/sequencing/support/send-child.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, done };
}

// Separate processes need a database they can all reach: PostgreSQL only.
describeEachBackend(
  'worker processes',
  (get) => {
    let ctx: AppContext & { stop(): Promise<void> };
    let ws: TestWorkspace;
    beforeAll(async () => {
      ctx = await createTestContext(get());
      ws = await buildWorkspace(get().db);
    });
    afterAll(async () => ctx.stop());

    const dueSteps = async (smtp: TestSmtp, n: number) => {
      const mailboxId = (
        await buildSequence(ctx.db, {
          workspaceId: ws.id,
          ownerId: ws.users.rep.id,
          mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, dailyCap: 1000 },
        })
      ).mailboxId;
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const b = await buildSequence(ctx.db, {
          workspaceId: ws.id,
          ownerId: ws.users.rep.id,
          mailbox: null,
          window: ALWAYS,
          fallback: null,
          steps: [{ delayDays: 0 }],
        });
        await ctx.db.query(`UPDATE sequences SET mailbox_id = $2 WHERE id = $1`, [b.sequenceId, mailboxId]);
        await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, random: () => 0 });
        ids.push(b.stepIds[0]!);
      }
      return ids;
    };
    const env = (ids: number[]) => ({
      DATABASE_URL: get().url!,
      APP_SECRET: TEST_SECRET,
      DATA_DIR: ctx.config.dataDir,
      // The SMTP sink is on loopback, which the mailbox-host guard refuses unless allowed.
      ALLOW_PRIVATE_FETCH: '1',
      STEP_IDS: ids.join(','),
    });
    const ids = (smtp: TestSmtp) => smtp.received.map((r) => r.parsed.messageId);

    it('two processes racing over the same due steps send each exactly once', async () => {
      const smtp = await startSmtp();
      try {
        const steps = await dueSteps(smtp, 12);
        const [a, b] = [child(env(steps)), child(env([...steps].reverse()))];
        expect(await a.done).toBe(0);
        expect(await b.done).toBe(0);
        expect(smtp.received).toHaveLength(12);
        expect(new Set(ids(smtp)).size).toBe(12);
        const statuses = await ctx.db.query<{ status: string }>(
          `SELECT status FROM sequence_steps WHERE id = ANY($1::bigint[])`,
          [steps],
        );
        expect(statuses.rows.every((r) => r.status === 'sent')).toBe(true);
      } finally {
        await smtp.close();
      }
    }, 60_000);

    it('a worker killed with SIGKILL mid-batch and restarted leaves no duplicate', async () => {
      const smtp = await startSmtp({ delayMs: 150 });
      try {
        const steps = await dueSteps(smtp, 8);
        const first = child(env(steps));
        await smtp.waitFor(3, 30_000);
        first.proc.kill('SIGKILL');
        await first.done;
        // What the dispatcher does on its next tick: steps left in `sending` are looked up, never resent.
        const reconciled = await reconcileStuck(ctx, { stuckAfterMs: 0 });
        expect(reconciled.sent).toBe(0);
        const again = child(env(steps));
        expect(await again.done).toBe(0);
        // The killed worker's last message may still be on its way in: wait until the server has nothing open.
        await smtp.idle();
        const received = ids(smtp);
        expect(new Set(received).size).toBe(received.length);
        const rows = await ctx.db.query<{ status: string; message_id: string }>(
          `SELECT status, message_id FROM sequence_steps WHERE id = ANY($1::bigint[])`,
          [steps],
        );
        expect(rows.rows.every((r) => r.status === 'sent' || r.status === 'unknown')).toBe(true);
        // Every step recorded sent really arrived; an `unknown` one may or may not have, and waits for a person.
        for (const r of rows.rows.filter((x) => x.status === 'sent')) expect(received).toContain(r.message_id);
        expect(rows.rows.filter((r) => r.status === 'unknown').length).toBeLessThanOrEqual(1);
      } finally {
        await smtp.close();
      }
    }, 60_000);

    it("prospector sequence show prints each step with its time in the recipient's zone", async () => {
      const b = await buildSequence(ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, contactTz: 'Asia/Tokyo' });
      // Stored positions start at 1 as drafting writes them; the opener is still step 1, not 2.
      for (const shift of [100, -99])
        await ctx.db.query('UPDATE sequence_steps SET position = position + $2 WHERE sequence_id = $1', [
          b.sequenceId,
          shift,
        ]);
      await approveSequence(ctx, {
        sequenceId: b.sequenceId,
        userId: ws.users.rep.id,
        now: new Date('2026-03-09T15:00:00Z'),
        random: () => 0,
      });
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['bin/prospector.js', 'sequence', 'show', String(b.sequenceId)],
        {
          env: {
            ...process.env,
            LOG_LEVEL: 'silent',
            DATABASE_URL: get().url!,
            APP_SECRET: TEST_SECRET,
            DATA_DIR: ctx.config.dataDir,
          },
        },
      );
      expect(stdout).toContain(`sequence ${b.sequenceId}: active; recipient time zone Asia/Tokyo`);
      expect(stdout).toMatch(/1\. opener +scheduled +at Tue 10 Mar 2026, 09:00 GMT\+9/);
      expect(
        stdout
          .trim()
          .split('\n')
          .filter((l) => /^ +\d\./.test(l)),
      ).toHaveLength(3);
    });
  },
  ['postgres'],
);
