import type { Sql } from '../types.js';

export const insertAudit = (a: {
  workspaceId: number | null;
  userId: number | null;
  action: string;
  entityType?: string;
  entityId?: string | number;
  data?: Record<string, unknown>;
  ip?: string;
}): Sql => ({
  text: `INSERT INTO audit_log (workspace_id, user_id, action, entity_type, entity_id, data, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  values: [
    a.workspaceId,
    a.userId,
    a.action,
    a.entityType ?? null,
    a.entityId == null ? null : String(a.entityId),
    JSON.stringify(a.data ?? {}),
    a.ip ?? null,
  ],
});
