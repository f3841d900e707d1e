import type { Request } from 'express';
import type { Role } from '../db/queries/users.js';
import { html, safeUrl, type Html } from './html.js';

interface NavItem {
  href: string;
  label: string;
  roles?: Role[];
}

// Grows as screens land; each item names the roles that may open it (admins see all).
const NAV: NavItem[] = [
  { href: '/', label: 'Home' },
  { href: '/queue', label: 'Queue' },
  { href: '/signals', label: 'Signals' },
  { href: '/replies', label: 'Replies' },
  { href: '/outbox', label: 'Outbox' },
  { href: '/schedule', label: 'Upcoming' },
  { href: '/dashboard', label: 'Dashboard', roles: ['manager', 'revops'] },
  { href: '/plays', label: 'Plays' },
  { href: '/accounts', label: 'Accounts' },
  { href: '/contacts', label: 'Contacts' },
  { href: '/imports', label: 'Imports', roles: ['revops'] },
  { href: '/mailboxes', label: 'Mailboxes' },
  { href: '/settings', label: 'Settings', roles: ['revops'] },
  { href: '/settings/crm', label: 'CRM', roles: ['revops'] },
  { href: '/users', label: 'Users', roles: ['revops'] },
  { href: '/tokens', label: 'API tokens' },
];

export function page(req: Request, title: string, body: Html, opts: { status?: number } = {}): string {
  const u = req.user;
  const nav = u
    ? NAV.filter((n) => !n.roles || u.role === 'admin' || n.roles.includes(u.role)).map(
        (n) =>
          html`<a href="${safeUrl(n.href)}" ${req.path === n.href ? html`aria-current="page"` : ''}>${n.label}</a>`,
      )
    : [];
  void opts;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Prospector</title>
        <link rel="stylesheet" href="/static/app.css" />
        ${req.csrfToken ? html`<meta name="csrf-token" content="${req.csrfToken}" />` : ''}
        <script src="/static/app.js" defer></script>
        <script src="/static/review.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/">Prospector</a>
          <nav aria-label="Main">${nav}</nav>
          ${
            u
              ? html`<form method="post" action="/logout" class="who">
                  <span>${u.email} · ${u.role}</span> <a href="/profile">Signature</a> <a href="/password">Password</a>
                  <input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" /><button type="submit">
                    Log out
                  </button>
                </form>`
              : ''
          }
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`.value;
}

export function csrfField(req: Request): Html {
  return html`<input type="hidden" name="_csrf" value="${req.csrfToken ?? ''}" />`;
}

export interface Paging {
  page: number;
  perPage: number;
  total: number;
}

export function pager(base: string, params: Record<string, string | undefined>, p: Paging): Html {
  const pages = Math.max(1, Math.ceil(p.total / p.perPage));
  const link = (n: number) => {
    const q = new URLSearchParams(
      Object.entries({ ...params, page: String(n) }).filter(([, v]) => v) as [string, string][],
    );
    return `${base}?${q}`;
  };
  if (p.page > pages)
    // Past the end (an old link, a typed page=999999): say so and link the last page, not page - 1.
    return html`<nav class="pager" aria-label="Pages">
      <span>There is no page ${p.page}: ${p.total} in all, on ${pages} page${pages === 1 ? '' : 's'}.</span>
      <a href="${safeUrl(link(pages))}" rel="prev">← Page ${pages}</a>
    </nav>`;
  return html`<nav class="pager" aria-label="Pages">
    ${p.page > 1 ? html`<a href="${safeUrl(link(p.page - 1))}" rel="prev">← Previous</a>` : ''}
    <span>Page ${p.page} of ${pages} · ${p.total} in all</span>
    ${p.page < pages ? html`<a href="${safeUrl(link(p.page + 1))}" rel="next">Next →</a>` : ''}
  </nav>`;
}

export function pageParams(
  q: Record<string, unknown>,
  perPage = 50,
): { page: number; perPage: number; offset: number } {
  const page = Math.max(1, Math.min(100_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
  return { page, perPage, offset: (page - 1) * perPage };
}

/** A JSON page of rows counted with `count(*) over ()`: the total is taken off the rows. */
export function pagedJson<T extends { total: number }>(p: { page: number; perPage: number }, rows: T[]) {
  return { page: p.page, perPage: p.perPage, total: rows[0]?.total ?? 0, items: rows.map(({ total: _t, ...x }) => x) };
}
