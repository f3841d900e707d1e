// CSV export of accounts, contacts, signals and sequences, for RevOps and managers (admins too).
// Streamed: a page of rows at a time by id, each written when the client has taken the last,
// so a table of any size never sits in memory. Every cell goes through the dashboard's
// formula-safe writer (a leading = + - @ tab or CR is quoted as text). Audited.
import { Router, type Response } from 'express';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { EXPORT_COLUMNS, exportPage, type ExportKind } from '../../db/queries/export.js';
import { AppError } from '../../errors.js';
import { authedRouter } from '../authed.js';
import { auditRequest } from '../audit.js';
import { requireRole } from '../auth/roles.js';
import { csvCell } from '../views/dashboard-funnel.js';

const PAGE = 1000;
const KINDS = Object.keys(EXPORT_COLUMNS) as ExportKind[];

const cell = (v: unknown) => csvCell(v instanceof Date ? v.toISOString() : v);

/** Resolves once the response may take more (or at once if it already can); false if the client is gone. */
function writeChunk(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

export function exportRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.get('/export/:kind.csv', requireRole('revops', 'manager'), async (req, res, user) => {
    const kind = KINDS.find((k) => k === req.params.kind);
    if (!kind) throw new AppError('NOT_FOUND', `There is no ${String(req.params.kind)} export.`);
    const ws = user.workspaceId;
    const columns = EXPORT_COLUMNS[kind];
    await auditRequest(ctx.db, req, `export.${kind}`, { type: 'workspace', id: ws });
    // The first page before any header: a failure here is an ordinary error page.
    let rows = await run(ctx.db, exportPage(kind, ws, 0, PAGE));
    const day = new Date().toISOString().slice(0, 10);
    res.status(200);
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${kind}-${day}.csv"`,
    });
    // A byte-order mark so spreadsheet programs read UTF-8.
    let ok = await writeChunk(res, '\ufeff' + columns.map(cell).join(',') + '\r\n');
    while (ok && rows.length) {
      ok = await writeChunk(res, rows.map((row) => columns.map((c) => cell(row[c])).join(',') + '\r\n').join(''));
      if (rows.length < PAGE) break;
      const last = rows.at(-1)!.id as number;
      try {
        rows = await run(ctx.db, exportPage(kind, ws, last, PAGE));
      } catch (err) {
        // Headers are gone: end the body short so the download visibly fails rather than looking complete.
        ctx.log.error({ err, kind }, 'export.failed');
        res.destroy(err as Error);
        return;
      }
    }
    res.end();
  });
  return r.router;
}
