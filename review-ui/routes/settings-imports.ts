// CSV import, step two: choose which column feeds each field, preview the first rows with their
// errors, then start. The upload (routes/accounts.ts) stores the file; nothing runs until here.
import { Router, type Request } from 'express';
import { importFields, mapColumns, parseCsv, type ImportKind } from '../../accounts/csv-rows.js';
import { importRows, planRow, type RowOutcome } from '../../accounts/import.js';
import { describeChange, EMPTY_CELLS, type EmptyCells } from '../../accounts/import-plan.js';
import { Queues } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findImport, type ImportRow } from '../../db/queries/imports.js';
import { markImportStarted, setImportMapping } from '../../db/queries/settings.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam, label } from '../format.js';
import { auditRequest } from '../audit.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';

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

const ACTION_LABEL = { create: 'new', update: 'will change', unchanged: 'no change' } as const;

/** What each of the first rows will do (reads only), plus the counts of bad rows over the whole file. */
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
  const { parsed, mapping, rows, shown, invalid, conflicts } = await previewRows(ctx, imp);
  const fields = importFields(imp.kind);
  const required = imp.kind === 'accounts' ? 'name' : 'email';
  const skipped = invalid + conflicts;
  return page(
    req,
    `Import #${imp.id}: map columns`,
    html` <p>
        ${imp.filename} · ${parsed.records.length} rows · ${label(imp.kind)}. Choose which column feeds each field; the
        preview below updates when you press Preview. A field left "not imported" is never changed.
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
        <fieldset>
          <legend>Empty cells in an imported column</legend>
          <label
            ><input type="radio" name="empty_cells" value="keep" ${imp.empty_cells === 'keep' ? html`checked` : ''} />
            Keep what is stored</label
          >
          <label
            ><input type="radio" name="empty_cells" value="clear" ${imp.empty_cells === 'clear' ? html`checked` : ''} />
            Clear the stored value</label
          >
        </fieldset>
        <p role="status" class="${skipped ? 'bad' : ''}">
          ${
            skipped
              ? `${skipped} of ${rows.length} rows will be skipped (${invalid} with errors, ${conflicts} in conflict); the others import.`
              : `All ${rows.length} rows look valid.`
          }
        </p>
        <p class="row-actions">
          <button type="submit" name="action" value="preview" class="secondary">Preview</button>
          <button type="submit" name="action" value="start">Start import</button>
        </p>
      </form>
      <h2>Preview (first ${shown.length} rows)</h2>
      <table class="import-preview">
        <thead>
          <tr>
            <th>Row</th>
            ${fields.filter((f) => mapping[f]).map((f) => html`<th>${label(f)}</th>`)}
            <th>Result</th>
            <th>What changes</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map((o, i) => {
            const raw = rows[i]!.raw;
            const bad = 'errors' in o;
            return html`<tr class="${bad ? 'bad' : ''}" data-row="${o.row}">
              <td>${o.row}</td>
              ${fields.filter((f) => mapping[f]).map((f) => html`<td>${raw[mapping[f]!] ?? ''}</td>`)}
              <td>${bad ? (o.errors[0]!.startsWith('conflict') ? 'conflict' : 'error') : ACTION_LABEL[o.action]}</td>
              <td>
                ${
                  bad
                    ? o.errors.join('; ')
                    : [...o.changes.map(describeChange), ...o.warnings.map((w) => `warning: ${w}`)].map(
                        (line) => html`<div>${line}</div>`,
                      )
                }
              </td>
            </tr>`;
          })}
        </tbody>
      </table>`,
  );
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
