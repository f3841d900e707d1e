import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAudit } from '../../db/queries/audit.js';
import { countRecentFailures, recordLoginAttempt } from '../../db/queries/sessions.js';
import { findUserByEmail, markLogin, type UserRow } from '../../db/queries/users.js';
import { verifyPassword } from '../auth/passwords.js';
import { endSession, startSession } from '../auth/session.js';
import { html } from '../html.js';
import { page } from '../layout.js';

const LOGIN_CSRF_COOKIE = 'prospector_login';
export const LOGIN_LIMITS = { windowMinutes: 15, perEmail: 5, perIp: 30 };

const LoginForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1000),
  _csrf: z.string().min(1),
  next: z.string().optional(),
});

/** Only same-site paths: "/accounts?x" yes, "//evil.example" or "https://…" no. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

function loginPage(req: Request, token: string, opts: { error?: string; email?: string; next?: string } = {}) {
  return page(
    req,
    'Log in',
    html` ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_csrf" value="${token}" />
        <input type="hidden" name="next" value="${safeNext(opts.next)}" />
        <label
          >Email
          <input name="email" type="email" autocomplete="username" required autofocus value="${opts.email ?? ''}"
        /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Log in</button>
      </form>`,
  );
}

export function authRoutes(ctx: AppContext): Router {
  const r = Router();
  const secure = ctx.config.publicUrl.startsWith('https:');

  r.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, safeNext(req.query.next));
    const token = randomBytes(18).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/login' });
    res.type('html').send(loginPage(req, token, { next: String(req.query.next ?? '/') }));
  });

  r.post('/login', async (req, res) => {
    const parsed = LoginForm.safeParse(req.body ?? {});
    const cookieToken = String(req.cookies?.[LOGIN_CSRF_COOKIE] ?? '');
    const token = randomBytes(18).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/login' });
    const fail = (status: number, error: string, email?: string) =>
      res
        .status(status)
        .type('html')
        .send(loginPage(req, token, { error, email, next: parsed.data?.next }));
    if (!parsed.success) return fail(400, 'Enter your email and password.');
    const sent = Buffer.from(parsed.data._csrf),
      expected = Buffer.from(cookieToken);
    if (!cookieToken || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
      return fail(403, 'The login form expired. Please try again.', parsed.data.email);
    }
    const { email, password } = parsed.data;
    const ip = req.ip ?? '';
    const recent = await one<{ by_email: number; by_ip: number }>(
      ctx.db,
      countRecentFailures(email, ip, LOGIN_LIMITS.windowMinutes),
    );
    if ((recent?.by_email ?? 0) >= LOGIN_LIMITS.perEmail || (recent?.by_ip ?? 0) >= LOGIN_LIMITS.perIp) {
      res.setHeader('Retry-After', String(LOGIN_LIMITS.windowMinutes * 60));
      return fail(429, `Too many failed attempts. Wait ${LOGIN_LIMITS.windowMinutes} minutes and try again.`, email);
    }
    const user = await one<UserRow>(ctx.db, findUserByEmail(email));
    const ok = (await verifyPassword(password, user?.password_hash ?? null)) && !!user && !user.disabled_at;
    await run(ctx.db, recordLoginAttempt(email, ip, ok));
    if (!ok || !user) {
      ctx.log.info({ event: 'auth.login.failed', ip }, 'auth.login.failed');
      return fail(401, 'Wrong email or password.', email);
    }
    await startSession(ctx.db, req, res, user.id, secure);
    await run(ctx.db, markLogin(user.id));
    await run(ctx.db, insertAudit({ workspaceId: user.workspace_id, userId: user.id, action: 'auth.login', ip }));
    res.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    res.redirect(303, safeNext(parsed.data.next));
  });

  r.post('/logout', async (req, res) => {
    await endSession(ctx.db, req, res);
    res.redirect(303, '/login');
  });
  return r;
}
