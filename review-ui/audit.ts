// One audit record for what a signed-in user did to an entity, from a request (who, where from).
import type { Request } from 'express';
import { run, type Queryable } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';

export function auditRequest(
  db: Queryable,
  req: Request,
  action: string,
  entity: { type: string; id: number },
  data: Record<string, unknown> = {},
) {
  return run(
    db,
    insertAudit({
      workspaceId: req.user!.workspaceId,
      userId: req.user!.id,
      action,
      entityType: entity.type,
      entityId: entity.id,
      data,
      ip: req.ip,
    }),
  );
}
