// Every fault of a real deployment at once: `prospector web` and two `prospector worker` on a
// PostgreSQL cluster this test starts for itself, an SMTP server on loopback that drops the
// connection after the final dot, answers the final dot after the client's socket timeout,
// refuses a greeting with 421 and a MAIL FROM with 451, answers 550 and 451 at RCPT, and copies
// what it accepts to the rep's IMAP Sent folder (Dovecot), as hosted providers do. PostgreSQL is
// restarted (`pg_ctl restart -m fast`) while sends and their 250s are in flight, a worker is
// SIGKILLed mid-batch (and started again, as a supervisor would), a follow-up comes due while its
// opener waits on a 4xx. Nothing is delivered twice, no follow-up before its opener or unthreaded,
// nothing delivered is left `unknown` or `sending`, and no process dies but the one killed.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startBoss } from '../../agents/boss.js';
import { Queues } from '../../agents/queues.js';
import { createCaches } from '../../context.js';
import { createLogger } from '../../log.js';
import { createSecretBox } from '../../secret-box.js';
import { approveSequence } from '../../sequencing/approve.js';
import { dispatchTick } from '../../sequencing/dispatch.js';
import { resolveUnknown } from '../../sequencing/control.js';
import { reconcileStuck, STUCK_AFTER_MS } from '../../sequencing/reconcile.js';
import { TEST_SECRET, testConfig } from '../support/context.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { startProcess, type Proc } from '../support/process.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';
import { eventually } from '../support/eventually.js';
import { rows, startStack, type Stack } from './stack.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SOCKET_TIMEOUT_MS = 1_500;
const PROSPECTS = 8;

let cluster: PgCluster;
let s: Stack;
let failed = false;
const extra: Proc[] = [];
beforeAll(async () => {
  cluster = await startPgCluster();
  s = await startStack({
    label: 'e2efaults',
    companies: [],
    adminUrl: cluster.adminUrl,
    sentCopies: true,
    smtpDelayMs: 600,
    env: { SMTP_SOCKET_TIMEOUT_MS: String(SOCKET_TIMEOUT_MS) },
    startTimeoutMs: 150_000,
  });
}, 240_000);
afterAll(async () => {
  await Promise.all(extra.map((p) => p.stop('SIGKILL')));
  await s?.close(failed).catch(() => undefined);
  await cluster?.destroy();
});

interface StepRow {
  id: number;
  sequence_id: number;
  position: number;
  status: string;
  message_id: string | null;
  claimed_at: Date | null;
  last_error: string | null;
}

describe('exactly once, in order, under every fault at once', { timeout: 240_000 }, () => {
  it('web + two workers on PostgreSQL: nothing twice, nothing out of order, nothing delivered left unknown, no process dies', async () => {
    onTestFailed(() => {
      failed = true;
    });
    const ctx = {
      db: s.t.db,
      log: createLogger('silent'),
      secrets: createSecretBox(TEST_SECRET),
      config: testConfig(s.t),
      caches: createCaches(),
    };
    const rep = (await rows<{ user_id: number }>(s, 'SELECT user_id FROM mailboxes WHERE id = $1', [s.mailboxId]))[0]!;
    const seqs: { id: number; email: string }[] = [];
    for (let i = 0; i < PROSPECTS; i++) {
      const email = `p${i}@prospect${i}.test`;
      const b = await buildSequence(s.t.db, {
        workspaceId: s.workspaceId,
        ownerId: rep.user_id,
        email,
        mailbox: null,
        window: ALWAYS,
        fallback: null,
        steps: [{ delayDays: 0, subject: `Opener ${i}` }, { delayDays: 0 }],
      });
      await s.t.db.query('UPDATE sequences SET mailbox_id = $2 WHERE id = $1', [b.sequenceId, s.mailboxId]);
      await approveSequence(ctx, { sequenceId: b.sequenceId, userId: rep.user_id, random: () => 0 });
      seqs.push({ id: b.sequenceId, email });
    }
    const ids = seqs.map((q) => q.id);
    /** Steps a person had sent again after the kill left them `unknown` and undelivered. */
    const decided: number[] = [];
    // The faults: per prospect, and the next connection's greeting and the next MAIL FROM.
    s.smtp.faults.set(seqs[0]!.email, { kind: 'drop-after-dot', times: 1 });
    s.smtp.faults.set(seqs[1]!.email, { kind: 'slow-dot', ms: SOCKET_TIMEOUT_MS * 3, times: 1 });
    s.smtp.rejectRcpt.set(seqs[2]!.email, [550, '5.1.1 <nobody>: Recipient address rejected: User unknown']);
    s.smtp.rejectRcpt.set(seqs[3]!.email, [451, '4.7.1 Greylisted, try again later']);
    s.smtp.greeting = { reply: [421, '4.3.2 Service not available, closing transmission channel'], times: 1 };
    s.smtp.mailFrom = { reply: [451, '4.3.0 Temporary failure, try again'], times: 1 };

    const steps = () =>
      rows<StepRow>(
        s,
        `SELECT id, sequence_id, position, status, message_id, claimed_at, scheduled_at, last_error, attempts FROM sequence_steps
          WHERE sequence_id = ANY($1::bigint[]) ORDER BY sequence_id, position`,
        [ids],
      );
    // The clock shortcut (as dueNow in stack.ts): every waiting step of these sequences is due now.
    const bringForward = () =>
      s.t.db.query(
        `UPDATE sequence_steps SET scheduled_at = now() WHERE status = 'scheduled' AND sequence_id = ANY($1::bigint[])`,
        [ids],
      );
    const boss = await startBoss(s.t.db, { databaseUrl: s.t.url, supervise: false, poolMax: 2 });
    // What the dispatcher's cron does every minute, every second here; it fails while the database is away.
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await dispatchTick(ctx, {
          enqueueSend: (stepId) =>
            boss.send(Queues.send.name, { stepId }, { singletonKey: `step:${stepId}`, singletonSeconds: 5 }),
          enqueueInbox: async () => undefined,
        }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    try {
      await bringForward();
      // PostgreSQL restarts while sends and their 250s are in flight.
      await eventually('a step in sending', async () => (await steps()).some((x) => x.status === 'sending'), {
        timeout: 60_000,
        every: 100,
      });
      await cluster.restart();
      // A worker is SIGKILLed mid-batch; its supervisor starts it again.
      await eventually(
        'a step in sending after the restart',
        async () => (await steps()).some((x) => x.status === 'sending'),
        { timeout: 60_000, every: 100 },
      );
      s.workers[0]!.child.kill('SIGKILL');
      expect(await s.workers[0]!.exit()).toBeNull();
      const killedAt = new Date();
      extra.push(
        startProcess(['worker'], { ...s.env, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-e2e-w-')) }),
      );

      // /healthz: 503 while the database is gone, 200 once it is back.
      await cluster.stop();
      await eventually('healthz 503', async () => (await fetch(`${s.base}/healthz`)).status === 503, {
        timeout: 30_000,
        every: 200,
      });
      await cluster.start();
      await eventually('healthz 200', async () => (await fetch(`${s.base}/healthz`)).status === 200, {
        timeout: 60_000,
        every: 200,
      });

      // The greylisting ends; nothing claimed by a live worker is left in sending, then what the killed worker
      // held and what broke after the data is reconciled (the dispatcher would, ten minutes on).
      s.smtp.rejectRcpt.delete(seqs[3]!.email);
      await eventually(
        'only the killed worker to hold steps in sending',
        async () => (await steps()).every((x) => x.status !== 'sending' || x.claimed_at! < killedAt),
        { timeout: 90_000, every: 300 },
      );
      await reconcileStuck(ctx, { now: new Date(Date.now() + STUCK_AFTER_MS + 60_000) });
      let last: StepRow[] = [];
      await eventually(
        'every step settled',
        async () => {
          // Ambiguous sends (`unknown`, due a look-up in ten minutes) are looked up now; never a live `sending` step.
          const future = STUCK_AFTER_MS + 60_000;
          await reconcileStuck(ctx, { now: new Date(Date.now() + future), stuckAfterMs: future + 3_600_000 });
          // The SIGKILL can land after MAIL FROM and before the final dot: that step is `unknown`
          // (no copy in Sent, and the reconciler never guesses). A person looks, sees it was never
          // delivered, and has it sent again, as the outbox page offers. Only the killed worker's
          // claims may come to this, and never a message the server accepted.
          const delivered = new Set(s.smtp.received.map((m) => m.parsed.messageId));
          for (const x of await steps())
            if (x.status === 'unknown' && /left in sending by a crash/.test(x.last_error ?? '')) {
              expect(x.claimed_at! < killedAt, `step ${x.id} was claimed by the killed worker`).toBe(true);
              expect(delivered.has(x.message_id!), `step ${x.id} was not delivered`).toBe(false);
              await resolveUnknown(
                { ...ctx, llm: undefined },
                { stepId: x.id, decision: 'resend', userId: rep.user_id },
              );
              decided.push(x.id);
            }
          await bringForward();
          last = await steps();
          return last.every((x) => ['sent', 'failed', 'cancelled', 'skipped'].includes(x.status)) && last;
        },
        { timeout: 120_000, every: 1_000 },
      ).catch((err) => {
        const open = last.filter((x) => !['sent', 'failed', 'cancelled', 'skipped'].includes(x.status));
        throw new Error(`${String(err)}\n${JSON.stringify(open)}\n${s.workers[1]!.stderr().slice(-3000)}`);
      });
    } finally {
      ticking = false;
      await ticker;
      await boss.stop({ graceful: false, wait: true, timeout: 5_000, close: true }).catch(() => undefined);
    }

    const all = await steps();
    const byMessageId = new Map<string, number[]>();
    s.smtp.received.forEach((m, i) =>
      byMessageId.set(m.parsed.messageId!, [...(byMessageId.get(m.parsed.messageId!) ?? []), i]),
    );
    // Nothing delivered twice; everything delivered is recorded sent, and everything sent was delivered.
    for (const [id, at] of byMessageId) expect(at, `${id} delivered ${at.length} times`).toHaveLength(1);
    const sent = all.filter((x) => x.status === 'sent');
    for (const x of sent) expect(byMessageId.has(x.message_id!), `step ${x.id} recorded sent`).toBe(true);
    for (const id of byMessageId.keys()) expect(sent.map((x) => x.message_id)).toContain(id);
    // In order and threaded: every follow-up after its opener, In-Reply-To the opener's Message-ID.
    for (const q of seqs) {
      const [opener, follow] = all.filter((x) => x.sequence_id === q.id);
      if (follow!.status !== 'sent') continue;
      expect(opener!.status).toBe('sent');
      const o = byMessageId.get(opener!.message_id!)![0]!;
      const f = byMessageId.get(follow!.message_id!)![0]!;
      expect(o).toBeLessThan(f);
      expect(s.smtp.received[f]!.parsed.inReplyTo).toBe(opener!.message_id);
    }
    // The 550 bounced the contact and cancelled its follow-up; the greylisted opener and its follow-up went out.
    expect(all.filter((x) => x.sequence_id === seqs[2]!.id).map((x) => x.status)).toEqual(['failed', 'cancelled']);
    expect(all.filter((x) => x.sequence_id === seqs[3]!.id).map((x) => x.status)).toEqual(['sent', 'sent']);
    expect(sent).toHaveLength(2 * (PROSPECTS - 1));
    expect(decided.length).toBeLessThanOrEqual(2); // one worker killed mid-send: at most its two connections' steps
    // No process died but the one killed.
    for (const p of [s.web, s.workers[1]!, ...extra]) {
      expect(p.child.exitCode, p.stderr().slice(-2000)).toBeNull();
      expect(p.stderr()).not.toMatch(/process\.fatal/);
    }
  });
});
