import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { markLoginAttemptSucceeded } from '../../db/queries/sessions.js';
import { findUserByEmail, markLogin } from '../../db/queries/users.js';
import { DEVICE_COOKIE, DEVICE_MAX_AGE_MS, knownDevice, newDeviceCookie, throttleAddress } from '../auth/device.js';
import { admitPasswordCheck, waitText } from '../auth/admit.js';
import { verifyPassword } from '../auth/passwords.js';
import { endSession, startSession } from '../auth/session.js';
import { auditRequest } from '../audit.js';
import { page } from '../layout.js';
import { loginForm } from '../views/auth.js';

const LOGIN_CSRF_COOKIE = 'prospector_login';

/** The login's throttle keys: its known browser, else the email; and the client's own address. */
async function admitLogin(ctx: AppContext, req: Request, email: string) {
  const device = knownDevice(ctx.config.appSecret, req.cookies?.[DEVICE_COOKIE], email);
  const verdict = await admitPasswordCheck(ctx, req, email, device, throttleAddress(req, ctx.config.trustProxy));
  return verdict.allow ? { ...verdict, device } : verdict;
}

const LoginForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1000),
  _csrf: z.string().min(1),
  next: z.string().optional(),
});

/** Only same-site paths: "/accounts?x" yes, "//evil.example" or "https://…" no. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

function loginPage(req: Request, token: string, opts: { error?: string; email?: string; next?: string } = {}) {
  return page(req, 'Log in', loginForm({ token, error: opts.error, email: opts.email, next: safeNext(opts.next) }));
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
    const verdict = await admitLogin(ctx, req, email);
    if (!verdict.allow) {
      res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
      return fail(
        429,
        `Too many failed attempts for this email. Wait ${waitText(verdict.retryAfterSeconds)} and try again.`,
        email,
      );
    }
    const user = await one(ctx.db, findUserByEmail(email));
    const ok = (await verifyPassword(password, user?.password_hash ?? null)) && !!user && !user.disabled_at;
    if (!ok || !user) {
      ctx.log.info({ event: 'auth.login.failed', ip: req.ip }, 'auth.login.failed');
      return fail(401, 'Wrong email or password.', email);
    }
    await run(ctx.db, markLoginAttemptSucceeded(verdict.attemptId));
    res.cookie(
      DEVICE_COOKIE,
      verdict.device ? req.cookies[DEVICE_COOKIE] : newDeviceCookie(ctx.config.appSecret, email),
      {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/login',
        maxAge: DEVICE_MAX_AGE_MS,
      },
    );
    const ip = req.ip ?? '';
    await startSession(ctx.db, req, res, user.id, secure);
    await run(ctx.db, markLogin(user.id));
    await auditRequest(ctx.db, { workspaceId: user.workspace_id, id: user.id, ip }, 'auth.login');
    res.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    res.redirect(303, safeNext(parsed.data.next));
  });

  r.post('/logout', async (req, res) => {
    await endSession(ctx.db, req, res);
    res.redirect(303, '/login');
  });
  return r;
}
