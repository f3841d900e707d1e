import type { Sql } from '../types.js';

export const insertSession = (s: {
  id: string;
  userId: number;
  csrfToken: string;
  ip: string;
  userAgent: string;
  ttlHours: number;
}): Sql => ({
  text: `INSERT INTO sessions (id, user_id, csrf_token, ip, user_agent, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6)) RETURNING id`,
  values: [s.id, s.userId, s.csrfToken, s.ip, s.userAgent, s.ttlHours],
});

export interface SessionUserRow {
  session_id: string;
  csrf_token: string;
  user_id: number;
  workspace_id: number;
  email: string;
  name: string;
  role: 'admin' | 'revops' | 'manager' | 'rep';
  time_zone: string;
}

export const findSessionUser = (id: string): Sql => ({
  text: `SELECT s.id AS session_id, s.csrf_token, u.id AS user_id, u.workspace_id, u.email, u.name, u.role, u.time_zone
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
  values: [id],
});

export const touchSession = (id: string): Sql => ({
  text: `UPDATE sessions SET last_seen_at = now() WHERE id = $1 AND last_seen_at < now() - interval '1 minute'`,
  values: [id],
});

export const deleteSession = (id: string): Sql => ({ text: `DELETE FROM sessions WHERE id = $1`, values: [id] });

export const deleteExpiredSessions = (): Sql => ({
  text: `DELETE FROM sessions WHERE expires_at < now() RETURNING id`,
  values: [],
});

export const recordLoginAttempt = (email: string, ip: string, succeeded: boolean): Sql => ({
  text: `INSERT INTO login_attempts (email, ip, succeeded) VALUES ($1, $2, $3)`,
  values: [email, ip, succeeded],
});

export const countRecentFailures = (email: string, ip: string, minutes: number): Sql => ({
  text: `SELECT
           count(*) FILTER (WHERE lower(email) = lower($1))::int AS by_email,
           count(*) FILTER (WHERE ip = $2)::int AS by_ip
           FROM login_attempts
          WHERE NOT succeeded AND at > now() - make_interval(mins => $3)
            AND (lower(email) = lower($1) OR ip = $2)`,
  values: [email, ip, minutes],
});

export const deleteOldLoginAttempts = (): Sql => ({
  text: `DELETE FROM login_attempts WHERE at < now() - interval '1 day' RETURNING id`,
  values: [],
});

export const findApiToken = (hash: string): Sql => ({
  text: `SELECT t.id AS token_id, u.id AS user_id, u.workspace_id, u.email, u.name, u.role, u.time_zone
           FROM api_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL`,
  values: [hash],
});

export const touchApiToken = (id: number): Sql => ({
  text: `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`,
  values: [id],
});

export const insertApiToken = (userId: number, name: string, hash: string): Sql => ({
  text: `INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id`,
  values: [userId, name, hash],
});
