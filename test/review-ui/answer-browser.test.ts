// Answering a reply in Chromium: from the Replies page, "Answer", write, send; the answer reaches
// a real SMTP server on loopback threaded under the prospect's reply, and the page shows it sent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { buildWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { buildSequence } from '../sequencing/builders.js';

describeEachBackend(
  'answering a reply in Chromium',
  (get) => {
    // The SMTP server's hooks come first: after-hooks run in reverse, so it closes after the app
    // has stopped its context. Closed first, it would wait out smtp-server's 30 s closeTimeout for
    // the context's pooled connection.
    let smtp: TestSmtp;
    beforeAll(async () => {
      smtp = await startSmtp();
    });
    afterAll(async () => {
      await smtp?.close();
    });
    const app = useBrowserApp(get, { viewport: { width: 1280, height: 900 } });

    it('answers from the Replies page, threaded, from the thread mailbox', async () => {
      const ws = await buildWorkspace(app.ctx.db);
      const b = await buildSequence(app.ctx.db, {
        workspaceId: ws.id,
        ownerId: ws.users.rep.id,
        status: 'stopped',
        mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, fromEmail: 'riley@sender.test' },
      });
      const dana = (await one<{ email: string }>(app.ctx.db, {
        text: `SELECT email FROM contacts WHERE id = $1`,
        values: [b.contactId],
      }))!.email;
      await app.ctx.db.query(
        `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, contact_id, direction, message_id, "references", from_addr,
                               subject, text_body, visible_text, classification)
         VALUES ($1, $2, $3, $4, 'in', '<browser-reply@acme.test>', '{<prospector.9.x@sender.test>}', $5,
                 'Re: Congrats on the Series B', 'Tell me more.', 'Tell me more.', 'reply')`,
        [ws.id, b.mailboxId, b.sequenceId, b.contactId, dana],
      );
      const page = await app.login(ws.users.rep);
      await page.goto(`${app.base}/replies`);
      await page.getByRole('link', { name: 'Answer', exact: true }).click();
      await page.waitForURL(/\/replies\/\d+\/answer$/);
      const mailto = await page.getByRole('link', { name: 'Open in my mail app' }).getAttribute('href');
      expect(mailto).toContain('In-Reply-To=%3Cbrowser-reply%40acme.test%3E');
      await page.getByLabel('Your answer').fill('Gladly: here is a short overview.');
      const before = smtp.received.length;
      await Promise.all([page.waitForURL(/sent=1/), page.getByRole('button', { name: 'Send answer' }).click()]);
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Answer sent from riley@sender.test');
      const [m] = (await smtp.waitFor(before + 1)).slice(before);
      expect(m!.parsed.inReplyTo).toBe('<browser-reply@acme.test>');
      expect(m!.parsed.subject).toBe('Re: Congrats on the Series B');
      expect(m!.parsed.text).toContain('Gladly: here is a short overview.');
      expect(await page.locator('#main').textContent()).toContain('Gladly: here is a short overview.');
      await screenshot(page, 'reply-answer');
    });
  },
  ['postgres'],
);
