// Merge two accounts or two contacts (RevOps): a form naming both, a confirmation page showing
// both records and what moves, the merge itself (accounts/merge.ts), and redirects from a
// merged-away record's old links to the one kept.
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { mergedInto, type MergeKind } from '../../db/queries/merge.js';
import { mergeRecords, previewMerge } from '../../accounts/merge.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedHandler } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { mergePage } from '../views/merge.js';

const KINDS: MergeKind[] = ['account', 'contact'];

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
