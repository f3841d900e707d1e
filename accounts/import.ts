// Runs a CSV import against the database: validation report per row, idempotent on account
// domain and contact email, progress stored on the `imports` row as it goes. What each row
// does is planned first (import-plan.ts), so the preview shows exactly what the run will do.
import { one, run, type Database, type Queryable } from '../db/index.js';
import { findAccountByDomain, findAccountByName, findAccountForImport, insertAccount } from '../db/queries/accounts.js';
import {
  findContactByEmail,
  insertContact,
  insertContactChange,
  updateContactImported,
} from '../db/queries/contacts.js';
import {
  claimImport,
  finishImport,
  insertImport,
  updateImportProgress,
  type ImportErrorRow,
  type ImportRow,
} from '../db/queries/imports.js';
import { updateAccount } from '../db/queries/settings.js';
import { findUserByEmail, type UserRow } from '../db/queries/users.js';
import {
  mapColumns,
  parseCsv,
  validateRows,
  type AccountRowInput,
  type ContactRowInput,
  type ImportKind,
  type RowResult,
} from './csv-rows.js';
import {
  findConflicts,
  planFields,
  presentFields,
  type EmptyCells,
  type FieldPlan,
  type Fields,
} from './import-plan.js';

export interface ImportReport {
  importId: number;
  total: number;
  created: number;
  updated: number;
  /** Rows that matched a record and changed nothing. */
  unchanged: number;
  errors: { row: number; errors: string[] }[];
  /** Rows imported with something to check (an account without a domain). */
  warnings: { row: number; message: string }[];
  /** Contacts whose employer or title changed, for job-change detection. */
  changes: { contactId: number; field: string; from: string | null; to: string | null }[];
}

class RowError extends Error {}

/** One row's plan and how to carry it out. */
export interface RowPlan extends FieldPlan {
  warnings: string[];
  apply(tx: Queryable, report: ImportReport): Promise<void>;
}

interface PlanInput<T> {
  workspaceId: number;
  value: T;
  mapped: Set<string>;
  present: Set<string>;
  emptyCells: EmptyCells;
  owners: Map<string, UserRow | undefined>;
}

const NO_DOMAIN_WARNING =
  'created without a domain: signals cannot match it by domain and a later import cannot find it by domain; add one when you can';

async function planAccount(db: Queryable, o: PlanInput<AccountRowInput>): Promise<RowPlan> {
  const v = o.value;
  const found = await one(db, findAccountForImport(o.workspaceId, v.domain, v.name));
  const current: Fields | undefined = found && {
    name: found.name as string,
    aliases: found.aliases as string[],
    owner: found.owner_email,
    time_zone: found.time_zone as string | null,
    country: found.country as string | null,
    tags: found.tags as string[],
  };
  if (o.present.has('owner')) await ownerFor(db, v.owner!, o.owners);
  const plan = planFields({
    current,
    incoming: {
      name: v.name,
      aliases: v.aliases,
      owner: v.owner,
      time_zone: v.time_zone,
      country: v.country,
      tags: v.tags,
    },
    mapped: o.mapped,
    present: o.present,
    emptyCells: o.emptyCells,
    cleared: { name: v.name, aliases: [], owner: null, time_zone: null, country: null, tags: [] },
  });
  const n = plan.next;
  const ownerId = n.owner ? await ownerFor(db, n.owner as string, o.owners) : null;
  const input = {
    name: n.name as string,
    domain: v.domain ?? ((found?.domain as string | null) || null),
    aliases: n.aliases as string[],
    ownerId,
    timeZone: n.time_zone as string | null,
    country: n.country as string | null,
    tags: n.tags as string[],
  };
  return {
    ...plan,
    warnings: !found && !v.domain ? [NO_DOMAIN_WARNING] : [],
    async apply(tx) {
      if (!found) await run(tx, insertAccount(o.workspaceId, input));
      else if (plan.action === 'update')
        await run(tx, updateAccount(o.workspaceId, found.id, { ...input, notes: found.notes }));
    },
  };
}

async function ownerFor(db: Queryable, email: string, cache: Map<string, UserRow | undefined>): Promise<number> {
  if (!cache.has(email)) cache.set(email, await one(db, findUserByEmail(email)));
  const u = cache.get(email);
  if (!u) throw new RowError(`owner ${email} is not a user of this workspace`);
  return u.id;
}

const accountLabel = (a: { id: number; name: string; domain: string | null }) =>
  `${a.name} (${a.domain ?? `#${a.id}`})`;

async function contactAccount(db: Queryable, workspaceId: number, v: ContactRowInput) {
  if (v.account_domain) {
    const a = await one(db, findAccountByDomain(workspaceId, v.account_domain));
    if (!a) throw new RowError(`no account with domain ${v.account_domain}; import the account first`);
    return a;
  }
  if (!v.company) return null;
  const found = await run(db, findAccountByName(workspaceId, v.company));
  if (found.length > 1) throw new RowError(`two accounts are named "${v.company}"; give the account domain`);
  if (!found.length) throw new RowError(`no account named "${v.company}"; import the account first or give its domain`);
  return found[0]!;
}

async function planContact(db: Queryable, o: PlanInput<ContactRowInput>): Promise<RowPlan> {
  const v = o.value;
  // A full-name column sets both names; either company column sets the account.
  const widen = (fields: Set<string>) => {
    const out = new Set(fields);
    if (out.has('name')) out.add('first_name').add('last_name');
    if (out.has('account_domain') || out.has('company')) out.add('account');
    return out;
  };
  const present = widen(o.present);
  const mapped = widen(o.mapped);
  const account = present.has('account') ? await contactAccount(db, o.workspaceId, v) : null;
  const existing = await one(db, findContactByEmail(o.workspaceId, v.email));
  const current: Fields | undefined = existing && {
    first_name: existing.first_name,
    last_name: existing.last_name,
    title: existing.title,
    time_zone: existing.time_zone,
    linkedin_url: existing.linkedin_url,
    champion: existing.is_champion,
    account:
      existing.account_id === null
        ? null
        : accountLabel({ id: existing.account_id, name: existing.account_name!, domain: existing.account_domain }),
  };
  const plan = planFields({
    current,
    incoming: {
      first_name: v.first_name,
      last_name: v.last_name,
      title: v.title,
      time_zone: v.time_zone,
      linkedin_url: v.linkedin_url,
      champion: v.champion,
      account: account && accountLabel(account),
    },
    mapped,
    present,
    emptyCells: o.emptyCells,
    cleared: {
      first_name: '',
      last_name: '',
      title: '',
      time_zone: null,
      linkedin_url: null,
      champion: false,
      account: null,
    },
  });
  const n = plan.next;
  const accountId = n.account === null ? null : present.has('account') ? account!.id : (existing?.account_id ?? null);
  const input = {
    accountId,
    firstName: n.first_name as string,
    lastName: n.last_name as string,
    email: v.email,
    title: n.title as string,
    timeZone: n.time_zone as string | null,
    linkedinUrl: n.linkedin_url as string | null,
    isChampion: n.champion as boolean,
  };
  return {
    ...plan,
    warnings: [],
    async apply(tx, report) {
      if (!existing) {
        await run(tx, insertContact(o.workspaceId, input));
        return;
      }
      if (plan.action !== 'update') return;
      const employerChanged = accountId !== null && existing.account_id !== null && existing.account_id !== accountId;
      await run(
        tx,
        updateContactImported(existing.id, {
          ...input,
          previousCompany: employerChanged ? existing.account_name : null,
        }),
      );
      const recorded: [string, string | null, string | null][] = [];
      if (employerChanged) recorded.push(['account_id', String(existing.account_id), String(accountId)]);
      if (input.title && existing.title && input.title !== existing.title)
        recorded.push(['title', existing.title, input.title]);
      for (const [field, from, to] of recorded) {
        await run(tx, insertContactChange(existing.id, field, from, to, 'import'));
        report.changes.push({ contactId: existing.id, field, from, to });
      }
    },
  };
}

/** Validated rows of an import, with rows that share a key turned into conflicts. */
export function importRows(imp: Pick<ImportRow, 'kind' | 'content' | 'mapping'>) {
  const parsed = parseCsv(imp.content);
  const mapping = mapColumns(imp.kind, parsed.headers, imp.mapping);
  const rows = validateRows(imp.kind, parsed, mapping);
  const conflicts =
    imp.kind === 'accounts'
      ? findConflicts(rows as RowResult<AccountRowInput>[], (a) => a.domain ?? `name ${a.name}`, 'account')
      : findConflicts(rows as RowResult<ContactRowInput>[], (c) => c.email, 'email');
  return { parsed, mapping, rows, conflicts };
}

export type RowOutcome = { row: number; errors: string[] } | ({ row: number } & RowPlan);

/** Plans one validated row (reads only); errors are returned, not thrown. */
export async function planRow(
  db: Queryable,
  o: {
    kind: ImportKind;
    workspaceId: number;
    row: RowResult<AccountRowInput | ContactRowInput>;
    mapping: Record<string, string>;
    conflict?: string;
    emptyCells: EmptyCells;
    owners: Map<string, UserRow | undefined>;
  },
): Promise<RowOutcome> {
  const r = o.row;
  if (!r.ok) return { row: r.row, errors: r.errors };
  if (o.conflict) return { row: r.row, errors: [o.conflict] };
  const input = {
    ...o,
    value: r.value,
    mapped: new Set(Object.keys(o.mapping)),
    present: presentFields(r.raw, o.mapping),
  };
  try {
    const plan =
      o.kind === 'accounts'
        ? await planAccount(db, input as PlanInput<AccountRowInput>)
        : await planContact(db, input as PlanInput<ContactRowInput>);
    return { row: r.row, ...plan };
  } catch (err) {
    if (!(err instanceof RowError)) throw err;
    return { row: r.row, errors: [err.message] };
  }
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
    emptyCells?: EmptyCells;
    userId?: number | null;
  },
): Promise<ImportRow> {
  const total = parseCsv(o.content).records.length;
  return (await one(
    db,
    insertImport({
      workspaceId: o.workspaceId,
      kind: o.kind,
      filename: o.filename ?? '',
      content: o.content,
      mapping: o.mapping ?? {},
      emptyCells: o.emptyCells ?? 'keep',
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
  const imp = await one(db, claimImport(importId));
  if (!imp) return undefined;
  const { workspace_id: workspaceId, kind } = imp;
  const report: ImportReport = {
    importId,
    total: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: [],
    warnings: [],
    changes: [],
  };
  const owners = new Map<string, UserRow | undefined>();
  const batchSize = opts.batchSize ?? 100;
  try {
    const { rows, mapping, conflicts } = importRows(imp);
    report.total = rows.length;
    for (let start = 0; start < rows.length; start += batchSize) {
      const newErrors: ImportErrorRow[] = [];
      const newWarnings: ImportReport['warnings'] = [];
      for (const r of rows.slice(start, start + batchSize)) {
        const outcome = await db.transaction(async (tx) => {
          const planned = await planRow(tx, {
            kind,
            workspaceId,
            row: r,
            mapping,
            conflict: conflicts.get(r.row),
            emptyCells: imp.empty_cells,
            owners,
          });
          if ('apply' in planned) await planned.apply(tx, report);
          return planned;
        });
        if ('errors' in outcome) {
          newErrors.push({ row: r.row, errors: outcome.errors, raw: r.raw });
          continue;
        }
        report[outcome.action === 'create' ? 'created' : outcome.action === 'update' ? 'updated' : 'unchanged']++;
        for (const message of outcome.warnings) newWarnings.push({ row: r.row, message });
      }
      report.errors.push(...newErrors.map(({ row, errors }) => ({ row, errors })));
      report.warnings.push(...newWarnings);
      const processed = Math.min(start + batchSize, rows.length);
      await run(
        db,
        updateImportProgress(importId, {
          processed,
          created: report.created,
          updated: report.updated,
          unchanged: report.unchanged,
          errorRows: report.errors.length,
          newErrors,
          newWarnings,
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
