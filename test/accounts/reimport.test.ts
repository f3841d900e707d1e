// Importing the same kind of sheet twice (issue 20): unmapped columns are left alone, empty cells
// keep or clear as chosen, a key twice in one file is a conflict, a row without a domain warns;
// the preview shows per row what will change, and the run does exactly that. Both backends.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createImport, processImport } from '../../accounts/import.js';
import type { AppContext } from '../../context.js';
import { one, type Database } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('CSV re-import', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let srv: { base: string; close(): Promise<void> };
  let ws: TestWorkspace;
  let db: Database;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    db = ctx.db;
    srv = await listen(ctx);
    ws = await buildWorkspace(db);
  });
  afterAll(async () => {
    await srv?.close();
    await ctx?.stop();
  });

  const importCsv = async (
    content: string,
    o: { emptyCells?: 'keep' | 'clear'; kind?: 'accounts' | 'contacts' } = {},
  ) =>
    (await processImport(
      db,
      (await createImport(db, { workspaceId: ws.id, kind: o.kind ?? 'accounts', content, emptyCells: o.emptyCells }))
        .id,
    ))!;
  const account = (domain: string) =>
    one<{ name: string; tags: string[]; country: string | null; time_zone: string | null }>(db, {
      text: 'SELECT name, tags, country, time_zone FROM accounts WHERE workspace_id = $1 AND domain = $2',
      values: [ws.id, domain],
    });

  it('a column not in the file leaves the field alone; an empty cell keeps, or clears when asked', async () => {
    await importCsv('name,domain,tags,country\nTagged Co,tagged.example,robotics;series-b,DE\n');
    // A sheet without the tags column: tags stay. An empty country cell keeps the country.
    const r = await importCsv('name,domain,country,time zone\nTagged Co,tagged.example,,Europe/Berlin\n');
    expect(r).toMatchObject({ created: 0, updated: 1, unchanged: 0, errors: [] });
    expect(await account('tagged.example')).toEqual({
      name: 'Tagged Co',
      tags: ['robotics', 'series-b'],
      country: 'DE',
      time_zone: 'Europe/Berlin',
    });
    expect(await importCsv('name,domain,country\nTagged Co,tagged.example,\n')).toMatchObject({ unchanged: 1 });
    await importCsv('name,domain,country\nTagged Co,tagged.example,\n', { emptyCells: 'clear' });
    expect(await account('tagged.example')).toMatchObject({ country: null, tags: ['robotics', 'series-b'] });
  });

  it('a domain twice in one file is a conflict on both rows and neither is imported; no domain warns', async () => {
    await importCsv('name,domain\nTwice Inc,twice.example\n');
    const r = await importCsv(
      'name,domain,country\nTwice Inc,twice.example,FR\nTwice Corp,https://www.twice.example/,US\nNo Domain Ltd,,GB\n',
    );
    expect(r.errors.map((e) => e.row)).toEqual([2, 3]);
    expect(r.errors[0]!.errors[0]).toContain('account twice.example is on rows 2, 3; none of them was imported');
    expect(await account('twice.example')).toMatchObject({ name: 'Twice Inc', country: null });
    expect(r).toMatchObject({ created: 1, updated: 0 });
    expect(r.warnings).toEqual([{ row: 4, message: expect.stringContaining('created without a domain') }]);
    const stored = await one<{ warnings: unknown[]; error_rows: number }>(db, {
      text: 'SELECT warnings, error_rows FROM imports WHERE id = $1',
      values: [r.importId],
    });
    expect(stored).toMatchObject({ error_rows: 2, warnings: [{ row: 4 }] });
    // The same email twice in a contacts file is a conflict as well.
    const c = await importCsv('email,first name\nsam@twice.example,Sam\nSAM@twice.example,Samuel\n', {
      kind: 'contacts',
    });
    expect(c.errors.map((e) => e.row)).toEqual([2, 3]);
    expect(c.created).toBe(0);
  });

  it('a contact re-import without a title column keeps the title; an empty name cell keeps the name', async () => {
    await importCsv('name,domain\nPeople Co,people.example\n');
    await importCsv(
      'email,first name,last name,title,account domain\nkim@people.example,Kim,Lee,CFO,people.example\n',
      {
        kind: 'contacts',
      },
    );
    const r = await importCsv('email,first name,last name\nkim@people.example,,Park\n', { kind: 'contacts' });
    expect(r).toMatchObject({ updated: 1, errors: [] });
    const c = await one(db, {
      text: `SELECT first_name, last_name, title, a.domain FROM contacts c JOIN accounts a ON a.id = c.account_id
              WHERE c.email = 'kim@people.example'`,
      values: [],
    });
    expect(c).toEqual({ first_name: 'Kim', last_name: 'Park', title: 'CFO', domain: 'people.example' });
  });

  it('the preview page shows per row what will change, the conflicts, and the keep/clear choice', async () => {
    await importCsv('name,domain,tags,country\nPreview Co,preview.example,alpha,SE\n');
    const revops = new Browserish(srv.base);
    await revops.login(ws.users.revops.email, ws.users.revops.password);
    const form = new FormData();
    form.set('_csrf', (await revops.page('/imports')).csrf!);
    form.set('kind', 'accounts');
    const csv = 'name,domain,tags,country\nPreview Co,preview.example,beta,\nDup,dup.example,,\nDup 2,dup.example,,\n';
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'again.csv');
    const up = await revops.fetch('/imports', { method: 'POST', body: form });
    const mapUrl = up.headers.get('location')!;
    const { html, csrf } = await revops.page(mapUrl);
    const row2 = /<tr class="" data-row="2">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(row2).toContain('will change');
    expect(row2).toContain('tags: alpha → beta');
    expect(row2).not.toContain('country'); // empty cell, "keep" is the default
    expect(html).toContain('value="keep" checked');
    expect(html).toMatch(/data-row="3">[\s\S]*?conflict[\s\S]*?account dup\.example is on rows 3, 4/);
    const cleared = await (
      await revops.post(mapUrl, {
        _csrf: csrf!,
        action: 'preview',
        map_name: 'name',
        map_domain: 'domain',
        map_tags: 'tags',
        map_country: 'country',
        empty_cells: 'clear',
      })
    ).text();
    expect(cleared).toContain('country: SE → (empty)');
    expect(cleared).toContain('value="clear" checked');
    // The preview wrote nothing.
    expect(await account('preview.example')).toMatchObject({ tags: ['alpha'], country: 'SE' });
  });
});
