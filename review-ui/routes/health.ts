import { Router, type NextFunction, type Request, type Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { queueNames } from '../../agents/queues.js';
import type { AppContext } from '../../context.js';
import { run } from '../../db/index.js';
import { ping } from '../../db/queries/maintenance.js';
import { processFaults } from '../../process-guard.js';
import { requireRole, requireUser } from '../auth/roles.js';

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(t);
  }
}

export function createMetrics(ctx: AppContext) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'prospector_' });
  const requests = new Counter({
    name: 'prospector_http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'prospector_http_request_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    registers: [registry],
    buckets: [0.01, 0.05, 0.1, 0.3, 1, 3],
  });
  new Gauge({
    name: 'prospector_queue_jobs',
    help: 'Jobs waiting per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const q of queueNames) this.set({ queue: q }, await ctx.boss.getQueueSize(q).catch(() => -1));
    },
  });
  new Counter({
    name: 'prospector_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (logged as process.unhandled_rejection); the process kept going',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(processFaults.unhandledRejections);
    },
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => {
      // Route patterns, not raw paths, keep label cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ route });
    });
    next();
  };
  return { registry, middleware };
}

export function healthRoutes(ctx: AppContext, registry: Registry): Router {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await withTimeout(run(ctx.db, ping()), 3000);
      checks.database = 'ok';
    } catch (err) {
      checks.database = `error: ${(err as Error).message}`;
    }
    try {
      await withTimeout(ctx.boss.getQueueSize(queueNames[0]!), 3000);
      checks.queue = 'ok';
    } catch (err) {
      checks.queue = `error: ${(err as Error).message}`;
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ ok, backend: ctx.db.kind, ...checks });
  });
  // Scrapers authenticate with an API token of a manager or admin.
  r.get('/metrics', requireUser, requireRole('manager'), async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return r;
}
