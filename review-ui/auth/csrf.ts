// Synchronizer-token CSRF protection: every state-changing request made with a session cookie
// must carry the session's token in the `_csrf` form field or the `X-CSRF-Token` header.
// Requests authenticated by an API token carry no ambient credentials and are exempt.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function csrfProtection(req: Request, _res: Response, next: NextFunction) {
  if (SAFE.has(req.method) || req.authKind === 'token') return next();
  if (req.authKind !== 'session' || !req.csrfToken) return next(); // unauthenticated posts are refused by auth, or are public endpoints
  const sent = (req.body && typeof req.body === 'object' ? req.body._csrf : undefined) ?? req.get('x-csrf-token');
  if (typeof sent !== 'string' || !same(sent, req.csrfToken)) {
    return next(
      new AppError('CSRF', 'This form has expired or did not come from Prospector. Reload the page and try again.'),
    );
  }
  next();
}
