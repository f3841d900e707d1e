// CSV import, step two: choose which column feeds each field, preview the first rows with their
// errors, then start. The upload (routes/accounts.ts) stores the file; nothing runs until here.
import { Router, type Request } from 'express';
import { importFields, mapColumns, parseCsv, validateRows, type ImportKind } from '../../accounts/csv-rows.js';
import { Queues } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAudit } from '../../db/queries/audit.js';
import { findImport, type ImportRow } from '../../db/queries/imports.js';
import { markImportStarted, setImportMapping } from '../../db/queries/settings.js';
import { AppError } from '../../errors.js';
import { requireRole } from '../auth/roles.js';
import { intParam, label } from '../format.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';

const PREVIEW_ROWS = 10;

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
  await run(
    ctx.db,
    insertAudit({ workspaceId, userId, action: 'import.started', entityType: 'import', entityId: importId }),
  );
}

function mapPage(req: Request, imp: ImportRow, explicit: Record<string, string>): string {
  const parsed = parseCsv(imp.content);
  const mapping = mapColumns(imp.kind, parsed.headers, explicit);
  const all = validateRows(imp.kind, parsed, mapping);
  const bad = all.filter((r) => !r.ok).length;
  const fields = importFields(imp.kind);
  const required = imp.kind === 'accounts' ? 'name' : 'email';
  return page(
    req,
    `Import #${imp.id}: map columns`,
    html` <p>
        ${imp.filename} · ${parsed.records.length} rows · ${label(imp.kind)}. Choose which column feeds each field; the
        preview below updates when you press Preview.
      </p>
      <form method="post" action="/imports/${imp.id}/map" class="wide">
        ${csrfField(req)}
        <fieldset>
          <legend>Columns</legend>
          <div class="grid2">
            ${fields.map(
              (f) =>
                html`<label
                  >${label(f)}${f === required ? ' (required)' : ''}
                  <select name="map_${f}">
                    <option value="">— not imported —</option>
                    ${parsed.headers.map((h) => html`<option value="${h}" ${mapping[f] === h ? html`selected` : ''}>${h}</option>`)}
                  </select></label
                >`,
            )}
          </div>
        </fieldset>
        <p role="status" class="${bad ? 'bad' : ''}">
          ${bad ? `${bad} of ${all.length} rows have errors and will be skipped (the others import).` : `All ${all.length} rows look valid.`}
        </p>
        <p class="row-actions">
          <button type="submit" name="action" value="preview" class="secondary">Preview</button>
          <button type="submit" name="action" value="start">Start import</button>
        </p>
      </form>
      <h2>Preview (first ${Math.min(PREVIEW_ROWS, all.length)} rows)</h2>
      <table>
        <thead>
          <tr>
            <th>Row</th>
            ${fields.filter((f) => mapping[f]).map((f) => html`<th>${label(f)}</th>`)}
            <th>Problems</th>
          </tr>
        </thead>
        <tbody>
          ${all.slice(0, PREVIEW_ROWS).map(
            (r) =>
              html`<tr class="${r.ok ? '' : 'bad'}">
                <td>${r.row}</td>
                ${fields.filter((f) => mapping[f]).map((f) => html`<td>${r.raw[mapping[f]!] ?? ''}</td>`)}
                <td>${r.ok ? '' : r.errors.join('; ')}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  );
}

export function settingsImportRoutes(ctx: AppContext): Router {
  const r = Router();
  const load = async (req: Request) => {
    const imp = await one<ImportRow & { started_at: Date | null }>(
      ctx.db,
      findImport(req.user!.workspaceId, intParam(req.params.id) ?? 0),
    );
    if (!imp) throw new AppError('NOT_FOUND', 'No such import.');
    if (imp.status !== 'queued' || imp.started_at)
      throw new AppError('STATE', 'This import has started; its columns can no longer change.');
    return imp;
  };

  r.get('/imports/:id/map', requireRole('revops'), async (req, res) => {
    const imp = await load(req);
    res.type('html').send(mapPage(req, imp, imp.mapping));
  });

  r.post('/imports/:id/map', requireRole('revops'), async (req, res) => {
    const imp = await load(req);
    const explicit = mappingFromForm(imp.kind, req.body ?? {});
    await run(ctx.db, setImportMapping(req.user!.workspaceId, imp.id, explicit));
    if (req.body?.action !== 'start') {
      res.type('html').send(mapPage(req, imp, explicit));
      return;
    }
    const parsed = parseCsv(imp.content);
    const key = imp.kind === 'accounts' ? 'name' : 'email';
    if (!mapColumns(imp.kind, parsed.headers, explicit)[key])
      throw new AppError('VALIDATION', `Choose the column that holds the ${key}.`);
    await startImport(ctx, req.user!.workspaceId, imp.id, req.user!.id);
    res.redirect(303, `/imports/${imp.id}`);
  });
  return r;
}
