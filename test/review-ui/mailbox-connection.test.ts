// "Test connection" on a mailbox against real servers on loopback: smtp-server for SMTP,
// Dovecot for IMAP. The stored (sealed) passwords are what the test logs in with. Mailbox hosts
// go through the address guard and ALLOW_PRIVATE_FETCH like fetches, and a failure never tells
// an open port from a closed one.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { DOVECOT_PASSWORD, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { UNTESTED } from '../../review-ui/routes/settings-mailboxes.js';
import { Browserish, listen } from '../support/web.js';
import { deadPort } from '../research/fixture-sites.js';

describeEachBackend(
  'mailbox test connection',
  (get) => {
    let ctx: AppContext & { stop(): Promise<void> };
    let srv: { base: string; close(): Promise<void> };
    let smtp: TestSmtp;
    let imap: TestDovecot;
    let ws: TestWorkspace;
    let revops: Browserish;
    let csrf: string;
    /** An open port that is not a mail server: answers like a web server and hangs up. */
    let web: net.Server;
    let webPort: number;

    beforeAll(async () => {
      ctx = await createTestContext(get());
      srv = await listen(ctx);
      smtp = await startSmtp({ auth: { user: 'riley', pass: 'smtp-pass' } });
      imap = await startDovecot();
      ws = await buildWorkspace(ctx.db);
      revops = new Browserish(srv.base);
      await revops.login(ws.users.revops.email, ws.users.revops.password);
      csrf = (await revops.page('/settings/mailboxes')).csrf!;
      web = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n'));
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
      webPort = (web.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      ctx.config.allowPrivateFetch = true;
      await new Promise((resolve) => web?.close(resolve));
      await imap?.stop();
      await smtp?.close();
      await srv?.close();
      await ctx?.stop();
    });

    const form = (smtpPass: string, imapPass: string, ports = { smtp: smtp.port, imap: imap.port }) => ({
      _csrf: csrf,
      kind: 'smtp',
      from_name: 'Riley',
      from_email: 'riley@example.com',
      smtp_host: '127.0.0.1',
      smtp_port: String(ports.smtp),
      smtp_user: 'riley',
      smtp_pass: smtpPass,
      imap_host: '127.0.0.1',
      imap_port: String(ports.imap),
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

    const mailboxId = async () =>
      (await one<{ id: number }>(ctx.db, {
        text: 'SELECT id FROM mailboxes WHERE workspace_id = $1',
        values: [ws.id],
      }))!.id;
    const test = async () => {
      const text = await (await revops.post(`/settings/mailboxes/${await mailboxId()}/test`, { _csrf: csrf })).text();
      return [/SMTP: [^<]*/.exec(text)![0], /IMAP: [^<]*/.exec(text)![0]];
    };

    it('refuses a loopback mailbox host unless ALLOW_PRIVATE_FETCH allows it, or lists exactly that host and port', async () => {
      expect(
        (await revops.post(`/settings/mailboxes/${await mailboxId()}`, form('smtp-pass', DOVECOT_PASSWORD))).status,
      ).toBe(303);
      try {
        ctx.config.allowPrivateFetch = false;
        for (const line of await test()) expect(line).toMatch(/failed: 127\.0\.0\.1 is a private or reserved address/);
        ctx.config.allowPrivateFetch = [`smtp://127.0.0.1:${smtp.port + 1}`, `http://127.0.0.1:${imap.port}`];
        for (const line of await test()) expect(line).toMatch(/failed: 127\.0\.0\.1 is a private or reserved address/);
        ctx.config.allowPrivateFetch = [`smtp://127.0.0.1:${smtp.port}`, `imap://127.0.0.1:${imap.port}`];
        expect(await test()).toEqual(['SMTP: ok', 'IMAP: ok']);
      } finally {
        ctx.config.allowPrivateFetch = true;
      }
    });

    it('says the same for a closed port and an open port that is not a mail server', async () => {
      const closed = await deadPort();
      const answers: string[][] = [];
      for (const port of [closed, webPort]) {
        const body = form('smtp-pass', DOVECOT_PASSWORD, { smtp: port, imap: port });
        expect((await revops.post(`/settings/mailboxes/${await mailboxId()}`, body)).status).toBe(303);
        answers.push((await test()).map((line) => line.replaceAll(String(port), 'PORT')));
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]![0]).toMatch(/SMTP: failed: no SMTP server answered at 127\.0\.0\.1:PORT/);
      expect(answers[0]![1]).toMatch(/IMAP: failed: no IMAP server answered at 127\.0\.0\.1:PORT/);
    });

    it('tests a new mailbox on save: it sends only once a connection test has passed', async () => {
      const paused = async (email: string) =>
        (await one<{ paused: boolean; pause_reason: string | null }>(ctx.db, {
          text: 'SELECT paused_at IS NOT NULL AS paused, pause_reason FROM mailboxes WHERE workspace_id = $1 AND from_email = $2',
          values: [ws.id, email],
        }))!;
      // The first mailbox was last saved above with a port no mail server answers on: an edit that
      // changes host, port, user or password pauses it until a test passes, and saving it back releases it.
      expect(await paused('riley@example.com')).toEqual({ paused: true, pause_reason: UNTESTED });
      const riley = await mailboxId();
      expect((await revops.post(`/settings/mailboxes/${riley}/resume`, { _csrf: csrf })).status).toBe(409);
      expect((await revops.post(`/settings/mailboxes/${riley}`, form('smtp-pass', DOVECOT_PASSWORD))).status).toBe(303);
      expect(await paused('riley@example.com')).toEqual({ paused: false, pause_reason: null });
      // With every test failing (loopback refused), a save that changes only the daily cap keeps it
      // sending; one that changes the password pauses it until a test passes.
      try {
        ctx.config.allowPrivateFetch = false;
        const cap = { ...form('', ''), daily_cap: '40' };
        expect((await revops.post(`/settings/mailboxes/${riley}`, cap)).status).toBe(303);
        expect(await paused('riley@example.com')).toEqual({ paused: false, pause_reason: null });
        expect((await revops.post(`/settings/mailboxes/${riley}`, form('smtp-pass', ''))).status).toBe(303);
        expect(await paused('riley@example.com')).toEqual({ paused: true, pause_reason: UNTESTED });
      } finally {
        ctx.config.allowPrivateFetch = true;
      }
      const wrong = { ...form('wrong', 'wrong'), from_email: 'sam@example.com' };
      expect((await revops.post('/settings/mailboxes', wrong)).status).toBe(303);
      expect(await paused('sam@example.com')).toEqual({ paused: true, pause_reason: UNTESTED });
      expect((await revops.page('/settings/mailboxes')).html).toContain(UNTESTED);
      const sam = (await one<{ id: number }>(ctx.db, {
        text: 'SELECT id FROM mailboxes WHERE workspace_id = $1 AND from_email = $2',
        values: [ws.id, 'sam@example.com'],
      }))!.id;
      // Saving the right password tests again and releases it.
      const right = { ...form('smtp-pass', DOVECOT_PASSWORD), from_email: 'sam@example.com' };
      expect((await revops.post(`/settings/mailboxes/${sam}`, right)).status).toBe(303);
      expect(await paused('sam@example.com')).toEqual({ paused: false, pause_reason: null });
    });
  },
  ['postgres'],
);
