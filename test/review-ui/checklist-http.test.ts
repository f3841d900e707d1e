// The first-run checklist on the admin's home: each step ticks itself off from real data (a
// sending mailbox, accounts, a source, a rep, the playbook); gone when all are done; only admins.
import { expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { insertWorkspace } from '../../db/queries/workspaces.js';
import { addUser } from '../../review-ui/auth/users.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

describeEachBackend('first-run checklist', (get) => {
  const app = useWebApp(get);

  it('ticks off each step from the data and disappears when all are done', async () => {
    const db = app.ctx.db;
    const ws = (await one(db, insertWorkspace(`fresh-${Date.now()}`)))!.id;
    const email = `admin-fresh-${Date.now()}@test.example`;
    const { password } = await addUser(db, { workspaceId: ws, email, role: 'admin', name: 'A' });
    const b = new Browserish(app.base);
    await b.login(email, password);
    const done = async () => {
      const h = (await b.page('/')).html;
      const items = [...h.matchAll(/<li data-done="(true|false)">/g)].map((m) => m[1] === 'true');
      return { h, items };
    };
    let s = await done();
    expect(s.h).toContain('Getting started: 5 of 5 left');
    expect(s.items).toEqual([false, false, false, false, false]);
    expect(s.h).toContain('href="/mailboxes"');

    // A local outbox is not a mailbox that sends.
    await db.query(
      `INSERT INTO mailboxes (workspace_id, kind, from_name, from_email) VALUES ($1, 'outbox', 'x', 'x@x.test')`,
      [ws],
    );
    expect((await done()).items[0]).toBe(false);
    await db.query(
      `INSERT INTO mailboxes (workspace_id, kind, from_name, from_email, smtp_host) VALUES ($1, 'smtp', 'x', 'y@x.test', 'mail.x.test')`,
      [ws],
    );
    await db.query(`INSERT INTO accounts (workspace_id, name, domain) VALUES ($1, 'Acme', 'acme-fresh.test')`, [ws]);
    s = await done();
    expect(s.items).toEqual([true, true, false, false, false]);
    expect(s.h).toContain('Getting started: 3 of 5 left');

    await db.query(
      `INSERT INTO signal_sources (workspace_id, kind, name, url) VALUES ($1, 'rss', 'Feed', 'https://feed.test/rss')`,
      [ws],
    );
    await addUser(db, { workspaceId: ws, email: `rep-fresh-${Date.now()}@test.example`, role: 'rep', name: 'R' });
    expect((await done()).items).toEqual([true, true, true, true, false]);

    // Others do not see it.
    const rep = new Browserish(app.base);
    await rep.login(app.ws.users.revops.email, app.ws.users.revops.password);
    expect((await rep.page('/')).html).not.toContain('Getting started');

    await db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
      ws,
      JSON.stringify({ playbook: { company: 'Fresh Co' } }),
    ]);
    s = await done();
    expect(s.h).not.toContain('Getting started');
    expect(s.items).toEqual([]);
  });
});
