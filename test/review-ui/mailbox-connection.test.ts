// "Test connection" on a mailbox against real servers on loopback: smtp-server for SMTP,
// Dovecot for IMAP. The stored (sealed) passwords are what the test logs in with.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { DOVECOT_PASSWORD, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend(
  'mailbox test connection',
  (get) => {
    let ctx: AppContext & { close(): Promise<void> };
    let srv: { base: string; close(): Promise<void> };
    let smtp: TestSmtp;
    let imap: TestDovecot;
    let ws: TestWorkspace;
    let revops: Browserish;
    let csrf: string;

    beforeAll(async () => {
      ctx = await createTestContext(get());
      srv = await listen(ctx);
      smtp = await startSmtp({ auth: { user: 'riley', pass: 'smtp-pass' } });
      imap = await startDovecot();
      ws = await buildWorkspace(ctx.db);
      revops = new Browserish(srv.base);
      await revops.login(ws.users.revops.email, ws.users.revops.password);
      csrf = (await revops.page('/settings/mailboxes')).csrf!;
    });
    afterAll(async () => {
      await imap?.stop();
      await smtp?.close();
      await srv?.close();
      await ctx?.close();
    });

    const form = (smtpPass: string, imapPass: string) => ({
      _csrf: csrf,
      kind: 'smtp',
      from_name: 'Riley',
      from_email: 'riley@example.com',
      smtp_host: '127.0.0.1',
      smtp_port: String(smtp.port),
      smtp_user: 'riley',
      smtp_pass: smtpPass,
      imap_host: '127.0.0.1',
      imap_port: String(imap.port),
      imap_user: 'riley',
      imap_pass: imapPass,
      daily_cap: '30',
      min_gap_seconds: '90',
      max_gap_seconds: '180',
    });

    it('logs in to SMTP and IMAP with the sealed passwords, and says what failed', async () => {
      expect((await revops.post('/settings/mailboxes', form('smtp-pass', DOVECOT_PASSWORD))).status).toBe(303);
      const m = (await one<{ id: number }>(ctx.db, {
        text: 'SELECT id FROM mailboxes WHERE workspace_id = $1',
        values: [ws.id],
      }))!;
      const ok = await (await revops.post(`/settings/mailboxes/${m.id}/test`, { _csrf: csrf })).text();
      expect(ok).toContain('SMTP: ok');
      expect(ok).toContain('IMAP: ok');

      expect((await revops.post(`/settings/mailboxes/${m.id}`, form('wrong', 'wrong'))).status).toBe(303);
      const bad = await (await revops.post(`/settings/mailboxes/${m.id}/test`, { _csrf: csrf })).text();
      expect(bad).toMatch(/SMTP: failed: .*Authentication credentials invalid/);
      expect(bad).toMatch(/IMAP: failed: /);
    });
  },
  ['postgres'],
);
