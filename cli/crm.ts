// `prospector crm sync [--dry-run] [--full]` and `prospector crm status` (issue 14).
import type { Command } from 'commander';
import { openCrm } from '../crm/connection.js';
import { CRM_NAMES } from '../crm/provider.js';
import { syncIn, type SyncInResult } from '../crm/sync-in.js';
import { syncOut } from '../crm/outbound.js';
import { one, run } from '../db/index.js';
import { countOpenCrmFailures, crmOutboxCounts, lastCrmRuns } from '../db/queries/crm-runs.js';
import { isAppError } from '../errors.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';
import { openContext } from './context.js';

async function withCrm(fn: (ctx: Awaited<ReturnType<typeof openContext>>, workspaceId: number) => Promise<string>) {
  const ctx = await openContext({ boss: false });
  try {
    process.stdout.write(await fn(ctx, (await ensureWorkspace(ctx.db)).id));
  } catch (err) {
    if (!isAppError(err)) throw err;
    process.stderr.write(`prospector: ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    await ctx.stop();
  }
}

function formatSyncIn(r: SyncInResult): string {
  const s = r.summary;
  const line = (name: string, c: typeof s.companies) =>
    `  ${name}: ${c.read} read, ${c.created} ${r.dryRun ? 'would be created' : 'created'}, ` +
    `${c.updated} ${r.dryRun ? 'would change' : 'updated'}, ${c.unchanged} unchanged, ` +
    `${c.deleted} deleted, ${c.merged} merged, ${c.failed} failed`;
  const out = [
    `${r.dryRun ? 'Dry run (nothing written)' : 'Sync in'}: ${r.status}${r.error ? ` — ${r.error}` : ''}`,
    line('companies', s.companies),
    line('contacts', s.contacts),
    `  deals: ${s.deals}; CRM opt-outs: ${s.optOuts}; removed in the CRM: ${s.removed}`,
    ...s.failures.slice(0, 20).map((f) => `  failed ${f.object} ${f.key} (${f.label}): ${f.error}`),
  ];
  return out.join('\n') + '\n';
}

export function registerCrmCommands(program: Command): void {
  const crm = program.command('crm').description('The CRM of record (HubSpot or Salesforce), both ways.');
  crm
    .command('sync')
    .description(
      'Read the CRM into Prospector, then write pending activity out. --dry-run: say what would change, write nothing.',
    )
    .option('--dry-run', 'read and plan only; nothing is written on either side')
    .option('--full', 'read everything again instead of what changed since the last run')
    .option('--json', 'print JSON')
    .action(async (o: { dryRun?: boolean; full?: boolean; json?: boolean }) =>
      withCrm(async (ctx, ws) => {
        const r = await syncIn(ctx, ws, { dryRun: o.dryRun, full: o.full });
        const out = o.dryRun || r.status !== 'done' ? null : await syncOut(ctx, ws);
        if (r.status !== 'done') process.exitCode = 1;
        if (o.json) return JSON.stringify({ in: r, out }, null, 2) + '\n';
        const outLine = out?.flush
          ? `Out: ${out.collected} queued, ${out.flush.done} written, ${out.flush.later} waiting, ${out.flush.failed} failed\n`
          : '';
        return formatSyncIn(r) + outLine;
      }),
    );
  crm
    .command('status')
    .description('The connection, the last run each way, failed records and the activity queue.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) =>
      withCrm(async (ctx, ws) => {
        const open = await openCrm(ctx, ws);
        if (!open) return 'No CRM connected (Settings → CRM).\n';
        const c = open.connection;
        const runs = await run(ctx.db, lastCrmRuns(ws));
        const failures = (await one(ctx.db, countOpenCrmFailures(ws)))!.n;
        const outbox = await run(ctx.db, crmOutboxCounts(ws));
        if (c.status !== 'connected') process.exitCode = 1;
        if (o.json)
          return (
            JSON.stringify(
              { kind: c.kind, status: c.status, reason: c.status_reason, runs, failures, outbox },
              null,
              2,
            ) + '\n'
          );
        const lines = [`${CRM_NAMES[c.kind]}: ${c.status}${c.status_reason ? ` — ${c.status_reason}` : ''}`];
        for (const r of runs)
          lines.push(
            `  last run ${r.direction === 'in' ? 'in ' : 'out'}: ${r.status} at ${r.started_at.toISOString()}, ` +
              `${r.records_in} read, ${r.records_out} written, ${r.failed} failed${r.error ? ` — ${r.error}` : ''}`,
          );
        lines.push(
          `  failed records: ${failures}; activity queue: ${outbox.map((x) => `${x.n} ${x.status}`).join(', ') || 'empty'}`,
        );
        return lines.join('\n') + '\n';
      }),
    );
}
