// Prospector → Salesforce through the core's outbox (crm/outbound.ts), on both backends, against the fake
// org driven by the real jsforce client: a sent email, a reply and a booked meeting written once each as a
// Task/Task/Event even when Salesforce answers 503, then REQUEST_LIMIT_EXCEEDED, then 200; an unsubscribe
// written back as HasOptedOutOfEmail; collecting and flushing again writes nothing twice.
import { expect, it } from 'vitest';
import { openCrm } from '../../crm/connection.js';
import { collectOutbound, flushOutbox, syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

describeEachBackend('Salesforce activity out', (get) => {
  const app = useCrmApp(get, { salesforce: true, connect: 'salesforce' });

  it('sent, reply and meeting are written once each through 503, REQUEST_LIMIT_EXCEEDED, then 200; an unsubscribe becomes HasOptedOutOfEmail', async () => {
    const account = app.sf.insert('Account', { Name: 'Out Co', Website: 'outco.test' });
    const sfContact = app.sf.insert('Contact', { AccountId: account, Email: 'buyer@outco.test', LastName: 'Buyer' });
    await syncIn(app.ctx, app.ws.id);
    await app.activity('buyer@outco.test');

    const writes = (m: string) => m === 'POST' || m === 'PATCH';
    app.sf.failures.push({ status: 503, match: writes }, { status: 403, match: writes });
    const t0 = new Date(Date.now() + 1000);
    const first = await syncOut(app.ctx, app.ws.id, t0);
    expect(first.collected).toBe(4);
    expect(first.flush!.done).toBeLessThan(4);
    // Far enough on for every backoff (the daily limit waits an hour).
    for (const h of [1, 2, 3, 4])
      await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + h * 3_600_000 + 60_000));
    expect(app.sf.failures).toEqual([]);

    const tasks = app.sf.all('Task').filter((t) => t.WhoId === sfContact);
    expect(tasks.map((t) => t.Subject).sort()).toEqual([
      'Email: Congrats on the round',
      'Reply: Re: Congrats on the round',
    ]);
    expect(tasks.every((t) => t.TaskSubtype === 'Email' && t.WhatId === account)).toBe(true);
    expect(app.sf.all('Event').filter((e) => e.WhoId === sfContact)).toHaveLength(1);
    expect(app.sf.get('Contact', sfContact)!.HasOptedOutOfEmail).toBe(true);

    const open = (await openCrm(app.ctx, app.ws.id))!;
    expect(await collectOutbound(app.ctx, open.connection, open.provider)).toBe(0);
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 10 * 3_600_000))).toMatchObject({
      claimed: 0,
    });
    expect(app.sf.all('Task').filter((t) => t.WhoId === sfContact)).toHaveLength(2);
    expect(app.sf.all('Event')).toHaveLength(1);
  });
});
