// A user's own sender name and signature (null: the mailbox's From name, the workspace signature).
import type { Sql } from '../types.js';

export interface SenderProfile {
  sender_name: string | null;
  signature: string | null;
  workspace_signature: string | null;
}

export const findSenderProfile = (userId: number): Sql<SenderProfile> => ({
  text: `SELECT u.sender_name, u.signature, w.settings->>'signature' AS workspace_signature
           FROM users u JOIN workspaces w ON w.id = u.workspace_id WHERE u.id = $1`,
  values: [userId],
});

export const updateSenderProfile = (userId: number, senderName: string | null, signature: string | null): Sql => ({
  text: `UPDATE users SET sender_name = $2, signature = $3 WHERE id = $1`,
  values: [userId, senderName, signature],
});
