// The application context owns the process's resources: the send agent and the in-app answer
// use its one transport pool, and closing the context ends the pool's SMTP connections, so no
// handle keeps a finished process alive.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queues } from '../../agents/queues.js';
import { startAgents } from '../../agents/runtime.js';
import { sendAgent } from '../../agents/send.js';
import { approveSequence } from '../../sequencing/approve.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestContext, TEST_SECRET } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { cleanEnv, ROOT } from '../support/process.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';

const NOW = new Date('2026-03-09T15:00:00Z');

describeEachBackend('the application context', (get) => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it('sends through its pool, which outlives the job, and closes its SMTP connections when it is closed', async () => {
    const ctx = await createTestContext(get());
    let closed = false;
    try {
      const ws = await buildWorkspace(ctx.db);
      const b = await buildSequence(ctx.db, {
        workspaceId: ws.id,
        ownerId: ws.users.rep.id,
        mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
        steps: [{ delayDays: 0 }],
        window: ALWAYS,
        fallback: null,
      });
      await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now: NOW, random: () => 0 });
      const agents = await startAgents(ctx, [sendAgent] as never);
      try {
        const before = smtp.received.length;
        await ctx.boss.send(Queues.send.name, { stepId: b.stepIds[0]! });
        await smtp.waitFor(before + 1);
        await eventually('the step to be recorded as sent', async () => {
          const r = await ctx.db.query<{ status: string }>('SELECT status FROM sequence_steps WHERE id = $1', [
            b.stepIds[0],
          ]);
          return r.rows[0]?.status === 'sent';
        });
      } finally {
        await agents.stop(5000);
      }
      // The job is over; the context's pool keeps its connection open for the next send.
      expect(smtp.connections()).toBe(1);
      await ctx.stop();
      closed = true;
      await smtp.idle(5000);
      expect(smtp.connections()).toBe(0);
    } finally {
      if (!closed) await ctx.stop();
    }
  });
});

it('a process that sent mail and closed its context exits by itself (no handle left open)', async () => {
  const smtp = await startSmtp();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/agents/support/context-child.ts'], {
      cwd: ROOT,
      env: cleanEnv({
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-ctx-')),
        APP_SECRET: TEST_SECRET,
        LOG_LEVEL: 'silent',
        SMTP_PORT: String(smtp.port),
        ALLOW_PRIVATE_FETCH: '1',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    await eventually('the child to close its context', () => out.includes('closed'), {
      timeout: 120_000,
      abortIf: () => (child.exitCode !== null ? `the child exited early (${child.exitCode}): ${out}` : undefined),
    });
    expect(smtp.received.length).toBe(1);
    // The pool's idle connection would hold the process for its 30 s idle time; closed, nothing does.
    await eventually('the child to exit', () => child.exitCode !== null, { timeout: 10_000 }).catch((err: Error) => {
      child.kill('SIGKILL');
      throw err;
    });
    expect(await exited).toBe(0);
  } finally {
    await smtp.close();
  }
}, 150_000);
