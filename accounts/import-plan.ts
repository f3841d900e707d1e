// What one CSV row will do to the record it matches, decided before anything is written, so the
// preview and the import agree. Pure: no database.
//
// - A field whose column is not mapped is never touched (a re-import of a sheet without tags
//   keeps the tags).
// - An empty cell in a mapped column keeps the stored value, or clears it when the person chose
//   "clear" in the preview (`EmptyCells`).
// - Two rows with the same key (account domain, contact email) are a conflict: neither is
//   imported, because which one is right is a person's call.
import type { RowResult } from './csv-rows.js';

export type EmptyCells = 'keep' | 'clear';
export const EMPTY_CELLS: EmptyCells[] = ['keep', 'clear'];

export type FieldValue = string | number | boolean | string[] | null;
export type Fields = Record<string, FieldValue>;

export interface FieldChange {
  field: string;
  from: FieldValue;
  to: FieldValue;
}

export interface FieldPlan {
  action: 'create' | 'update' | 'unchanged';
  /** The record as it will be stored. */
  next: Fields;
  changes: FieldChange[];
}

const same = (a: FieldValue, b: FieldValue): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `incoming` holds the row's values for the fields it can set; `present` the fields whose cell
 * had something in it; `cleared` what a cleared field becomes; `current` the stored record, if any.
 */
export function planFields(o: {
  current: Fields | undefined;
  incoming: Fields;
  /** Fields with a column in the file; only these may change. */
  mapped: Set<string>;
  present: Set<string>;
  emptyCells: EmptyCells;
  cleared: Fields;
}): FieldPlan {
  const base = o.current ?? o.cleared;
  const next: Fields = { ...base };
  const changes: FieldChange[] = [];
  for (const field of Object.keys(o.incoming)) {
    if (!o.mapped.has(field)) continue;
    let to: FieldValue;
    if (o.present.has(field)) to = o.incoming[field]!;
    else if (o.emptyCells === 'clear' && o.current) to = o.cleared[field] ?? null;
    else continue;
    next[field] = to;
    if (o.current && !same(o.current[field] ?? null, to)) changes.push({ field, from: o.current[field] ?? null, to });
  }
  const action = !o.current ? 'create' : changes.length ? 'update' : 'unchanged';
  return { action, next, changes };
}

/** Fields whose mapped cell is not empty in this raw row. */
export function presentFields(raw: Record<string, string>, mapping: Record<string, string>): Set<string> {
  return new Set(
    Object.entries(mapping)
      .filter(([, header]) => (raw[header] ?? '').trim() !== '')
      .map(([field]) => field),
  );
}

/** Rows sharing a key with another row of the same file, each with the message to report. */
export function findConflicts<T>(
  rows: RowResult<T>[],
  keyOf: (value: T) => string | null,
  what: string,
): Map<number, string> {
  const byKey = new Map<string, number[]>();
  for (const r of rows) {
    if (!r.ok) continue;
    const k = keyOf(r.value)?.toLowerCase();
    if (k) byKey.set(k, [...(byKey.get(k) ?? []), r.row]);
  }
  const out = new Map<number, string>();
  for (const [key, rowNumbers] of byKey) {
    if (rowNumbers.length < 2) continue;
    for (const row of rowNumbers)
      out.set(
        row,
        `conflict: ${what} ${key} is on rows ${rowNumbers.join(', ')}; ` +
          'none of them was imported (rows are never merged) — keep one and import again',
      );
  }
  return out;
}

/** A change as a person reads it in the preview: `tags: robotics, series-b → (empty)`. */
export function describeChange(c: FieldChange): string {
  const show = (v: FieldValue) =>
    v === null || v === '' || (Array.isArray(v) && !v.length)
      ? '(empty)'
      : Array.isArray(v)
        ? v.join(', ')
        : typeof v === 'boolean'
          ? v
            ? 'yes'
            : 'no'
          : String(v);
  return `${c.field.replace(/_/g, ' ')}: ${show(c.from)} → ${show(c.to)}`;
}
