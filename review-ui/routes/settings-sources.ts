// RevOps: signal sources — list with last success, last error and next poll, add, change address,
// enable/disable (enabling starts afresh), "poll now" (queues a real poll at once) and
// "test now", which polls once through the signals registry and shows the parsed items
// without storing anything.
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findSource, listSources } from '../../db/queries/signal-sources.js';
import { Queues } from '../../agents/queues.js';
import { AppError } from '../../errors.js';
import { sourceRegistry } from '../../signals/registry.js';
import type { SourceKind } from '../../signals/types.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { answerRefused } from '../error-handler.js';
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
      await answerRefused(ctx.log, req, res, err, (refused) => list(req, { refused, form }));
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
      await answerRefused(ctx.log, req, res, err, async (why) =>
        list(req, { notReaddressed: await load(req), why, url }),
      );
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
