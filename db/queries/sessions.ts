import type { Sql } from '../types.js';

export const insertSession = (s: {
  id: string;
  userId: number;
  csrfToken: string;
  ip: string;
  userAgent: string;
  ttlHours: number;
}): Sql<{ id: string }> => ({
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
  must_change_password: boolean;
}

/**
 * The session's user, and the session marked seen when it was last marked over a minute ago: one
 * round trip per request (the touch was a second statement on every page). Every request runs it,
 * so it is a named statement: parsed once per connection.
 */
export const findSessionUser = (id: string): Sql<SessionUserRow> => ({
  text: `WITH found AS (
           SELECT s.id AS session_id, s.csrf_token, u.id AS user_id, u.workspace_id, u.email, u.name, u.role,
                  u.time_zone, u.must_change_password
             FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = $1 AND s.expires_at > now() AND u.disabled_at IS NULL),
         touched AS (
           UPDATE sessions SET last_seen_at = now()
            WHERE id IN (SELECT session_id FROM found) AND last_seen_at < now() - interval '1 minute')
         SELECT * FROM found`,
  values: [id],
  name: 'prospector_find_session_user',
});

export const deleteSession = (id: string): Sql => ({ text: `DELETE FROM sessions WHERE id = $1`, values: [id] });

/** Ends every session of a user but `keepId` (the one that changed the password), or all of them. */
export const deleteUserSessions = (userId: number, keepId: string | null): Sql<{ id: string }> => ({
  text: `DELETE FROM sessions WHERE user_id = $1 AND ($2::text IS NULL OR id <> $2) RETURNING id`,
  values: [userId, keepId],
});

export const deleteExpiredSessions = (): Sql<{ id: string }> => ({
  text: `DELETE FROM sessions WHERE expires_at < now() RETURNING id`,
  values: [],
});

/** Serialises login decisions for one throttle key (an email, a device, an address) across processes. */
export const lockLoginKey = (key: string): Sql => ({
  text: `SELECT pg_advisory_xact_lock(hashtext('login:' || $1))`,
  values: [key],
});

/** An attempt is recorded as failed before the password is checked, then marked succeeded. */
export const insertLoginAttempt = (email: string, ip: string, device: string | null): Sql<{ id: number }> => ({
  text: `INSERT INTO login_attempts (email, ip, device, succeeded) VALUES ($1, $2, $3, false) RETURNING id`,
  values: [email, ip, device],
});

export const markLoginAttemptSucceeded = (id: number): Sql => ({
  text: `UPDATE login_attempts SET succeeded = true WHERE id = $1`,
  values: [id],
});

interface LoginFailuresRow {
  account_failures: number;
  account_since: number | null;
  ip_failures: number;
  ip_since: number | null;
}

/**
 * Recent failures on the account key — the device when the browser is a known one, else the
 * email from unknown browsers — and on the client address (when it is usable), with the seconds
 * since the latest of each.
 */
export const recentLoginFailures = (
  email: string,
  device: string | null,
  ip: string | null,
  minutes: number,
): Sql<LoginFailuresRow> => ({
  text: `WITH f AS (
           SELECT at,
                  CASE WHEN $2::text IS NULL THEN lower(email) = lower($1) AND device IS NULL ELSE device = $2 END AS acct,
                  ($3::text IS NOT NULL AND ip = $3 AND device IS NULL) AS by_ip
             FROM login_attempts
            WHERE NOT succeeded AND at > now() - make_interval(mins => $4)
              AND (lower(email) = lower($1) OR device = $2 OR ip = $3))
         SELECT count(*) FILTER (WHERE acct)::int AS account_failures,
                extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE acct))::float8 AS account_since,
                count(*) FILTER (WHERE by_ip)::int AS ip_failures,
                extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE by_ip))::float8 AS ip_since
           FROM f`,
  values: [email, device, ip, minutes],
});

export const deleteOldLoginAttempts = (): Sql<{ id: number }> => ({
  text: `DELETE FROM login_attempts WHERE at < now() - interval '1 day' RETURNING id`,
  values: [],
});

export const findApiToken = (hash: string): Sql<SessionUserRow & { token_id: number; scope: TokenScope }> => ({
  text: `SELECT t.id AS token_id, t.scope, u.id AS user_id, u.workspace_id, u.email, u.name, u.role, u.time_zone,
                u.must_change_password
           FROM api_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
            AND (t.expires_at IS NULL OR t.expires_at > now())`,
  values: [hash],
});

export const touchApiToken = (id: number): Sql => ({
  text: `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`,
  values: [id],
});

export type TokenScope = 'read' | 'full';

export const insertApiToken = (
  userId: number,
  name: string,
  hash: string,
  opts: { scope?: TokenScope; expiresAt?: Date | null } = {},
): Sql<{ id: number }> => ({
  text: `INSERT INTO api_tokens (user_id, name, token_hash, scope, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
  values: [userId, name, hash, opts.scope ?? 'full', opts.expiresAt ?? null],
});

export interface ApiTokenRow {
  id: number;
  name: string;
  scope: TokenScope;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** A user's tokens, newest first: never the hash. */
export const listApiTokens = (userId: number): Sql<ApiTokenRow> => ({
  text: `SELECT id, name, scope, created_at, last_used_at, expires_at, revoked_at
           FROM api_tokens WHERE user_id = $1 ORDER BY revoked_at IS NOT NULL, id DESC`,
  values: [userId],
});

export const revokeApiToken = (userId: number, id: number): Sql<{ id: number }> => ({
  text: `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = $1 AND id = $2 RETURNING id`,
  values: [userId, id],
});

/** Every live token of a user, revoked at once (their password changed or was reset). */
export const revokeUserApiTokens = (userId: number): Sql<{ id: number }> => ({
  text: `UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
  values: [userId],
});
