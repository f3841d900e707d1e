// The per-record preview of a dry run (Settings → CRM "Save and preview", `prospector crm sync
// --dry-run`), like the CSV import's: each record that would be new, change (each field old → new)
// or fail (with the reason); unchanged ones are only counted. The first PREVIEW_KEEP are kept, with
// the total, so a 50,000-record CRM does not hold them all in memory. Real runs keep none.
import type { FieldChange, Fields } from '../accounts/import-plan.js';

const PREVIEW_KEEP = 200;

export interface RecordPreview {
  object: string;
  key: string;
  label: string;
  action: 'new' | 'changed' | 'fail';
  changes: FieldChange[];
  error?: string;
}

export interface PreviewList {
  /** The first PREVIEW_KEEP records that would be new, change or fail, in the order read. */
  shown: RecordPreview[];
  /** How many there were in all. */
  total: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const empty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);

/** The fields `next` changes on `current`; for a new record (no `current`), the fields it would set. */
export function diffFields(current: Fields | undefined, next: Fields): FieldChange[] {
  return Object.keys(next).flatMap((field) => {
    const from = current?.[field] ?? null;
    const to = next[field] ?? null;
    return (current ? same(from, to) : empty(to)) ? [] : [{ field, from, to }];
  });
}

/** Keeps one record's outcome on a dry run's summary; a real run keeps nothing. */
export function notePreview(job: { dryRun: boolean; summary: { records?: PreviewList } }, rec: RecordPreview): void {
  if (!job.dryRun) return;
  const list = (job.summary.records ??= { shown: [], total: 0 });
  list.total++;
  if (list.shown.length < PREVIEW_KEEP) list.shown.push(rec);
}
