// Passwords (both backends): a user changes their own (current one required, other sessions end);
// an admin resets another's to a one-time password shown once, which must be changed before
// anything else works, and every session of that user ends.
import { expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../review-ui/auth/login-throttle.js';
import { addUser } from '../../review-ui/auth/users.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

describeEachBackend('Passwords', (get) => {
  const app = useWebApp(get);
  const newUser = async (email: string, role: 'rep' | 'manager' = 'rep') =>
    addUser(app.ctx.db, { workspaceId: app.ws.id, email, role });
  const loggedIn = async (email: string, password: string) => {
    const b = new Browserish(app.base);
    expect((await b.login(email, password)).status).toBe(303);
    return b;
  };
  const change = async (b: Browserish, form: { current: string; password: string; confirm?: string }) => {
    const { csrf } = await b.page('/password');
    return b.post('/password', { _csrf: csrf!, confirm: form.password, ...form });
  };
  const signedIn = async (b: Browserish) =>
    (await b.fetch('/api/me', { headers: { accept: 'application/json' } })).status;

  it('changes your own password: the current one is required, other sessions end, this one stays', async () => {
    const { user, password } = await newUser('change-own@example.test');
    const here = await loggedIn(user.email, password);
    const elsewhere = await loggedIn(user.email, password);

    const wrong = await change(here, { current: 'not-my-password', password: 'a brand new passphrase' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('The current password is wrong.');
    const short = await change(here, { current: password, password: 'short' });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 12 characters');
    const differ = await change(here, { current: password, password: 'a brand new passphrase', confirm: 'other' });
    expect(await differ.text()).toContain('differ');
    // Without the session's CSRF token the form is refused.
    expect(
      (await here.post('/password', { current: password, password: 'x'.repeat(20), confirm: 'x'.repeat(20) })).status,
    ).toBe(403);
    expect(await signedIn(elsewhere)).toBe(200);

    const ok = await change(here, { current: password, password: 'a brand new passphrase' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Password changed');
    expect(await signedIn(here)).toBe(200);
    expect(await signedIn(elsewhere)).toBe(401);

    expect((await new Browserish(app.base).login(user.email, password)).status).toBe(401);
    expect((await new Browserish(app.base).login(user.email, 'a brand new passphrase')).status).toBe(303);
  });

  it('an admin resets a password: shown once, uncached, sessions end, a change is forced before anything else', async () => {
    const { user, password } = await newUser('reset-me@example.test');
    const old = await loggedIn(user.email, password);
    expect(await signedIn(old)).toBe(200);

    // A rep cannot reset anyone's password; RevOps cannot reset an admin's.
    const rep = await loggedIn(app.ws.users.rep.email, app.ws.users.rep.password);
    const { csrf: repCsrf } = await rep.page('/password');
    expect((await rep.post(`/users/${user.id}/password`, { _csrf: repCsrf! })).status).toBe(403);
    const revops = await loggedIn(app.ws.users.revops.email, app.ws.users.revops.password);
    const { csrf: revCsrf } = await revops.page('/users');
    expect((await revops.post(`/users/${app.ws.users.admin.id}/password`, { _csrf: revCsrf! })).status).toBe(403);
    expect(await signedIn(old)).toBe(200);

    const admin = await loggedIn(app.ws.users.admin.email, app.ws.users.admin.password);
    const { html: usersPage, csrf } = await admin.page('/users');
    expect(usersPage).toContain(`action="/users/${user.id}/password"`);
    expect((await admin.post(`/users/${user.id}/password`, {})).status).toBe(403); // no CSRF token
    const reset = await admin.post(`/users/${user.id}/password`, { _csrf: csrf! });
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    const oneTime = /One-time password for [^:]+: <code>([^<]+)<\/code>/.exec(await reset.text())![1]!;
    expect(oneTime).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
    // Shown once: the users page does not show it again.
    expect((await admin.page('/users')).html).not.toContain(oneTime);

    expect(await signedIn(old)).toBe(401);
    expect((await new Browserish(app.base).login(user.email, password)).status).toBe(401);

    const fresh = await loggedIn(user.email, oneTime);
    const home = await fresh.fetch('/');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/password');
    expect((await fresh.fetch('/queue')).headers.get('location')).toBe('/password');
    const api = await fresh.fetch('/api/me', { headers: { accept: 'application/json' } });
    expect(api.status).toBe(403);
    expect((await api.json()).error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await fresh.fetch('/static/app.css')).status).toBe(200);
    const form = await fresh.page('/password');
    expect(form.res.status).toBe(200);
    expect(form.html).toContain('Your password was reset');

    const done = await change(fresh, { current: oneTime, password: 'my own long passphrase' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/');
    expect((await fresh.fetch('/')).status).toBe(200);
    expect(await signedIn(fresh)).toBe(200);
  });

  const newToken = async (b: Browserish) => {
    const { csrf } = await b.page('/tokens');
    const r = await b.fetch('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf! },
      body: JSON.stringify({ name: 'sync' }),
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { token: string }).token;
  };
  const byToken = async (token: string) =>
    (await fetch(`${app.base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('throttles wrong current passwords like logins: parallel guesses past the limit wait, even the right one', async () => {
    const { user, password } = await newUser('change-throttle@example.test');
    const b = await loggedIn(user.email, password);
    const { csrf } = await b.page('/password');
    const guess = (current: string) =>
      b.post('/password', {
        _csrf: csrf!,
        current,
        password: 'a brand new passphrase',
        confirm: 'a brand new passphrase',
      });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => guess(`wrong guess ${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((x) => x === 400)).toHaveLength(LOGIN_LIMITS.perAccount);
    expect(statuses.filter((x) => x === 429)).toHaveLength(12 - LOGIN_LIMITS.perAccount);
    const waited = answers.find((r) => r.status === 429)!;
    expect(Number(waited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await waited.text()).toContain('Too many wrong passwords');
    const right = await guess(password);
    expect(right.status).toBe(429);
    // Nothing changed, and the user's own login is not held back by the change form's key.
    expect((await new Browserish(app.base).login(user.email, password)).status).toBe(303);
  });

  it('a change revokes your API tokens and says so; a reset revokes them too', async () => {
    const { user, password } = await newUser('change-tokens@example.test');
    const b = await loggedIn(user.email, password);
    const token = await newToken(b);
    expect(await byToken(token)).toBe(200);
    const ok = await change(b, { current: password, password: 'a brand new passphrase' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/your API tokens are revoked\s+\(1\)/);
    expect(await byToken(token)).toBe(401);
    expect(await signedIn(b)).toBe(200);

    const second = await newToken(b);
    expect(await byToken(second)).toBe(200);
    const admin = await loggedIn(app.ws.users.admin.email, app.ws.users.admin.password);
    const { csrf } = await admin.page('/users');
    const reset = await admin.post(`/users/${user.id}/password`, { _csrf: csrf! });
    expect(await reset.text()).toMatch(/their API tokens are revoked\s+\(1\)/);
    expect(await byToken(second)).toBe(401);
  });

  it('logging out still works while a change is pending', async () => {
    const { user } = await newUser('logout-pending@example.test');
    const admin = await loggedIn(app.ws.users.admin.email, app.ws.users.admin.password);
    const { csrf } = await admin.page('/users');
    const text = await (await admin.post(`/users/${user.id}/password`, { _csrf: csrf! })).text();
    const oneTime = /<code>([^<]+)<\/code>/.exec(text)![1]!;
    const b = await loggedIn(user.email, oneTime);
    const { csrf: mine } = await b.page('/password');
    const out = await b.post('/logout', { _csrf: mine! });
    expect(out.headers.get('location')).toBe('/login');
    expect(await signedIn(b)).toBe(401);
  });
});
