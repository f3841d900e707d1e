import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../../db/queries/users.js';
import { AppError } from '../../errors.js';

export function requireUser(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  // Browsers navigating ask for text/html and get the login page; scripts and scrapers get 401.
  const browser = (req.get('accept') ?? '').includes('text/html');
  if (!browser || req.originalUrl.startsWith('/api/')) {
    return next(new AppError('UNAUTHENTICATED', 'Log in or send an API token'));
  }
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
}

/** Admins may do everything; otherwise the user's role must be listed. */
export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) return next(new AppError('UNAUTHENTICATED', 'Log in first'));
    if (req.user.role === 'admin' || roles.includes(req.user.role)) return next();
    next(new AppError('FORBIDDEN', `This needs the ${roles.join(' or ')} role; you are ${req.user.role}.`));
  };
}
