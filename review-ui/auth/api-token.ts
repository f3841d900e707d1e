// `Authorization: Bearer <token>` for the JSON API. Tokens are stored as sha256 hashes; a token
// past its expiry or revoked authenticates nothing, and a read-only token may only read.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { one, run, type Database } from '../../db/index.js';
import { findApiToken, insertApiToken, touchApiToken, type TokenScope } from '../../db/queries/sessions.js';
import { AppError } from '../../errors.js';
import { sha256, toCurrentUser } from './session.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function apiTokenMiddleware(db: Database) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return next(new AppError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"'));
    const row = await one(db, findApiToken(sha256(m[1]!)));
    if (!row) return next(new AppError('UNAUTHENTICATED', 'API token is unknown, expired or revoked'));
    if (row.scope === 'read' && !READ_METHODS.has(req.method))
      return next(new AppError('FORBIDDEN', 'This API token is read-only; create a full token to make changes.'));
    req.user = toCurrentUser(row);
    req.authKind = 'token';
    req.tokenId = row.token_id;
    await run(db, touchApiToken(row.token_id));
    next();
  };
}

/** Creates a token and returns it once; only its hash is kept. */
export async function createApiToken(
  db: Database,
  userId: number,
  name: string,
  opts: { scope?: TokenScope; expiresAt?: Date | null } = {},
): Promise<string> {
  const token = 'psk_' + randomBytes(24).toString('base64url');
  await run(db, insertApiToken(userId, name, sha256(token), opts));
  return token;
}
