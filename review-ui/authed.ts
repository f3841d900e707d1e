// Route handlers that need a signed-in user get it typed, instead of asserting `req.user!`.
// Without a user they answer as `requireUser` does: the login page for a browser, 401 for the rest.
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { requireUser } from './auth/roles.js';
import type { CurrentUser } from './auth/session.js';

/** A request known to carry its user (inside an `authed` handler, or passed on from one). */
export type AuthedRequest = Request & { user: CurrentUser };
export type AuthedHandler = (req: AuthedRequest, res: Response, user: CurrentUser, next: NextFunction) => unknown;

function authed(handler: AuthedHandler): RequestHandler {
  return (req, res, next) =>
    req.user ? handler(req as AuthedRequest, res, req.user, next) : requireUser(req, res, next);
}

interface AuthedRoute {
  (path: string, handler: AuthedHandler): void;
  (path: string, m1: RequestHandler, handler: AuthedHandler): void;
  (path: string, m1: RequestHandler, m2: RequestHandler, handler: AuthedHandler): void;
}

/** A Router whose route handlers (the last function of each route) are `authed`: `r.get(path, …, (req, res, user) => …)`. */
export function authedRouter() {
  const router = Router();
  const route =
    (method: 'get' | 'post' | 'put' | 'patch' | 'delete'): AuthedRoute =>
    (path: string, ...handlers: (RequestHandler | AuthedHandler)[]) => {
      const last = handlers.pop() as AuthedHandler;
      router[method](path, ...(handlers as RequestHandler[]), authed(last));
    };
  return {
    router,
    use: router.use.bind(router),
    get: route('get'),
    post: route('post'),
    put: route('put'),
    patch: route('patch'),
    delete: route('delete'),
  };
}
