// A user's own sender name and signature over HTTP (CSRF, validation, audit), and what the
// sender does with them: a step of their sequence goes out with their name and signature through
// a real SMTP server; cleared, the mailbox's From name and the workspace signature come back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { Browserish, listen } from '../support/web.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';

describeEachBackend('per-user sender name and signature', (get) => {
  let ctx: Awaited<ReturnType<typeof createTestContext>>;
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let smtp: TestSmtp;
  let transports: TransportPool;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(get().db);
    smtp = await startSmtp();
    transports = new TransportPool(transportDeps(ctx));
    await ctx.db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
      ws.id,
      JSON.stringify({ signature: 'Workspace Sig', physicalAddress: '1 Example Street' }),
    ]);
  });
  afterAll(async () => {
    await transports.close();
    await web.close();
    await ctx.stop();
    await smtp.close();
  });

  const sendOpener = async () => {
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
    });
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, random: () => 0 });
    await ctx.db.query(`UPDATE sequence_steps SET scheduled_at = now() WHERE id = $1`, [b.stepIds[0]]);
    const before = smtp.received.length;
    expect((await sendStep(ctx, b.stepIds[0]!, { transports })).status).toBe('sent');
    return (await smtp.waitFor(before + 1))[before]!;
  };

  it('saves, validates and audits the profile; steps and defaults follow it', async () => {
    const rep = new Browserish(web.base);
    await rep.login(ws.users.rep.email, ws.users.rep.password);
    const form = await rep.page('/profile');
    expect(form.res.status).toBe(200);
    expect(form.html).toContain('placeholder="Workspace Sig"');

    expect((await rep.post('/profile', { senderName: 'X', signature: 'Y' })).status).toBe(403);
    const bad = await rep.post('/profile', {
      senderName: 'Riley <x@evil.test>',
      signature: 'Kept sig',
      _csrf: form.csrf!,
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Sender name must not hold line breaks, quotes or angle brackets');
    // A newline right after <textarea> is not part of its value (HTML drops it); the formatter puts one there.
    expect(badHtml).toMatch(/>\n?Kept sig<\/textarea>/);

    const ok = await rep.post('/profile', {
      senderName: 'Riley Personal',
      signature: 'Riley\r\nHead of Growth',
      _csrf: form.csrf!,
    });
    expect(ok.status).toBe(303);
    expect((await rep.page('/profile?saved=1')).html).toMatch(/>\n?Riley\nHead of Growth<\/textarea>/);
    const audit = await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.profile_updated' AND user_id = $1`,
      values: [ws.users.rep.id],
    });
    expect(audit!.n).toBe(1);

    const mine = await sendOpener();
    expect(mine.parsed.from!.value[0]!.name).toBe('Riley Personal');
    expect(mine.parsed.text).toContain('Riley\nHead of Growth');
    expect(mine.parsed.text).not.toContain('Workspace Sig');

    // Cleared: the defaults come back.
    const again = await rep.page('/profile');
    expect((await rep.post('/profile', { senderName: '', signature: '  ', _csrf: again.csrf! })).status).toBe(303);
    const dflt = await sendOpener();
    expect(dflt.parsed.from!.value[0]!.name).toBe('Riley Rep');
    expect(dflt.parsed.text).toContain('Workspace Sig');
    expect(dflt.parsed.text).not.toContain('Head of Growth');
  });
});
