// Runs a CSV import against the database: validation report per row, idempotent on
// account domain and contact email, progress stored on the `imports` row as it goes.
import { one, run, type Database } from '../db/index.js';
import {
  findAccountByDomain,
  findAccountByName,
  upsertAccountByDomain,
  insertAccount,
} from '../db/queries/accounts.js';
import {
  findContactByEmail,
  insertContact,
  insertContactChange,
  updateContact,
  type ContactRow,
} from '../db/queries/contacts.js';
import {
  claimImport,
  finishImport,
  insertImport,
  updateImportProgress,
  type ImportErrorRow,
  type ImportRow,
} from '../db/queries/imports.js';
import { findUserByEmail, type UserRow } from '../db/queries/users.js';
import {
  mapColumns,
  parseCsv,
  validateRows,
  type AccountRowInput,
  type ContactRowInput,
  type ImportKind,
} from './csv-rows.js';

export interface ImportReport {
  importId: number;
  total: number;
  created: number;
  updated: number;
  errors: { row: number; errors: string[] }[];
  /** Contacts whose employer or title changed, for job-change detection. */
  changes: { contactId: number; field: string; from: string | null; to: string | null }[];
}

type Outcome = 'created' | 'updated';

async function importAccount(
  db: Database,
  workspaceId: number,
  v: AccountRowInput,
  owners: Map<string, UserRow | undefined>,
): Promise<Outcome> {
  const ownerId = v.owner ? await ownerFor(db, v.owner, owners) : null;
  const input = {
    name: v.name,
    domain: v.domain,
    aliases: v.aliases,
    ownerId,
    timeZone: v.time_zone,
    country: v.country,
    tags: v.tags,
  };
  if (v.domain) {
    const r = await one<{ inserted: boolean }>(db, upsertAccountByDomain(workspaceId, input));
    return r?.inserted ? 'created' : 'updated';
  }
  // Without a domain, the name is the key: re-importing the same sheet must not duplicate.
  const existing = await run<{ id: number }>(db, findAccountByName(workspaceId, v.name));
  if (existing.length) return 'updated';
  await run(db, insertAccount(workspaceId, input));
  return 'created';
}

async function ownerFor(db: Database, email: string, cache: Map<string, UserRow | undefined>): Promise<number> {
  if (!cache.has(email)) cache.set(email, await one<UserRow>(db, findUserByEmail(email)));
  const u = cache.get(email);
  if (!u) throw new RowError(`owner ${email} is not a user of this workspace`);
  return u.id;
}

class RowError extends Error {}

async function importContact(
  db: Database,
  workspaceId: number,
  v: ContactRowInput,
  changes: ImportReport['changes'],
): Promise<Outcome> {
  let accountId: number | null = null;
  if (v.account_domain) {
    const a = await one<{ id: number }>(db, findAccountByDomain(workspaceId, v.account_domain));
    if (!a) throw new RowError(`no account with domain ${v.account_domain}; import the account first`);
    accountId = a.id;
  } else if (v.company) {
    const found = await run<{ id: number }>(db, findAccountByName(workspaceId, v.company));
    if (found.length > 1) throw new RowError(`two accounts are named "${v.company}"; give the account domain`);
    if (!found.length)
      throw new RowError(`no account named "${v.company}"; import the account first or give its domain`);
    accountId = found[0]!.id;
  }
  const input = {
    accountId,
    firstName: v.first_name,
    lastName: v.last_name,
    email: v.email,
    title: v.title,
    timeZone: v.time_zone,
    linkedinUrl: v.linkedin_url,
    isChampion: v.champion,
  };
  const existing = await one<ContactRow & { account_name: string | null }>(
    db,
    findContactByEmail(workspaceId, v.email),
  );
  if (!existing) {
    await run(db, insertContact(workspaceId, input));
    return 'created';
  }
  await db.transaction(async (tx) => {
    const employerChanged = accountId !== null && existing.account_id !== null && existing.account_id !== accountId;
    await run(
      tx,
      updateContact(existing.id, { ...input, previousCompany: employerChanged ? existing.account_name : null }),
    );
    if (employerChanged) {
      await run(
        tx,
        insertContactChange(existing.id, 'account_id', String(existing.account_id), String(accountId), 'import'),
      );
      changes.push({
        contactId: existing.id,
        field: 'account_id',
        from: String(existing.account_id),
        to: String(accountId),
      });
    }
    if (v.title && existing.title && v.title !== existing.title) {
      await run(tx, insertContactChange(existing.id, 'title', existing.title, v.title, 'import'));
      changes.push({ contactId: existing.id, field: 'title', from: existing.title, to: v.title });
    }
  });
  return 'updated';
}

/** Stores a CSV import (validated when it runs), so the web can queue it for a worker. */
export async function createImport(
  db: Database,
  o: {
    workspaceId: number;
    kind: ImportKind;
    content: string;
    filename?: string;
    mapping?: Record<string, string>;
    userId?: number | null;
  },
): Promise<ImportRow> {
  const total = parseCsv(o.content).records.length;
  return (await one<ImportRow>(
    db,
    insertImport({
      workspaceId: o.workspaceId,
      kind: o.kind,
      filename: o.filename ?? '',
      content: o.content,
      mapping: o.mapping ?? {},
      totalRows: total,
      userId: o.userId ?? null,
    }),
  ))!;
}

/** Runs a queued import; returns undefined when another runner already took it. */
export async function processImport(
  db: Database,
  importId: number,
  opts: { onProgress?: (done: number, total: number) => void; batchSize?: number } = {},
): Promise<ImportReport | undefined> {
  const imp = await one<ImportRow>(db, claimImport(importId));
  if (!imp) return undefined;
  const { workspace_id: workspaceId, kind } = imp;
  const report: ImportReport = { importId, total: 0, created: 0, updated: 0, errors: [], changes: [] };
  const owners = new Map<string, UserRow | undefined>();
  const batchSize = opts.batchSize ?? 100;
  try {
    const parsed = parseCsv(imp.content);
    const rows = validateRows(kind, parsed, mapColumns(kind, parsed.headers, imp.mapping));
    report.total = rows.length;
    for (let start = 0; start < rows.length; start += batchSize) {
      const newErrors: ImportErrorRow[] = [];
      for (const r of rows.slice(start, start + batchSize)) {
        if (!r.ok) {
          newErrors.push({ row: r.row, errors: r.errors, raw: r.raw });
          continue;
        }
        try {
          const outcome =
            kind === 'accounts'
              ? await importAccount(db, workspaceId, r.value as AccountRowInput, owners)
              : await importContact(db, workspaceId, r.value as ContactRowInput, report.changes);
          report[outcome]++;
        } catch (err) {
          if (!(err instanceof RowError)) throw err;
          newErrors.push({ row: r.row, errors: [err.message], raw: r.raw });
        }
      }
      report.errors.push(...newErrors.map(({ row, errors }) => ({ row, errors })));
      const processed = Math.min(start + batchSize, rows.length);
      await run(
        db,
        updateImportProgress(importId, {
          processed,
          created: report.created,
          updated: report.updated,
          errorRows: report.errors.length,
          newErrors,
        }),
      );
      opts.onProgress?.(processed, rows.length);
    }
    await run(db, finishImport(importId, 'done'));
  } catch (err) {
    await run(db, finishImport(importId, 'failed', (err as Error).message)).catch(() => {});
    throw err;
  }
  return report;
}
