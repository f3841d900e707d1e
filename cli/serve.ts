// Long-running modes: `start` (web + all agents), `web`, `worker`.
import type { Server } from 'node:http';
import { selectAgents } from '../agents/index.js';
import { Queues } from '../agents/queues.js';
import { startAgents, type RunningAgents } from '../agents/runtime.js';
import { installProcessGuard } from '../process-guard.js';
import { openContext } from './context.js';
import { adminHandler } from './admin.js';

interface ServeOptions {
  web: boolean;
  agents: string[] | 'all' | 'none';
  demo?: boolean;
  /** Human-readable log lines by default (the all-in-one `start`). */
  pretty?: boolean;
}

export async function serve(opts: ServeOptions): Promise<void> {
  // `start` is the newcomer's command, read at a terminal: short log lines unless LOG_FORMAT says json.
  const ctx = await openContext({ supervise: opts.agents !== 'none', logFormat: opts.pretty ? 'pretty' : 'json' });
  const { config, log } = ctx;
  installProcessGuard(log);
  let server: Server | undefined;
  let agents: RunningAgents | undefined;
  let stopping = false;

  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'process.stopping');
    const hardStop = setTimeout(() => process.exit(1), 40_000);
    hardStop.unref();
    try {
      if (server)
        await new Promise<void>((res) => {
          server!.close(() => res());
          server!.closeIdleConnections?.();
        });
      if (agents) await agents.stop();
      await ctx.stop();
      log.info('process.stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'process.stop.failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const lines: string[] = [];
  let demoSeeded = false;
  // The web app (express, every route and view) and the demo seed load only in the processes that
  // use them: a worker never does.
  if (opts.demo) {
    const { seedDemo, readDemoLogins } = await import('../demo/seed.js');
    const seeded = await seedDemo(ctx);
    demoSeeded = seeded === 'seeded';
    if (seeded === 'not-empty') lines.push('The database already has data of its own, so no demo workspace was added.');
    const logins = readDemoLogins(config.dataDir);
    if (logins)
      lines.push(
        'Demo logins (fictional workspace):',
        ...logins.map((l) => `  ${l.role.padEnd(8)} ${l.email}  ${l.password}`),
      );
  }
  if (opts.web) {
    const { bootstrapAdmin } = await import('../review-ui/auth/users.js');
    const admin = await bootstrapAdmin(ctx.db).catch(() => undefined);
    if (admin)
      lines.push(
        'First start: an admin was created. Log in once with these and keep them safe:',
        `  ${admin.email}  ${admin.password}`,
      );
  }
  if (opts.agents !== 'none') {
    agents = await startAgents(ctx, selectAgents(opts.agents === 'all' ? undefined : opts.agents));
  }
  if (opts.web) {
    const { createApp } = await import('../review-ui/app.js');
    const app = createApp(ctx);
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    lines.unshift(
      `Prospector is running at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}  ` +
        `(${ctx.db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'})`,
    );
  }
  // The demo's sources (served by this process's web app, listening by now) are due at once: a
  // tick now rather than at the next minute's cron, so a newcomer sees the first signals in
  // seconds. The cron keeps ticking as usual.
  if (demoSeeded && opts.web && agents) await ctx.boss.send(Queues.signalsTick.name, {});
  // CLI commands run next to this process go through it (the embedded database has one writer).
  ctx.dataDirLock?.serve(adminHandler(ctx));
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}
