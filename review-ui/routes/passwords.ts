// Passwords: a user changes their own (current password required); an admin (or RevOps, for
// non-admins) resets another user's to a one-time password shown once. A reset ends all of that
// user's sessions, revokes their API tokens and forces a change at the next login; a change ends
// every other session and revokes the user's API tokens. Wrong current passwords are throttled
// like logins (auth/admit.ts), on a key of the user's own.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run, type Queryable } from '../../db/index.js';
import { deleteUserSessions, markLoginAttemptSucceeded, revokeUserApiTokens } from '../../db/queries/sessions.js';
import { findUser, setPassword } from '../../db/queries/users.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { auditRequest } from '../audit.js';
import type { CurrentUser } from '../auth/session.js';
import { admitPasswordCheck, waitText } from '../auth/admit.js';
import { generatePassword, hashPassword, newPasswordProblem, PASSWORD_MAX, verifyPassword } from '../auth/passwords.js';
import { requireRole } from '../auth/roles.js';
import { page } from '../layout.js';
import { changePasswordForm, passwordResetDone, type PasswordFormState } from '../views/access.js';

const CHANGE_PASSWORD_PATH = '/password';

/**
 * After requireUser: a user holding a one-time password reaches only the change form (logout and
 * static files are mounted earlier). Browsers are sent there; the API answers 403 with a code.
 */
export function passwordChangeGate(req: Request, res: Response, next: NextFunction) {
  if (!req.user?.mustChangePassword || req.path === CHANGE_PASSWORD_PATH) return next();
  const api =
    req.originalUrl.startsWith('/api/') || req.authKind === 'token' || req.accepts(['html', 'json']) === 'json';
  if (api || req.method !== 'GET')
    return next(new AppError('PASSWORD_CHANGE_REQUIRED', `Choose a new password at ${CHANGE_PASSWORD_PATH} first.`));
  res.redirect(303, CHANGE_PASSWORD_PATH);
}

const ChangeForm = z.object({
  current: z.string().max(PASSWORD_MAX),
  password: z.string(),
  confirm: z.string(),
});

const changeForm = (req: AuthedRequest, opts: PasswordFormState = {}) =>
  page(req, 'Change password', changePasswordForm(req, opts));

export function passwordRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const audit = (
    tx: Queryable,
    me: CurrentUser,
    action: string,
    userId: number,
    ended: { sessions: number; tokens: number },
  ) =>
    auditRequest(
      tx,
      me,
      action,
      { type: 'user', id: userId },
      { sessionsEnded: ended.sessions, tokensRevoked: ended.tokens },
    );
  /** Ends the user's sessions (but `keep`) and revokes every API token they hold. */
  const endAccess = async (tx: Queryable, userId: number, keep: string | null) => ({
    sessions: (await run(tx, deleteUserSessions(userId, keep))).length,
    tokens: (await run(tx, revokeUserApiTokens(userId))).length,
  });

  r.get(CHANGE_PASSWORD_PATH, (req, res) => {
    res.type('html').send(changeForm(req));
  });

  r.post(CHANGE_PASSWORD_PATH, async (req, res, user) => {
    // A token is not a person at a keyboard: it must not swap the password it cannot type.
    if (req.authKind !== 'session') throw new AppError('FORBIDDEN', 'Change your password from a browser session.');
    const parsed = ChangeForm.safeParse(req.body ?? {});
    const fail = (error: string) => res.status(400).type('html').send(changeForm(req, { error }));
    if (!parsed.success) return fail('Fill in all three fields.');
    const { current, password, confirm } = parsed.data;
    const me = (await one(ctx.db, findUser(user.workspaceId, user.id)))!;
    // Throttled like a login, on a key of this user's own: a stolen session cannot guess on.
    const admitted = await admitPasswordCheck(ctx, req, me.email, `password-change:${me.id}`, undefined);
    if (!admitted.allow) {
      res.setHeader('Retry-After', String(admitted.retryAfterSeconds));
      return res
        .status(429)
        .type('html')
        .send(
          changeForm(req, {
            error: `Too many wrong passwords. Wait ${waitText(admitted.retryAfterSeconds)} and try again.`,
          }),
        );
    }
    if (!(await verifyPassword(current, me.password_hash))) {
      ctx.log.info({ event: 'auth.password.change_refused', userId: me.id }, 'auth.password.change_refused');
      return fail('The current password is wrong.');
    }
    await run(ctx.db, markLoginAttemptSucceeded(admitted.attemptId));
    const problem = newPasswordProblem(password, { email: me.email, current });
    if (problem) return fail(problem);
    if (password !== confirm) return fail('The two new passwords differ.');
    const hash = await hashPassword(password);
    const ended = await ctx.db.transaction(async (tx) => {
      await run(tx, setPassword(me.id, hash, false));
      const gone = await endAccess(tx, me.id, req.sessionId ?? null);
      await audit(tx, user, 'user.password_changed', me.id, gone);
      return gone;
    });
    ctx.log.info(
      { event: 'auth.password.changed', userId: me.id, sessionsEnded: ended.sessions, tokensRevoked: ended.tokens },
      'auth.password.changed',
    );
    if (user.mustChangePassword) return res.redirect(303, '/');
    res.type('html').send(changeForm(req, { done: ended }));
  });

  r.post('/users/:id/password', requireRole('revops'), async (req, res, user) => {
    const id = Number.parseInt(String(req.params.id), 10) || 0;
    if (id === user.id) throw new AppError('VALIDATION', 'Change your own password on the password page.');
    const target = await one(ctx.db, findUser(user.workspaceId, id));
    if (!target) throw new AppError('NOT_FOUND', 'No such user.');
    if (target.role === 'admin' && user.role !== 'admin')
      throw new AppError('FORBIDDEN', "Only an admin can reset an admin's password.");
    const password = generatePassword();
    const hash = await hashPassword(password);
    const ended = await ctx.db.transaction(async (tx) => {
      await run(tx, setPassword(id, hash, true));
      const gone = await endAccess(tx, id, null);
      await audit(tx, user, 'user.password_reset', id, gone);
      return gone;
    });
    ctx.log.info(
      { event: 'auth.password.reset', userId: id, sessionsEnded: ended.sessions, tokensRevoked: ended.tokens },
      'auth.password.reset',
    );
    // Shown once: the page is never cached (Cache-Control: no-store on every page after static files).
    res.type('html').send(page(req, 'Password reset', passwordResetDone(target.email, password, ended)));
  });
  return r.router;
}
