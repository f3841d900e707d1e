// RevOps: signal sources — list with last success, last error and next poll, add, change address,
// enable/disable (enabling starts afresh), "poll now" (queues a real poll at once) and
// "test now", which polls once through the signals registry and shows the parsed items
// without storing anything.
import { Router, type Response } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findSource, listSources } from '../../db/queries/signal-sources.js';
import { Queues } from '../../agents/queues.js';
import { AppError } from '../../errors.js';
import { sourceRegistry } from '../../signals/registry.js';
import type { SourceKind } from '../../signals/types.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { logRejected } from '../error-handler.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { page } from '../layout.js';
import { changeSource, createSource, testSource } from '../source-actions.js';
import { sourcesPage, type SourceForm, type SourcesFlash } from '../views/sources.js';

export function settingsSourceRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use('/settings/sources', requireRole('revops'));
  const list = async (req: AuthedRequest, f?: SourcesFlash) =>
    page(req, 'Signal sources', sourcesPage(req, await run(ctx.db, listSources(req.user.workspaceId, 'enabled')), f));
  const load = async (req: AuthedRequest) => {
    const s = await one(ctx.db, findSource(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!s) throw new AppError('NOT_FOUND', 'No such source.');
    return s;
  };
  /** Refused input: the page again, 400, with the reason and what was typed; anything else goes on to the error handler. */
  const refusedPage = async (
    req: AuthedRequest,
    res: Response,
    err: unknown,
    flash: (why: string) => Promise<SourcesFlash>,
  ) => {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    logRejected(ctx.log, req, err);
    res
      .status(400)
      .type('html')
      .send(await list(req, await flash(err.message)));
  };

  r.get('/settings/sources', async (req, res) => {
    res.type('html').send(await list(req));
  });

  r.post('/settings/sources', async (req, res, user) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const field = (k: keyof SourceForm) => (typeof b[k] === 'string' ? b[k] : '');
    const form: SourceForm = {
      kind: field('kind'),
      name: field('name'),
      url: field('url'),
      pollIntervalMinutes: field('pollIntervalMinutes'),
      config: field('config'),
    };
    try {
      const { source, secret } = await createSource(ctx, req, user.workspaceId, b);
      res.type('html').send(await list(req, { added: source, secret }));
    } catch (err) {
      await refusedPage(req, res, err, async (refused) => ({ refused, form }));
    }
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    r.post(`/settings/sources/:id/${action}`, async (req, res, user) => {
      await changeSource(ctx, req, user.workspaceId, intParam(req.params.id) ?? 0, { enabled });
      res.redirect(303, '/settings/sources');
    });
  }

  r.post('/settings/sources/:id/address', async (req, res, user) => {
    const url = typeof req.body?.url === 'string' ? (req.body.url as string) : '';
    try {
      const row = await changeSource(ctx, req, user.workspaceId, intParam(req.params.id) ?? 0, { url });
      res.type('html').send(await list(req, { readdressed: row }));
    } catch (err) {
      await refusedPage(req, res, err, async (why) => ({ notReaddressed: await load(req), why, url }));
    }
  });

  r.post('/settings/sources/:id/poll', async (req, res) => {
    const s = await load(req);
    if (!s.enabled) throw new AppError('STATE', 'Enable the source first.');
    if (!sourceRegistry[s.kind as SourceKind]?.polled)
      throw new AppError('STATE', 'This source is pushed to us, not polled.');
    // The same job the tick queues; singleton so a double click polls once.
    await ctx.boss.send(
      Queues.pollSource.name,
      { sourceId: s.id },
      { singletonKey: `source:${s.id}`, singletonSeconds: 60 },
    );
    res.type('html').send(await list(req, { polling: s }));
  });

  r.post('/settings/sources/:id/test', async (req, res) => {
    const s = await load(req);
    res.type('html').send(await list(req, { tested: s, result: await testSource(ctx, s) }));
  });
  return r.router;
}
