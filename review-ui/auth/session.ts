// Database-backed sessions. The cookie holds a random token; the table holds its sha256, so a
// leaked database does not hand out live sessions. Each session carries its CSRF token.
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { one, run, type Database } from '../../db/index.js';
import { deleteSession, findSessionUser, insertSession, type SessionUserRow } from '../../db/queries/sessions.js';
import type { Role } from '../../db/queries/users.js';
import { timed } from '../server-timing.js';

export const SESSION_COOKIE = 'prospector_session';
const TTL_HOURS = 24 * 14;

export interface CurrentUser {
  id: number;
  workspaceId: number;
  email: string;
  name: string;
  role: Role;
  timeZone: string;
  /** Logged in with a one-time password an admin set: only the change-password form is open. */
  mustChangePassword: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: CurrentUser;
    sessionId?: string;
    csrfToken?: string;
    /** How the request was authenticated: a browser session or an API token. */
    authKind?: 'session' | 'token';
    /** The API token's id when authKind is 'token'. */
    tokenId?: number;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function toCurrentUser(
  r: Pick<SessionUserRow, 'user_id' | 'workspace_id' | 'email' | 'name' | 'role' | 'time_zone'> &
    Partial<Pick<SessionUserRow, 'must_change_password'>>,
): CurrentUser {
  return {
    id: r.user_id,
    workspaceId: r.workspace_id,
    email: r.email,
    name: r.name,
    role: r.role,
    timeZone: r.time_zone,
    mustChangePassword: r.must_change_password ?? false,
  };
}

export function sessionMiddleware(db: Database) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = req.cookies?.[SESSION_COOKIE];
    if (typeof token === 'string' && token.length > 20) {
      const id = sha256(token);
      const row = await timed(res, 'session', one(db, findSessionUser(id)));
      if (row) {
        req.user = toCurrentUser(row);
        req.sessionId = id;
        req.csrfToken = row.csrf_token;
        req.authKind = 'session';
      }
    }
    next();
  };
}

export async function startSession(
  db: Database,
  req: Request,
  res: Response,
  userId: number,
  secureCookie: boolean,
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await run(
    db,
    insertSession({
      id: sha256(token),
      userId,
      csrfToken: randomBytes(24).toString('base64url'),
      ip: req.ip ?? '',
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
      ttlHours: TTL_HOURS,
    }),
  );
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookie,
    path: '/',
    maxAge: TTL_HOURS * 3600_000,
  });
}

export async function endSession(db: Database, req: Request, res: Response): Promise<void> {
  if (req.sessionId) await run(db, deleteSession(req.sessionId));
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}

export { sha256 };
