// Creating and editing a play is audited the same way from the page and from the JSON API (both
// go through one use case in routes/plays.ts; the API used to write no audit row at all).
import { beforeAll, expect, it } from 'vitest';
import { run } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

describeEachBackend('play audit rows, page and API alike', (get) => {
  const app = useWebApp(get);
  let revops: Browserish;
  let csrf: string;

  beforeAll(async () => {
    revops = new Browserish(app.base);
    await revops.login(app.ws.users.revops.email, app.ws.users.revops.password);
    csrf = (await revops.page('/plays/new')).csrf!;
  });

  const audit = (playId: number) =>
    run<{ action: string; user_id: number; data: Record<string, unknown>; ip: string | null }>(app.ctx.db, {
      text: `SELECT action, user_id, data, ip FROM audit_log WHERE entity_type = 'play' AND entity_id = $1 ORDER BY id`,
      values: [String(playId)],
    });
  const api = (method: string, path: string, body: unknown) =>
    revops.fetch(path, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
  const form = { _csrf: '', name: 'Funded', triggerKind: 'signal', signalType: 'funding', enabled: 'on' };

  it('records play.created and play.edited for the page and for the API, with the same shape', async () => {
    const created = await revops.post('/plays', { ...form, _csrf: csrf });
    expect(created.status).toBe(303);
    const pageId = Number(/\/plays\/(\d+)$/.exec(created.headers.get('location')!)![1]);
    expect(
      (await revops.post(`/plays/${pageId}`, { ...form, _csrf: csrf, name: 'Funded 2', version: '1' })).status,
    ).toBe(303);

    const res = await api('POST', '/api/plays', { name: 'Funded', trigger: { kind: 'signal', signalType: 'funding' } });
    expect(res.status).toBe(201);
    const apiPlay = (await res.json()) as { id: number; version: number };
    const put = await api('PUT', `/api/plays/${apiPlay.id}`, {
      version: apiPlay.version,
      name: 'Funded 2',
      trigger: { kind: 'signal', signalType: 'funding' },
    });
    expect(put.status).toBe(200);

    const strip = (rows: Awaited<ReturnType<typeof audit>>) =>
      rows.map((r) => ({ action: r.action, user_id: r.user_id, data: r.data, ip: r.ip !== null }));
    const expected = [
      { action: 'play.created', user_id: app.ws.users.revops.id, data: {}, ip: true },
      { action: 'play.edited', user_id: app.ws.users.revops.id, data: { version: 2 }, ip: true },
    ];
    expect(strip(await audit(pageId))).toEqual(expected);
    expect(strip(await audit(apiPlay.id))).toEqual(expected);
  });
});
