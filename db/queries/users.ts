import type { Sql } from '../types.js';

export type Role = 'admin' | 'revops' | 'manager' | 'rep';
export const ROLES: readonly Role[] = ['admin', 'revops', 'manager', 'rep'];

export interface UserRow {
  id: number;
  workspace_id: number;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  time_zone: string;
  booking_url: string | null;
  disabled_at: Date | null;
  must_change_password: boolean;
  last_login_at: Date | null;
  created_at: Date;
}

export const insertUser = (u: {
  workspaceId: number;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  timeZone?: string;
}): Sql<UserRow> => ({
  text: `INSERT INTO users (workspace_id, email, name, role, password_hash, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
  values: [u.workspaceId, u.email, u.name, u.role, u.passwordHash, u.timeZone ?? 'UTC'],
});

export const findUserByEmail = (email: string): Sql<UserRow> => ({
  text: `SELECT * FROM users WHERE lower(email) = lower($1)`,
  values: [email],
});

export const findUser = (workspaceId: number, id: number): Sql<UserRow> => ({
  text: `SELECT * FROM users WHERE workspace_id = $1 AND id = $2`,
  values: [workspaceId, id],
});

export const listUsers = (workspaceId: number): Sql<UserRow> => ({
  text: `SELECT * FROM users WHERE workspace_id = $1 ORDER BY role, email`,
  values: [workspaceId],
});

/** A reset sets a one-time password (mustChange); the owner's own change clears the flag. */
export const setPassword = (id: number, passwordHash: string, mustChange: boolean): Sql<{ id: number }> => ({
  text: `UPDATE users SET password_hash = $2, must_change_password = $3 WHERE id = $1 RETURNING id`,
  values: [id, passwordHash, mustChange],
});

export const markLogin = (id: number): Sql => ({
  text: `UPDATE users SET last_login_at = now() WHERE id = $1`,
  values: [id],
});

export const countUsers = (): Sql<{ n: number }> => ({ text: `SELECT count(*)::int AS n FROM users`, values: [] });
