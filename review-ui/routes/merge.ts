// Merge two accounts or two contacts (RevOps): a form naming both, a confirmation page showing
// both records and what moves, the merge itself (accounts/merge.ts), and redirects from a
// merged-away record's old links to the one kept.
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { mergedInto, type MergeKind } from '../../db/queries/merge.js';
import { clashMessage, mergeRecords, previewMerge, type MergePreview } from '../../accounts/merge.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedHandler } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { html, safeUrl } from '../html.js';
import { csrfField, page } from '../layout.js';

const KINDS: MergeKind[] = ['account', 'contact'];

const describe = (kind: MergeKind, r: Record<string, unknown>) =>
  kind === 'account'
    ? `#${String(r.id)} ${String(r.name)}${r.domain ? ` (${String(r.domain)})` : ''}`
    : `#${String(r.id)} ${`${String(r.first_name)} ${String(r.last_name)}`.trim()} <${String(r.email)}>`;

function mergePage(
  req: Request,
  kind: MergeKind,
  ids: { from?: number; into?: number },
  p?: MergePreview,
  error?: string,
) {
  const plural = `${kind}s`;
  return page(
    req,
    `Merge two ${plural}`,
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <form method="get" action="${safeUrl(`/merge/${kind}`)}" class="stack">
        <label
          >Merge away ${kind} # <input name="from" type="number" min="1" value="${ids.from ?? ''}" required
        /></label>
        <label
          >into ${kind} # (kept) <input name="into" type="number" min="1" value="${ids.into ?? ''}" required
        /></label>
        <button type="submit" class="secondary">Show what moves</button>
      </form>
      ${
        p
          ? html`<section class="card" aria-label="What the merge does">
              <h2>${describe(kind, p.from)} → ${describe(kind, p.into)}</h2>
              <p>
                ${describe(kind, p.into)} is kept. ${describe(kind, p.from)} is removed; its
                ${kind === 'account' ? 'domain and name become aliases' : 'address becomes an alias'} of the kept one,
                and its old links lead there.
              </p>
              <table>
                <thead>
                  <tr>
                    <th>Moves to the kept ${kind}</th>
                    <th>Rows</th>
                  </tr>
                </thead>
                <tbody>
                  ${Object.entries(p.moves).map(
                    ([k, n]) =>
                      html`<tr>
                        <td>${k}</td>
                        <td>${n}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${
                p.clashes.length
                  ? html`<p class="error" role="alert">${clashMessage(p)}</p>`
                  : html`<form method="post" action="${safeUrl(`/merge/${kind}`)}">
                      ${csrfField(req)}<input type="hidden" name="from" value="${String(p.from.id)}" /><input
                        type="hidden"
                        name="into"
                        value="${String(p.into.id)}"
                      />
                      <button type="submit">Merge</button>
                    </form>`
              }
            </section>`
          : ''
      }`,
  );
}

export function mergeRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const kindOf = (req: Request): MergeKind => {
    const k = KINDS.find((x) => x === req.params.kind);
    if (!k) throw new AppError('NOT_FOUND', 'There is no page here.');
    return k;
  };
  r.get('/merge/:kind', requireRole('revops'), async (req, res, user) => {
    const kind = kindOf(req);
    const ids = { from: intParam(req.query.from), into: intParam(req.query.into) };
    if (!ids.from || !ids.into) return res.type('html').send(mergePage(req, kind, ids));
    try {
      const p = await previewMerge(ctx.db, kind, user.workspaceId, ids.from, ids.into);
      res.type('html').send(mergePage(req, kind, ids, p));
    } catch (err) {
      if (!(err instanceof AppError) || !['VALIDATION', 'NOT_FOUND'].includes(err.code)) throw err;
      res
        .status(err.status)
        .type('html')
        .send(mergePage(req, kind, ids, undefined, err.message));
    }
  });
  r.post('/merge/:kind', requireRole('revops'), async (req, res, user) => {
    const kind = kindOf(req);
    const ids = { from: intParam(req.body?.from), into: intParam(req.body?.into) };
    if (!ids.from || !ids.into) throw new AppError('VALIDATION', `Name both ${kind}s.`);
    try {
      await mergeRecords(ctx.db, {
        kind,
        workspaceId: user.workspaceId,
        fromId: ids.from,
        intoId: ids.into,
        userId: user.id,
        ip: req.ip,
      });
    } catch (err) {
      if (!(err instanceof AppError) || !['VALIDATION', 'NOT_FOUND', 'CONFLICT'].includes(err.code)) throw err;
      return res
        .status(err.status)
        .type('html')
        .send(mergePage(req, kind, ids, undefined, err.message));
    }
    res.redirect(
      303,
      kind === 'account'
        ? `/accounts/${ids.into}/edit?merged=${ids.from}`
        : `/contacts/${ids.into}/edit?merged=${ids.from}`,
    );
  });
  // A merged-away record's old links: to the one kept.
  const follow =
    (kind: MergeKind): AuthedHandler =>
    async (req, res, user, next) => {
      const id = intParam(req.params.id);
      const to = id ? await one(ctx.db, mergedInto(user.workspaceId, kind, id)) : undefined;
      if (!to) return next();
      res.redirect(303, req.originalUrl.replace(`/${kind}s/${id}`, `/${kind}s/${to.id}`));
    };
  r.get('/accounts/:id/edit', follow('account'));
  r.get('/contacts/:id/edit', follow('contact'));
  return r.router;
}
