// Merging two accounts or two contacts that are one company or one person: everything that
// points at the merged-away one (contacts, signals, sequences, dossiers and their facts, messages,
// events, title changes, the CRM's record of it) moves to the kept one in one transaction; the
// kept one takes its domain, name or address as aliases (tags and notes too); the merged-away row
// is deleted and a merge record keeps what it was, so its old links redirect. Refused when both
// have live sequences to the same person: that person would get two sequences at once.
import { one, run, type Database } from '../db/index.js';
import type { AccountRow } from '../db/queries/accounts.js';
import { insertAudit } from '../db/queries/audit.js';
import type { ContactRow } from '../db/queries/contacts.js';
import {
  absorbAccount,
  absorbContact,
  accountHistory,
  contactHistory,
  deleteMerged,
  insertMerge,
  liveClash,
  lockAccounts,
  lockContacts,
  mergeClashingDossiers,
  moveAccountRows,
  moveContactRows,
  moveCrmIds,
  type MergeKind,
} from '../db/queries/merge.js';
import type { Queryable } from '../db/types.js';
import { AppError } from '../errors.js';

export interface MergePreview {
  kind: MergeKind;
  from: Record<string, unknown>;
  into: Record<string, unknown>;
  /** Rows that move, per kind of history. */
  moves: Record<string, number>;
  /** People with a live sequence on both sides (the merge is refused). */
  clashes: string[];
}

async function load(db: Queryable, kind: MergeKind, workspaceId: number, fromId: number, intoId: number) {
  if (fromId === intoId) throw new AppError('VALIDATION', `Choose two different ${kind}s.`);
  const ids = [fromId, intoId];
  const rows: (AccountRow | ContactRow)[] =
    kind === 'account' ? await run(db, lockAccounts(workspaceId, ids)) : await run(db, lockContacts(workspaceId, ids));
  const from = rows.find((r) => r.id === fromId);
  const into = rows.find((r) => r.id === intoId);
  if (!from || !into)
    throw new AppError('NOT_FOUND', `No such ${kind} in this workspace: #${!from ? fromId : intoId}.`);
  // Copies as plain records: the preview shows and snapshots every column, whichever table.
  return { from: { ...from }, into: { ...into } };
}

async function previewIn(
  db: Queryable,
  kind: MergeKind,
  workspaceId: number,
  fromId: number,
  intoId: number,
): Promise<MergePreview> {
  const { from, into } = await load(db, kind, workspaceId, fromId, intoId);
  const moves = (kind === 'account' ? await one(db, accountHistory(fromId)) : await one(db, contactHistory(fromId)))!;
  const clashes = (await run(db, liveClash(kind, fromId, intoId))).map((c) => c.person);
  return { kind, from, into, moves, clashes };
}

export function previewMerge(db: Database, kind: MergeKind, workspaceId: number, fromId: number, intoId: number) {
  return db.transaction((tx) => previewIn(tx, kind, workspaceId, fromId, intoId));
}

export function clashMessage(p: Pick<MergePreview, 'kind' | 'clashes'>): string {
  return (
    `These ${p.kind}s cannot be merged: both have live sequences to ${p.clashes.join(', ')}. ` +
    'Stop or finish one of them first, so no one gets two sequences at once.'
  );
}

export async function mergeRecords(
  db: Database,
  input: { kind: MergeKind; workspaceId: number; fromId: number; intoId: number; userId: number; ip?: string },
): Promise<MergePreview> {
  const { kind, workspaceId, fromId, intoId } = input;
  return db.transaction(async (tx) => {
    const p = await previewIn(tx, kind, workspaceId, fromId, intoId);
    if (p.clashes.length) throw new AppError('CONFLICT', clashMessage(p), { details: { clashes: p.clashes } });
    if (kind === 'account') {
      for (const sql of moveAccountRows(fromId, intoId)) await run(tx, sql);
      await run(tx, absorbAccount(fromId, intoId));
    } else {
      for (const sql of mergeClashingDossiers(fromId, intoId)) await run(tx, sql);
      for (const sql of moveContactRows(fromId, intoId)) await run(tx, sql);
      await run(tx, absorbContact(fromId, intoId));
    }
    await run(tx, moveCrmIds(kind, fromId, intoId, workspaceId));
    await run(tx, deleteMerged(kind, fromId));
    await run(
      tx,
      insertMerge({ workspaceId, kind, fromId, intoId, snapshot: p.from, moved: p.moves, userId: input.userId }),
    );
    await run(
      tx,
      insertAudit({
        workspaceId,
        userId: input.userId,
        action: `${kind}.merged`,
        entityType: kind,
        entityId: intoId,
        data: { fromId, moved: p.moves },
        ip: input.ip,
      }),
    );
    return p;
  });
}
