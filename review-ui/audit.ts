// One audit record for what a user did: from a request (who, where from) or from the user a use case was given.
import type { Request } from 'express';
import { run, type Queryable } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';

/** A signed-in request, or a user (null id: the system) with the address they came from, if known. */
export type Actor = Request | { workspaceId: number; id: number | null; ip?: string };

export function auditRequest(
  db: Queryable,
  who: Actor,
  action: string,
  entity?: { type: string; id: number },
  data: Record<string, unknown> = {},
) {
  const a = 'method' in who ? { workspaceId: who.user!.workspaceId, id: who.user!.id, ip: who.ip } : who;
  return run(
    db,
    insertAudit({
      workspaceId: a.workspaceId,
      userId: a.id,
      action,
      entityType: entity?.type,
      entityId: entity?.id,
      data,
      ip: a.ip,
    }),
  );
}
