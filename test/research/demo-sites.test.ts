import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { DOWN_SITE, JSON_LD_SITE, SCRIPTED_SITE } from '../../demo/sites.js';
import { DbPageCache } from '../../research/cache.js';
import { buildDossier } from '../../research/dossier.js';
import { researchDeps } from '../../research/store.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { listen } from '../support/web.js';

describeEachBackend('demo company sites', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
  });

  it('are not served without a demo workspace', async () => {
    const res = await fetch(`${web.base}/demo/sites/northwind-analytics.example/`, { redirect: 'manual' });
    expect(res.status).not.toBe(200);
  });

  it('are served in demo mode, and research reads them through the .example mapping', async () => {
    await ctx.db.query(`INSERT INTO workspaces (name, settings) VALUES ('demo', '{"demo": true}')`);
    // The app caches "is there a demo workspace" briefly; a fresh app sees the new one.
    await web.close();
    web = await listen(ctx);
    const home = await fetch(`${web.base}/demo/sites/northwind-analytics.example/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Northwind Analytics builds revenue analytics software');
    expect((await fetch(`${web.base}/demo/sites/${DOWN_SITE}/`)).status).toBe(503);
    expect((await fetch(`${web.base}/demo/sites/news.example/article`, { redirect: 'manual' })).status).toBe(404);

    // Only the app's own origin is let through on loopback: private fetches stay off.
    const config = { ...ctx.config, publicUrl: web.base, allowPrivateFetch: false };
    const deps = {
      ...researchDeps(config, undefined, new DbPageCache(ctx.db), { demo: true }, ctx.renderer),
      maxTotalMs: 30_000,
    };
    try {
      const northwind = await buildDossier(
        { domain: 'northwind-analytics.example', accountName: 'Northwind Analytics' },
        deps,
      );
      expect(northwind.errors).toEqual([]);
      expect(northwind.pages.map((p) => p.kind).sort()).toEqual(['about', 'careers', 'home', 'news', 'product']);
      expect(northwind.facts.find((f) => f.kind === 'hiring')!.sourceUrl).toBe(
        `${web.base}/demo/sites/northwind-analytics.example/careers`,
      );

      const kestrel = await buildDossier({ domain: SCRIPTED_SITE }, deps);
      expect(kestrel.stats.rendered).toBe(1);
      expect(kestrel.facts.some((f) => f.quote.startsWith('Kestrel Robotics designs warehouse robots'))).toBe(true);

      const lumen = await buildDossier({ domain: JSON_LD_SITE }, deps);
      expect(lumen.organization).toMatchObject({ name: 'Lumen Health GmbH', address: { locality: 'Berlin' } });
      expect(lumen.contactTimeZone).toBe('Europe/Berlin');

      const down = await buildDossier({ domain: DOWN_SITE }, deps);
      expect(down.errors).toEqual([
        expect.objectContaining({ reason: 'status', url: `${web.base}/demo/sites/${DOWN_SITE}/` }),
      ]);
    } finally {
      await deps.renderer?.close();
    }
  });
});
