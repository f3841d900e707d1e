import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { createImport, processImport } from '../accounts/import.js';
import type { ImportKind } from '../accounts/csv-rows.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';
import { openContext } from './context.js';

export async function importCommand(kind: ImportKind, file: string, o: { json?: boolean }): Promise<void> {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`prospector: cannot read ${file}: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const ctx = await openContext({ boss: false });
  const bar =
    process.stderr.isTTY && !o.json
      ? new SingleBar({ format: `${kind} [{bar}] {value}/{total} rows` }, Presets.shades_classic)
      : undefined;
  try {
    const ws = await ensureWorkspace(ctx.db);
    const imp = await createImport(ctx.db, { workspaceId: ws.id, kind, content, filename: path.basename(file) });
    bar?.start(imp.total_rows, 0);
    const report = (await processImport(ctx.db, imp.id, { onProgress: (done) => bar?.update(done) }))!;
    bar?.stop();
    if (o.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      const out = [
        `${kind}: ${report.total} rows, ${report.created} created, ${report.updated} updated, ${report.errors.length} with errors`,
      ];
      for (const e of report.errors) out.push(`  row ${e.row}: ${e.errors.join('; ')}`);
      for (const c of report.changes)
        out.push(`  contact ${c.contactId}: ${c.field} changed from ${c.from} to ${c.to}`);
      process.stdout.write(out.join('\n') + '\n');
    }
    if (report.errors.length) process.exitCode = 3;
  } finally {
    bar?.stop();
    await ctx.close();
  }
}
