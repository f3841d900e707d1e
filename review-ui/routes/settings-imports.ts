// CSV import, step two: choose which column feeds each field, preview the first rows with their
// errors, then start. The upload (routes/accounts.ts) stores the file; nothing runs until here.
import { Router, type Request } from 'express';
import { importFields, mapColumns, parseCsv, type ImportKind } from '../../accounts/csv-rows.js';
import { importRows, planRow, type RowOutcome } from '../../accounts/import.js';
import { EMPTY_CELLS, type EmptyCells } from '../../accounts/import-plan.js';
import { Queues } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findImport, type ImportRow } from '../../db/queries/imports.js';
import { markImportStarted, setImportMapping } from '../../db/queries/settings.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { auditRequest } from '../audit.js';
import { page } from '../layout.js';
import { importMapPage } from '../views/accounts.js';

const PREVIEW_ROWS = 50;

/** field → header from the form; "" means "not imported", a missing field means "guess". */
export function mappingFromForm(kind: ImportKind, body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of importFields(kind)) {
    const v = body[`map_${f}`];
    if (typeof v === 'string') out[f] = v;
  }
  return out;
}

export async function startImport(
  ctx: Pick<AppContext, 'db' | 'boss'>,
  workspaceId: number,
  importId: number,
  userId: number,
): Promise<void> {
  const started = await one(ctx.db, markImportStarted(workspaceId, importId));
  if (!started) return; // already started: a double click must not run it twice
  await ctx.boss.send(Queues.importRun.name, { importId }, { singletonKey: `import-${importId}` });
  await auditRequest(ctx.db, { workspaceId, id: userId }, 'import.started', { type: 'import', id: importId });
}

/** What each of the first rows will do (reads only), plus the counts of bad rows over the whole file. */
export type ImportPreview = Awaited<ReturnType<typeof previewRows>>;

async function previewRows(ctx: Pick<AppContext, 'db'>, imp: ImportRow) {
  const { parsed, mapping, rows, conflicts } = importRows(imp);
  const owners = new Map();
  const shown: RowOutcome[] = [];
  for (const row of rows.slice(0, PREVIEW_ROWS))
    shown.push(
      await planRow(ctx.db, {
        kind: imp.kind,
        workspaceId: imp.workspace_id,
        row,
        mapping,
        conflict: conflicts.get(row.row),
        emptyCells: imp.empty_cells,
        owners,
      }),
    );
  const invalid = rows.filter((r) => !r.ok).length;
  return { parsed, mapping, rows, shown, invalid, conflicts: conflicts.size };
}

async function mapPage(ctx: Pick<AppContext, 'db'>, req: Request, imp: ImportRow): Promise<string> {
  return page(req, `Import #${imp.id}: map columns`, importMapPage(req, imp, await previewRows(ctx, imp)));
}

const emptyCellsFrom = (body: Record<string, unknown>): EmptyCells =>
  EMPTY_CELLS.includes(body.empty_cells as EmptyCells) ? (body.empty_cells as EmptyCells) : 'keep';

export function settingsImportRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const load = async (req: AuthedRequest) => {
    const imp = await one(ctx.db, findImport(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!imp) throw new AppError('NOT_FOUND', 'No such import.');
    if (imp.status !== 'queued' || imp.started_at)
      throw new AppError('STATE', 'This import has started; its columns can no longer change.');
    return imp;
  };

  r.get('/imports/:id/map', requireRole('revops'), async (req, res) => {
    const imp = await load(req);
    res.type('html').send(await mapPage(ctx, req, imp));
  });

  r.post('/imports/:id/map', requireRole('revops'), async (req, res, user) => {
    const imp = await load(req);
    const explicit = mappingFromForm(imp.kind, req.body ?? {});
    const emptyCells = emptyCellsFrom(req.body ?? {});
    await run(ctx.db, setImportMapping(user.workspaceId, imp.id, explicit, emptyCells));
    if (req.body?.action !== 'start') {
      res.type('html').send(await mapPage(ctx, req, { ...imp, mapping: explicit, empty_cells: emptyCells }));
      return;
    }
    const parsed = parseCsv(imp.content);
    const key = imp.kind === 'accounts' ? 'name' : 'email';
    if (!mapColumns(imp.kind, parsed.headers, explicit)[key])
      throw new AppError('VALIDATION', `Choose the column that holds the ${key}.`);
    await startImport(ctx, user.workspaceId, imp.id, user.id);
    res.redirect(303, `/imports/${imp.id}`);
  });
  return r.router;
}
