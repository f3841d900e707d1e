// Merging accounts and contacts over HTTP: the confirmation page's counts, every kind of history
// moved (contacts, signals, sequences, dossiers with their facts, messages, events), aliases and
// the stricter opt-out kept, old links redirected, the merge audited; refused with a clear error
// when both sides have live sequences to one person, and then nothing moved; RevOps only, CSRF.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';
import { buildSequence } from '../sequencing/builders.js';

/** Markup with whitespace between tags dropped and other runs as one space (the formatter wraps html`` templates). */
const flat = (html: string) => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ');

describeEachBackend('merging accounts and contacts', (get) => {
  const app = useWebApp(get);
  const q = async (text: string, values: unknown[] = []) =>
    (await one<Record<string, any>>(app.ctx.db, { text, values }))!;
  const count = async (text: string, values: unknown[]) => Number((await q(text, values)).n);
  const revops = async () => {
    const b = new Browserish(app.base);
    await b.login(app.ws.users.revops.email, app.ws.users.revops.password);
    return b;
  };
  const seq = (status: string) =>
    buildSequence(app.ctx.db, { workspaceId: app.ws.id, ownerId: app.ws.users.rep.id, status });

  it('merges an account with its history after a confirmation page; old links redirect', async () => {
    const kept = await seq('active');
    const gone = await seq('completed');
    const ws = app.ws.id;
    await q(`UPDATE accounts SET tags = '{old}', notes = 'Bought us once' WHERE id = $1`, [gone.accountId]);
    const signal = await q(
      `INSERT INTO signals (workspace_id, account_id, type, title, fingerprint) VALUES ($1, $2, 'funding', 'Raised', $3) RETURNING id`,
      [ws, gone.accountId, `m-${gone.accountId}`],
    );
    const dossier = await q(
      `INSERT INTO dossiers (workspace_id, signal_id, account_id, contact_id) VALUES ($1, $2, $3, $4) RETURNING id`,
      [ws, signal.id, gone.accountId, gone.contactId],
    );
    await q(
      `INSERT INTO facts (dossier_id, kind, text, source_url, quote, fetched_at) ` +
        `VALUES ($1, 'k', 't', 'https://x.test', 'q', now()) RETURNING id`,
      [dossier.id],
    );
    await q(
      `INSERT INTO events (workspace_id, type, sequence_id, account_id, contact_id) VALUES ($1, 'sent', $2, $3, $4) RETURNING id`,
      [ws, gone.sequenceId, gone.accountId, gone.contactId],
    );
    const goneAccount = await q(`SELECT name, domain FROM accounts WHERE id = $1`, [gone.accountId]);

    const rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    expect((await rep.fetch(`/merge/account?from=${gone.accountId}&into=${kept.accountId}`)).status).toBe(403);

    const b = await revops();
    expect((await b.page('/accounts')).html).toContain('href="/merge/account"');
    const preview = await b.page(`/merge/account?from=${gone.accountId}&into=${kept.accountId}`);
    expect(preview.res.status).toBe(200);
    expect(flat(preview.html)).toMatch(/<td>contacts<\/td><td>1<\/td>/);
    expect(flat(preview.html)).toMatch(/<td>signals<\/td><td>1<\/td>/);
    expect(flat(preview.html)).toMatch(/<td>facts<\/td><td>1<\/td>/);
    expect(flat(preview.html)).toMatch(/<td>events<\/td><td>1<\/td>/);
    expect(
      (await b.post('/merge/account', { from: String(gone.accountId), into: String(kept.accountId) })).status,
    ).toBe(403);
    const done = await b.post('/merge/account', {
      from: String(gone.accountId),
      into: String(kept.accountId),
      _csrf: preview.csrf!,
    });
    expect(done.status).toBe(303);

    expect(await count(`SELECT count(*) AS n FROM accounts WHERE id = $1`, [gone.accountId])).toBe(0);
    for (const t of ['contacts', 'signals', 'sequences', 'dossiers', 'events'])
      expect(
        await count(`SELECT count(*) AS n FROM ${t} WHERE account_id = $1`, [kept.accountId]),
      ).toBeGreaterThanOrEqual(t === 'contacts' || t === 'sequences' ? 2 : 1);
    const k = await q(`SELECT aliases, tags, notes FROM accounts WHERE id = $1`, [kept.accountId]);
    expect(k.aliases).toEqual(expect.arrayContaining([goneAccount.domain, goneAccount.name]));
    expect(k.tags).toEqual(['old']);
    expect(k.notes).toBe('Bought us once');
    expect(
      await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'account.merged' AND entity_id = $1`, [
        String(kept.accountId),
      ]),
    ).toBe(1);
    const old = await b.fetch(`/accounts/${gone.accountId}/edit`);
    expect(old.status).toBe(303);
    expect(old.headers.get('location')).toBe(`/accounts/${kept.accountId}/edit`);
  });

  it('refuses accounts with live sequences to one person, and contacts both in live sequences; nothing moves', async () => {
    const x = await seq('active');
    const y = await seq('pending_review');
    // One person in a live sequence from each account.
    const s2 = await q(
      `INSERT INTO sequences (workspace_id, account_id, contact_id, owner_id, status) VALUES ($1, $2, $3, $4, 'active') RETURNING id`,
      [app.ws.id, y.accountId, x.contactId, app.ws.users.rep.id],
    );
    const b = await revops();
    const preview = await b.page(`/merge/account?from=${y.accountId}&into=${x.accountId}`);
    expect(flat(preview.html)).toContain('cannot be merged: both have live sequences to dana@');
    expect(flat(preview.html)).not.toContain('>Merge</button>');
    const refused = await b.post('/merge/account', {
      from: String(y.accountId),
      into: String(x.accountId),
      _csrf: preview.csrf!,
    });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('Stop or finish one of them first');
    expect(await count(`SELECT count(*) AS n FROM accounts WHERE id = $1`, [y.accountId])).toBe(1);
    expect((await q(`SELECT account_id FROM sequences WHERE id = $1`, [s2.id])).account_id).toBe(y.accountId);

    const c = await b.page(`/merge/contact?from=${y.contactId}&into=${x.contactId}`);
    const refusedC = await b.post('/merge/contact', {
      from: String(y.contactId),
      into: String(x.contactId),
      _csrf: c.csrf!,
    });
    expect(refusedC.status).toBe(409);
    expect(await count(`SELECT count(*) AS n FROM contacts WHERE id = $1`, [y.contactId])).toBe(1);
  });

  it('merges a contact: messages, events, signals and sequences move; the opt-out and the address are kept', async () => {
    const kept = await seq('active');
    const gone = await seq('stopped');
    const ws = app.ws.id;
    await q(`UPDATE contacts SET status = 'unsubscribed', status_reason = 'asked', title = 'CTO' WHERE id = $1`, [
      gone.contactId,
    ]);
    await q(`UPDATE contacts SET title = '' WHERE id = $1`, [kept.contactId]);
    const goneEmail = (await q(`SELECT email FROM contacts WHERE id = $1`, [gone.contactId])).email as string;
    await q(
      `INSERT INTO messages (workspace_id, sequence_id, contact_id, direction, from_addr, subject) ` +
        `VALUES ($1, $2, $3, 'in', $4, 'hi') RETURNING id`,
      [ws, gone.sequenceId, gone.contactId, goneEmail],
    );
    await q(`INSERT INTO events (workspace_id, type, contact_id) VALUES ($1, 'unsubscribe', $2) RETURNING id`, [
      ws,
      gone.contactId,
    ]);
    const sig = await q(
      `INSERT INTO signals (workspace_id, contact_id, type, title, fingerprint, target_contact_ids) ` +
        `VALUES ($1, $2, 'job_change', 'Moved', $3, $4) RETURNING id`,
      [ws, gone.contactId, `c-${gone.contactId}`, [gone.contactId]],
    );
    const b = await revops();
    const preview = await b.page(`/merge/contact?from=${gone.contactId}&into=${kept.contactId}`);
    expect(flat(preview.html)).toMatch(/<td>messages<\/td><td>1<\/td>/);
    expect(
      (
        await b.post('/merge/contact', {
          from: String(gone.contactId),
          into: String(kept.contactId),
          _csrf: preview.csrf!,
        })
      ).status,
    ).toBe(303);
    expect(await count(`SELECT count(*) AS n FROM contacts WHERE id = $1`, [gone.contactId])).toBe(0);
    const k = await q(`SELECT status, status_reason, title, aliases FROM contacts WHERE id = $1`, [kept.contactId]);
    expect(k).toMatchObject({ status: 'unsubscribed', status_reason: 'asked', title: 'CTO', aliases: [goneEmail] });
    expect(await count(`SELECT count(*) AS n FROM messages WHERE contact_id = $1`, [kept.contactId])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM events WHERE contact_id = $1`, [kept.contactId])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM sequences WHERE contact_id = $1`, [kept.contactId])).toBe(2);
    const s = (
      await run<{ contact_id: number; target_contact_ids: number[] }>(app.ctx.db, {
        text: `SELECT contact_id, target_contact_ids FROM signals WHERE id = $1`,
        values: [sig.id],
      })
    )[0]!;
    expect(s).toEqual({ contact_id: kept.contactId, target_contact_ids: [kept.contactId] });
    const old = await b.fetch(`/contacts/${gone.contactId}/edit`);
    expect(old.headers.get('location')).toBe(`/contacts/${kept.contactId}/edit`);
  });
});
