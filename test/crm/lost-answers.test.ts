// Lost answers on CRM writes, on both backends, against the fakes and the real clients:
// - HubSpot, for real over the wire: the fake creates the email then stays silent past the client's
//   timeout (HUBSPOT_TIMEOUT_MS=1000), the call fails with its outcome unknown, and HubSpot's search
//   index does not show the new email yet. The retry waits out the index lag (the provider's
//   lookupLagMs) instead of looking too early and creating the email a second time; once the index
//   shows it, the lookup finds it and the row is done with HubSpot's id, nothing written twice.
// - Salesforce: the Task is committed and the answer lost (503 after the commit), then a person
//   deletes it in Salesforce before our retry. The lookup reads the recycle bin too (queryAll), finds
//   it, and the row is done with its id: what a person deleted there is not written back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningContext } from '../../context.js';
import { connectWithToken, openCrm, saveConnection } from '../../crm/connection.js';
import { flushOutbox, collectOutbound } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-salesforce.js';

const SECOND = 1000;

describeEachBackend('CRM writes whose answer is lost: looked up, not redone', (get) => {
  let ctx: RunningContext;
  let hs: FakeHubSpot;
  let sf: FakeSalesforce;

  beforeAll(async () => {
    hs = await startFakeHubSpot();
    sf = await startFakeSalesforce();
    ctx = await createTestContext(get(), { HUBSPOT_API_URL: hs.url, HUBSPOT_TIMEOUT_MS: '1000', ...sf.env });
  });
  afterAll(async () => {
    await ctx?.stop();
    await hs?.close();
    await sf?.close();
  });

  /** A sent email to a contact the CRM knows, queued in the outbox. */
  async function queuedEmail(ws: TestWorkspace, email: string, subject: string) {
    const contact = (await one<{ id: number }>(ctx.db, {
      text: `SELECT id::int AS id FROM contacts WHERE workspace_id = $1 AND email = $2`,
      values: [ws.id, email],
    }))!;
    const msg = (await one<{ id: number }>(ctx.db, {
      text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
             VALUES ($1, $2, 'out', $3, 'rep@x.test', $4, $5, 'Hello there') RETURNING id::int AS id`,
      values: [ws.id, contact.id, `<${Math.random().toString(36).slice(2)}@x.test>`, email, subject],
    }))!;
    await ctx.db.query(
      `INSERT INTO events (workspace_id, type, contact_id, message_ref, data) VALUES ($1, 'sent', $2, $3, '{}')`,
      [ws.id, contact.id, msg.id],
    );
    const open = (await openCrm(ctx, ws.id))!;
    expect(await collectOutbound(ctx, open.connection, open.provider)).toBe(1);
  }
  const row = async (ws: TestWorkspace) =>
    (await one<{ status: string; external_id: string | null; last_error: string | null; next_attempt_at: Date }>(
      ctx.db,
      {
        text: `SELECT status, external_id, last_error, next_attempt_at FROM crm_outbox WHERE workspace_id = $1 AND activity = 'email'`,
        values: [ws.id],
      },
    ))!;

  it('HubSpot: a create answered after the client gave up is not made again while the search index lags', async () => {
    const ws = await buildWorkspace(ctx.db);
    await connectWithToken(ctx, {
      workspaceId: ws.id,
      userId: ws.users.admin.id,
      kind: 'hubspot',
      token: hs.addPrivateToken(),
    });
    const hc = hs.create('contacts', { email: 'slow@hsco.test', firstname: 'Sam', lastname: 'Slow' });
    await syncIn(ctx, ws.id);
    await queuedEmail(ws, 'slow@hsco.test', 'Timed out');
    const emails = () =>
      [...hs.objects.emails.values()].filter((r) => r.associations.contacts?.some((x) => x.id === hc.id));

    hs.indexLag = true;
    hs.stallAfterCommit.push(3 * SECOND);
    const t0 = new Date(Date.now() + SECOND);
    const started = Date.now();
    expect(await flushOutbox(ctx, ws.id, t0)).toMatchObject({ claimed: 1, done: 0, later: 1 });
    // The client gave up after its timeout, not after the fake's stall.
    expect(Date.now() - started).toBeLessThan(3 * SECOND);
    expect(emails()).toHaveLength(1); // HubSpot made it
    const pending = await row(ws);
    expect(pending.status).toBe('pending');
    expect(pending.last_error).toContain('no answer from HubSpot within 1000 ms');
    // Its retry is not due before the index can show the email (two minutes), though the backoff is 30 s.
    expect(pending.next_attempt_at.getTime()).toBeGreaterThanOrEqual(t0.getTime() + 120 * SECOND);
    expect(await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 60 * SECOND))).toMatchObject({ claimed: 0 });
    expect(emails()).toHaveLength(1);

    // The index caught up (the lag is seconds): the retry finds the email and writes nothing.
    hs.catchUpIndex();
    hs.indexLag = false;
    const retry = await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 121 * SECOND));
    expect(retry).toMatchObject({ claimed: 1, done: 1, later: 0, foundWritten: 1 });
    expect(emails()).toHaveLength(1);
    expect(await row(ws)).toMatchObject({ status: 'done', external_id: emails()[0]!.id });
  });

  it('Salesforce: a Task committed with its answer lost and deleted in Salesforce before the retry is not written again', async () => {
    const ws = await buildWorkspace(ctx.db);
    const t = sf.grant();
    await saveConnection(ctx, {
      workspaceId: ws.id,
      kind: 'salesforce',
      auth: 'oauth',
      tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken, instanceUrl: t.instanceUrl },
      externalAccount: sf.orgId,
      userId: ws.users.admin.id,
    });
    const account = sf.insert('Account', { Name: 'Gone Co', Website: 'goneco.test' });
    const who = sf.insert('Contact', { AccountId: account, Email: 'gone@goneco.test', LastName: 'Gone' });
    await syncIn(ctx, ws.id);
    await queuedEmail(ws, 'gone@goneco.test', 'Deleted after the lost answer');
    const tasks = () => sf.all('Task').filter((r) => r.WhoId === who);

    sf.failures.push({ status: 503, match: (m, p) => m === 'POST' && p === '/composite/sobjects', afterCommit: true });
    const t0 = new Date(Date.now() + SECOND);
    expect(await flushOutbox(ctx, ws.id, t0)).toMatchObject({ claimed: 1, done: 0, later: 1 });
    expect(tasks()).toHaveLength(1);
    const id = String(tasks()[0]!.Id);
    sf.remove('Task', id); // a person deletes it in Salesforce
    expect(tasks().filter((r) => !r.IsDeleted)).toHaveLength(0);

    const retry = await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 3_600 * SECOND));
    expect(retry).toMatchObject({ claimed: 1, done: 1, later: 0, foundWritten: 1 });
    expect(tasks()).toHaveLength(1); // nothing new, the deleted one stays deleted
    expect(tasks().filter((r) => !r.IsDeleted)).toHaveLength(0);
    expect(await row(ws)).toMatchObject({ status: 'done', external_id: id });
  });
});
