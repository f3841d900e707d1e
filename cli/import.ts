import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { AdminReply } from '../db/data-dir-lock.js';
import { createImport, processImport, type ImportReport } from '../accounts/import.js';
import type { ImportKind } from '../accounts/csv-rows.js';
import type { AppContext } from '../context.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';
import { runAdminCommand } from './admin.js';

export interface ImportArgs {
  kind: ImportKind;
  content: string;
  filename: string;
  json?: boolean;
  emptyCells?: 'keep' | 'clear';
}

function formatImportReport(kind: ImportKind, report: ImportReport, json?: boolean): string {
  if (json) return JSON.stringify(report, null, 2) + '\n';
  const out = [
    `${kind}: ${report.total} rows, ${report.created} created, ${report.updated} updated, ` +
      `${report.unchanged} unchanged, ${report.errors.length} with errors`,
  ];
  for (const e of report.errors) out.push(`  row ${e.row}: ${e.errors.join('; ')}`);
  for (const w of report.warnings) out.push(`  row ${w.row}: warning: ${w.message}`);
  for (const c of report.changes) out.push(`  contact ${c.contactId}: ${c.field} changed from ${c.from} to ${c.to}`);
  return out.join('\n') + '\n';
}

/** Runs one CSV import to the end; `onProgress` feeds a terminal progress bar when local. */
export async function importCsv(
  ctx: Pick<AppContext, 'db'>,
  a: ImportArgs,
  onProgress?: { start(total: number): void; update(done: number): void },
): Promise<AdminReply> {
  const ws = await ensureWorkspace(ctx.db);
  const imp = await createImport(ctx.db, {
    workspaceId: ws.id,
    kind: a.kind,
    content: a.content,
    filename: a.filename,
    emptyCells: a.emptyCells,
  });
  onProgress?.start(imp.total_rows);
  const report = (await processImport(ctx.db, imp.id, { onProgress: (done) => onProgress?.update(done) }))!;
  return {
    stdout: formatImportReport(a.kind, report, a.json),
    stderr: '',
    exitCode: report.errors.length ? 3 : 0,
  };
}

export async function importCommand(
  kind: ImportKind,
  file: string,
  o: { json?: boolean; emptyCells?: 'keep' | 'clear' },
): Promise<void> {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`prospector: cannot read ${file}: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const args: ImportArgs = { kind, content, filename: path.basename(file), json: o.json, emptyCells: o.emptyCells };
  await runAdminCommand('import', args, async (ctx, a: ImportArgs) => {
    const bar =
      process.stderr.isTTY && !o.json
        ? new SingleBar({ format: `${kind} [{bar}] {value}/{total} rows` }, Presets.shades_classic)
        : undefined;
    try {
      return await importCsv(ctx, a, bar && { start: (t) => bar.start(t, 0), update: (d) => bar.update(d) });
    } finally {
      bar?.stop();
    }
  });
}
