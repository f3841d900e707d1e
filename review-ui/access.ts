// Who may see and act on a draft. Reps see and act on drafts for accounts they own (or
// sequences assigned to them); managers and RevOps read everything; admins do everything.
import type { DraftRow } from '../db/queries/review.js';
import { AppError } from '../errors.js';
import type { CurrentUser } from './auth/session.js';

/** The user id a queue is restricted to, or null for the whole workspace. */
export function queueViewer(u: CurrentUser): number | null {
  return u.role === 'rep' ? u.id : null;
}

function canSeeDraft(u: CurrentUser, d: Pick<DraftRow, 'owner_id' | 'account_owner_id'>): boolean {
  return u.role !== 'rep' || d.owner_id === u.id || d.account_owner_id === u.id;
}

export function canActOnDraft(u: CurrentUser, d: Pick<DraftRow, 'owner_id' | 'account_owner_id'>): boolean {
  return u.role === 'admin' || (u.role === 'rep' && canSeeDraft(u, d));
}

export function assertCanSee(u: CurrentUser, d: Pick<DraftRow, 'owner_id' | 'account_owner_id'>): void {
  if (!canSeeDraft(u, d)) throw new AppError('FORBIDDEN', 'This draft belongs to an account another rep owns.');
}

export function assertCanAct(u: CurrentUser, d: Pick<DraftRow, 'owner_id' | 'account_owner_id'>): void {
  assertCanSee(u, d);
  if (!canActOnDraft(u, d))
    throw new AppError(
      'FORBIDDEN',
      `Only the owning rep or an admin may change a draft; you are ${u.role} (read-only).`,
    );
}
