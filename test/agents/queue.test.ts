import { afterAll, beforeAll, expect, it } from 'vitest';
import { createImport } from '../../accounts/import.js';
import { Queues } from '../../agents/queues.js';
import { importAgent } from '../../agents/import.js';
import { maintenanceAgent } from '../../agents/maintenance.js';
import { startAgents, type RunningAgents } from '../../agents/runtime.js';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import type { ImportRow } from '../../db/queries/imports.js';
import { findImport } from '../../db/queries/imports.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { eventually } from '../support/eventually.js';

describeEachBackend('pg-boss job round trip', (get) => {
  let ctx: AppContext & { close(): Promise<void> };
  let agents: RunningAgents;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    agents = await startAgents(ctx, [importAgent, maintenanceAgent] as never);
  });
  afterAll(async () => {
    await agents?.stop(5000);
    await ctx?.close();
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
      const r = await one<ImportRow>(ctx.db, findImport(ws.id, imp.id));
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
  it('gives each queue its expiry, so a job a killed worker held is retried elsewhere in minutes', async () => {
    const ctx = await createTestContext(get());
    try {
      const { EXPIRE_SECONDS } = await import('../../agents/queues.js');
      const send = await ctx.boss.getQueue(Queues.send.name);
      expect(send).toMatchObject({ expireInSeconds: EXPIRE_SECONDS[Queues.send.name], retryLimit: 5 });
      const research = await ctx.boss.getQueue(Queues.research.name);
      expect(research?.expireInSeconds).toBe(900);
    } finally {
      await ctx.close();
    }
  });
});
