// CSV export over HTTP: who may export, formula-safe cells read back by a CSV parser, the content
// of each table, streaming a table larger than one page (chunked, every row once), and the audit.
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';
import { buildSequence } from '../sequencing/builders.js';

const HOSTILE = ['=HYPERLINK("http://evil.test","x")', '+1+1', '-2', '@SUM(A1)', '\tTabbed', '\rReturned'];

describeEachBackend('CSV export', (get) => {
  const app = useWebApp(get);
  const as = async (role: 'rep' | 'manager' | 'revops') => {
    const b = new Browserish(app.base);
    await b.login(app.ws.users[role].email, app.ws.users[role].password);
    return b;
  };
  const csv = async (b: Browserish, kind: string) => {
    const res = await b.fetch(`/export/${kind}.csv`);
    const text = await res.text();
    return { res, text, rows: parse(text.replace(/^\ufeff/, ''), { columns: true }) as Record<string, string>[] };
  };

  it('exports each table formula-safe, to RevOps and managers only, audited', async () => {
    const ws = app.ws.id;
    const q = async (text: string, values: unknown[]) => (await one<{ id: number }>(app.ctx.db, { text, values }))!;
    const accountIds: number[] = [];
    for (const [i, name] of HOSTILE.entries())
      accountIds.push(
        (
          await q(
            `INSERT INTO accounts (workspace_id, name, domain, tags, owner_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
            [ws, name, `hostile${i}.example`, ['a', '=cmd'], app.ws.users.rep.id],
          )
        ).id,
      );
    await q(
      `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title) ` +
        `VALUES ($1, $2, '=Dana', 'Q, "Jr"', 'dana@hostile0.example', '@CTO') RETURNING id`,
      [ws, accountIds[0]],
    );
    await q(
      `INSERT INTO signals (workspace_id, account_id, type, title, fingerprint, status) ` +
        `VALUES ($1, $2, 'funding', '+Raised 10M', 'exp-1', 'new') RETURNING id`,
      [ws, accountIds[1]],
    );
    const seq = await buildSequence(app.ctx.db, { workspaceId: ws, ownerId: app.ws.users.rep.id, status: 'active' });

    const rep = await as('rep');
    expect((await rep.fetch('/export/accounts.csv')).status).toBe(403);
    expect((await rep.page('/accounts')).html).not.toContain('/export/accounts.csv');

    const revops = await as('revops');
    expect((await revops.page('/accounts')).html).toContain('href="/export/accounts.csv"');
    expect((await revops.page('/signals')).html).toContain('href="/export/sequences.csv"');
    const accounts = await csv(revops, 'accounts');
    expect(accounts.res.status).toBe(200);
    expect(accounts.res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(accounts.res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="accounts-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const byDomain = new Map(accounts.rows.map((r) => [r.domain, r]));
    HOSTILE.forEach((name, i) => {
      const row = byDomain.get(`hostile${i}.example`)!;
      // Read back as text: the leading character is quoted away, the rest kept as it was.
      expect(row.name).toBe(`'${name}`);
      expect(row.tags).toBe('a; =cmd');
      expect(row.owner).toBe(app.ws.users.rep.email);
    });
    // No cell of the raw file starts with a formula character.
    for (const line of parse(accounts.text.replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][])
      for (const c of line) expect(c).not.toMatch(/^[=+\-@\t\r]/);

    const manager = await as('manager');
    const contacts = await csv(manager, 'contacts');
    const dana = contacts.rows.find((r) => r.email === 'dana@hostile0.example')!;
    expect(dana).toMatchObject({
      first_name: "'=Dana",
      last_name: 'Q, "Jr"',
      title: "'@CTO",
      account: `'${HOSTILE[0]}`,
    });
    const signals = await csv(manager, 'signals');
    expect(signals.rows.find((r) => r.title === "'+Raised 10M")).toMatchObject({ type: 'funding', status: 'new' });
    const sequences = await csv(manager, 'sequences');
    const s = sequences.rows.find((r) => Number(r.id) === seq.sequenceId)!;
    expect(s).toMatchObject({
      status: 'active',
      owner: app.ws.users.rep.email,
      steps: '3',
      steps_sent: '0',
      meeting_booked: 'false',
    });
    expect(s.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await manager.fetch('/export/users.csv')).status).toBe(404);

    const audit = await one<{ n: number }>(app.ctx.db, {
      text: `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action LIKE 'export.%'`,
      values: [ws],
    });
    expect(audit!.n).toBe(4);
  });

  it('streams a table larger than a page: chunked, each row once, in id order', async () => {
    await app.ctx.db.query(
      `INSERT INTO accounts (workspace_id, name, domain) SELECT $1, 'Bulk ' || g, 'bulk' || g || '.example' ` +
        `FROM generate_series(1, 2600) g`,
      [app.ws.id],
    );
    const revops = await as('revops');
    const out = await csv(revops, 'accounts');
    expect(out.res.headers.get('content-length')).toBeNull();
    expect(out.res.headers.get('transfer-encoding')).toBe('chunked');
    const bulk = out.rows.filter((r) => r.domain!.startsWith('bulk'));
    expect(bulk).toHaveLength(2600);
    expect(new Set(bulk.map((r) => r.id)).size).toBe(2600);
    const ids = out.rows.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
