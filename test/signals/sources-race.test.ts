// Two people adding the same address at the same moment (a double click, the page and the API, two
// CLI runs): the duplicate check and the insert run in one transaction under a lock on the address,
// so exactly one source is stored and every other add gets the duplicate refusal. Moving two sources
// onto one free address at once is refused the same way.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { changeSource, createSource } from '../../review-ui/source-actions.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';

// PGlite runs one transaction at a time; there the test shows the lock is taken and released.
describeEachBackend('the same address added twice at once', (get) => {
  let ctx: Awaited<ReturnType<typeof createTestContext>>;
  let ws: TestWorkspace;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    ws = await buildWorkspace(ctx.db);
    // Every pooled connection open before the race, so the adds run side by side instead of one
    // finishing while the next waits for its connection.
    await Promise.all(Array.from({ length: 4 }, () => run(ctx.db, { text: 'SELECT pg_sleep(0.05)', values: [] })));
  });
  afterAll(async () => ctx?.stop());
  const who = () => ({ workspaceId: ws.id, id: ws.users.revops.id });
  const atAddress = async (url: string) =>
    run<{ id: number; name: string }>(ctx.db, {
      text: 'SELECT id, name FROM signal_sources WHERE workspace_id = $1 AND url = $2 ORDER BY id',
      values: [ws.id, url],
    });
  const refusals = (settled: PromiseSettledResult<unknown>[]) =>
    settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => [(s.reason as AppError).code, (s.reason as Error).message]);

  it('stores one source; the others are refused as duplicates', async () => {
    const url = 'https://feeds.example/race.xml';
    const settled = await Promise.allSettled(
      ['One', 'Two', 'Three', 'Four'].map((name) => createSource(ctx, who(), ws.id, { kind: 'feed', name, url })),
    );
    const stored = await atAddress(url);
    expect(stored).toHaveLength(1);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const words = `A feed with this address already exists: ${stored[0]!.name}`;
    expect(refusals(settled)).toEqual([
      ['VALIDATION', words],
      ['VALIDATION', words],
      ['VALIDATION', words],
    ]);
    // The refused adds left no audit row behind.
    const audited = await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'source.created'`,
      values: [ws.id],
    });
    expect(audited!.n).toBe(1);
  });

  it('moves one of two sources onto a free address; the other is refused', async () => {
    const a = await createSource(ctx, who(), ws.id, { kind: 'feed', name: 'A', url: 'https://feeds.example/a.xml' });
    const b = await createSource(ctx, who(), ws.id, { kind: 'feed', name: 'B', url: 'https://feeds.example/b.xml' });
    const url = 'https://feeds.example/moved.xml';
    const settled = await Promise.allSettled([a, b].map((s) => changeSource(ctx, who(), ws.id, s.source.id, { url })));
    expect(await atAddress(url)).toHaveLength(1);
    expect(refusals(settled)).toEqual([['VALIDATION', expect.stringContaining('with this address already exists')]]);
  });
});
