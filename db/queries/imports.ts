import type { Sql } from '../types.js';

export interface ImportErrorRow {
  row: number;
  errors: string[];
  raw: Record<string, string>;
}

export interface ImportRow {
  id: number;
  workspace_id: number;
  kind: 'accounts' | 'contacts';
  filename: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  content: string;
  mapping: Record<string, string>;
  /** What an empty cell in a mapped column does to the stored value. */
  empty_cells: 'keep' | 'clear';
  failure: string | null;
  total_rows: number;
  processed_rows: number;
  created_rows: number;
  updated_rows: number;
  unchanged_rows: number;
  error_rows: number;
  errors: ImportErrorRow[];
  warnings: { row: number; message: string }[];
  created_by: number | null;
  created_at: Date;
  finished_at: Date | null;
}

export const insertImport = (i: {
  workspaceId: number;
  kind: string;
  filename: string;
  content: string;
  mapping: Record<string, string>;
  emptyCells: 'keep' | 'clear';
  totalRows: number;
  userId: number | null;
}): Sql<ImportRow> => ({
  text: `INSERT INTO imports (workspace_id, kind, filename, content, mapping, total_rows, created_by, empty_cells)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
  values: [
    i.workspaceId,
    i.kind,
    i.filename,
    i.content,
    JSON.stringify(i.mapping),
    i.totalRows,
    i.userId,
    i.emptyCells,
  ],
});

/** Moves queued → running; a second runner gets no row and leaves it alone. */
export const claimImport = (id: number): Sql<ImportRow> => ({
  text: `UPDATE imports SET status = 'running' WHERE id = $1 AND status = 'queued' RETURNING *`,
  values: [id],
});

export const updateImportProgress = (
  id: number,
  p: {
    processed: number;
    created: number;
    updated: number;
    unchanged: number;
    errorRows: number;
    newErrors: ImportErrorRow[];
    newWarnings: { row: number; message: string }[];
  },
): Sql => ({
  text: `UPDATE imports SET processed_rows = $2, created_rows = $3, updated_rows = $4, error_rows = $5,
                errors = errors || $6::jsonb, unchanged_rows = $7, warnings = warnings || $8::jsonb
          WHERE id = $1`,
  values: [
    id,
    p.processed,
    p.created,
    p.updated,
    p.errorRows,
    JSON.stringify(p.newErrors),
    p.unchanged,
    JSON.stringify(p.newWarnings),
  ],
});

export const finishImport = (id: number, status: 'done' | 'failed', failure: string | null = null): Sql<ImportRow> => ({
  text: `UPDATE imports SET status = $2, failure = $3, finished_at = now() WHERE id = $1 RETURNING *`,
  values: [id, status, failure],
});

export const findImport = (workspaceId: number, id: number): Sql<ImportRow & { started_at: Date | null }> => ({
  text: `SELECT * FROM imports WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const listImports = (workspaceId: number, limit = 20): Sql<ImportRow> => ({
  text: `SELECT id, workspace_id, kind, filename, status, failure, total_rows, processed_rows, created_rows, updated_rows,
                unchanged_rows, error_rows, created_by, created_at, finished_at
           FROM imports WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2`,
  values: [workspaceId, limit],
});
