import { afterAll, beforeAll, expect, it } from 'vitest';
import { createImport } from '../../accounts/import.js';
import { Queues } from '../../agents/queues.js';
import { importAgent } from '../../agents/import.js';
import { maintenanceAgent } from '../../agents/maintenance.js';
import { startAgents, type RunningAgents } from '../../agents/runtime.js';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { findImport } from '../../db/queries/imports.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { eventually } from '../support/eventually.js';

describeEachBackend('pg-boss job round trip', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let agents: RunningAgents;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    agents = await startAgents(ctx, [importAgent, maintenanceAgent] as never);
  });
  afterAll(async () => {
    await agents?.stop(5000);
    await ctx?.stop();
  });

  it('a queued import is picked up by the import agent and finishes', async () => {
    const ws = await buildWorkspace(ctx.db);
    const imp = await createImport(ctx.db, {
      workspaceId: ws.id,
      kind: 'accounts',
      content: 'name,domain\nAcme,acme.example\nBeta,beta.example\n',
    });
    const jobId = await ctx.boss.send(Queues.importRun.name, { importId: imp.id });
    expect(jobId).toBeTruthy();
    const done = await eventually('the import to be done', async () => {
      const r = await one(ctx.db, findImport(ws.id, imp.id));
      return r?.status === 'done' ? r : undefined;
    });
    expect(done.created_rows).toBe(2);
    const job = await eventually('the job to complete', async () => {
      const j = await ctx.boss.getJobById(Queues.importRun.name, jobId!);
      return j?.state === 'completed' ? j : undefined;
    });
    expect(job.state).toBe('completed');
  });

  it('a job with an invalid payload fails instead of running', async () => {
    const jobId = await ctx.boss.send(Queues.importRun.name, { importId: 'not-a-number' }, { retryLimit: 0 });
    const job = await eventually('the job to fail', async () => {
      const j = await ctx.boss.getJobById(Queues.importRun.name, jobId!);
      return j?.state === 'failed' ? j : undefined;
    });
    expect(JSON.stringify(job.output)).toMatch(/importId/);
  });
});

describeEachBackend('queue settings', (get) => {
  it('gives pg-boss each queue as defined (expiry, retries), so a job a killed worker held is retried in minutes', async () => {
    const ctx = await createTestContext(get());
    try {
      for (const q of Object.values(Queues)) {
        const stored = await ctx.boss.getQueue(q.name);
        expect({ name: q.name, ...stored }).toMatchObject({ name: q.name, ...q.options });
      }
      expect((await ctx.boss.getQueue(Queues.send.name))?.expireInSeconds).toBe(300);
      expect((await ctx.boss.getQueue(Queues.draft.name))?.expireInSeconds).toBe(1800);
    } finally {
      await ctx.stop();
    }
  });

  it('brings a queue created with other options back to its definition at the next start', async () => {
    const first = await createTestContext(get());
    try {
      // Only the retries differ (an older release kept the expiry in a map of its own and checked only that).
      const stale = { name: Queues.research.name, ...Queues.research.options, retryLimit: 1 };
      await first.boss.updateQueue(Queues.research.name, stale);
      expect(await first.boss.getQueue(Queues.research.name)).toMatchObject({ retryLimit: 1 });
    } finally {
      await first.stop();
    }
    const second = await createTestContext(get());
    try {
      expect(await second.boss.getQueue(Queues.research.name)).toMatchObject(Queues.research.options);
    } finally {
      await second.stop();
    }
  });
});
