// The app on a loopback port, and a small cookie-keeping client that can read CSRF tokens.
import type { Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import type { AppContext } from '../../context.js';
import type { Role } from '../../db/queries/users.js';
import { createApp } from '../../review-ui/app.js';
import { buildWorkspace, type TestWorkspace } from './builders.js';
import { createTestContext } from './context.js';
import type { TestDb } from './db.js';

export async function listen(ctx: AppContext): Promise<{ base: string; close(): Promise<void> }> {
  const app = createApp(ctx);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}

/** The API's error body: `{ error: { code, message } }`. */
export interface ApiError {
  error: { code: string; message: string };
}

/** One JSON request to the API with a bearer token: the status and the parsed body. */
export async function apiJson<T = unknown>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export class Browserish {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml');
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const k = pair!.slice(0, i),
        v = pair!.slice(i + 1);
      if (v === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return res;
  }

  /** GETs a page and returns its HTML and the first CSRF token in it. */
  async page(path: string): Promise<{ res: Response; html: string; csrf: string | undefined }> {
    const res = await this.fetch(path);
    const html = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html) ?? /name="csrf-token" content="([^"]+)"/.exec(html);
    return { res, html, csrf: m?.[1] };
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  async login(email: string, password: string): Promise<Response> {
    const { csrf } = await this.page('/login');
    return this.post('/login', { email, password, _csrf: csrf ?? '' });
  }
}

/** A client logged in to the app at `base` as this person. */
export async function loggedIn(base: string, user: { email: string; password: string }): Promise<Browserish> {
  const b = new Browserish(base);
  await b.login(user.email, user.password);
  return b;
}

/**
 * The usual web test setup inside a `describeEachBackend` block: a context on the block's
 * database, the app on loopback and a workspace with one user per role; closed after the block.
 */
export function useWebApp(get: () => TestDb, env: Record<string, string> = {}) {
  const s = {} as { ctx: AppContext & { stop(): Promise<void> }; base: string; ws: TestWorkspace };
  let web: Awaited<ReturnType<typeof listen>> | undefined;
  beforeAll(async () => {
    s.ctx = await createTestContext(get(), env);
    web = await listen(s.ctx);
    s.base = web.base;
    s.ws = await buildWorkspace(s.ctx.db);
  });
  afterAll(async () => {
    await web?.close();
    await s.ctx?.stop();
  });
  return s;
}

/** useWebApp with one person of the workspace logged in (`user`) and the CSRF token of the page `csrfFrom`. */
export function useLoggedInApp(get: () => TestDb, role: Role, csrfFrom: string, env: Record<string, string> = {}) {
  const s = useWebApp(get, env) as ReturnType<typeof useWebApp> & { user: Browserish; csrf: string };
  beforeAll(async () => {
    s.user = await loggedIn(s.base, s.ws.users[role]);
    s.csrf = (await s.user.page(csrfFrom)).csrf!;
  });
  return s;
}
