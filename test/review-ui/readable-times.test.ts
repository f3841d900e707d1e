// No page shows a raw timestamp: a crawl of the main pages (with sequences scheduled and sent, a
// login, a play) finds no ISO 8601 or database-format time in the text a person reads. Machine
// times stay in <time datetime> attributes.
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';
import { buildDraft } from '../support/review-builders.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';

/** What a person reads: the text between tags, without scripts, styles or attributes. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ');
}

const RAW_TIMES = [
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, // ISO 8601
  /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/, // PostgreSQL's text form
  /GMT[+-]\d{4} \(/, // Date.prototype.toString
];

describeEachBackend('readable times', (get) => {
  const s = useWebApp(get);

  it('shows no raw timestamp on any main page', async () => {
    const rep = s.ws.users.rep.id;
    const active = await buildSequence(s.ctx.db, {
      workspaceId: s.ws.id,
      ownerId: rep,
      status: 'active',
      window: ALWAYS,
    });
    await run(s.ctx.db, {
      text: `UPDATE sequence_steps SET status = CASE WHEN position = 0 THEN 'sent' ELSE 'scheduled' END,
                    sent_at = CASE WHEN position = 0 THEN now() END, mailbox_id = CASE WHEN position = 0 THEN $2::bigint END,
                    claimed_at = CASE WHEN position = 0 THEN now() END,
                    scheduled_at = now() + (position || ' days')::interval WHERE sequence_id = $1`,
      values: [active.sequenceId, active.mailboxId],
    });
    const msg = (await one<{ id: number }>(s.ctx.db, {
      text: `INSERT INTO messages (workspace_id, mailbox_id, sequence_id, step_id, direction, from_addr, to_addr, subject)
             VALUES ($1, $2, $3, $4, 'out', 'rep@sender.test', 'dana@acme.test', 'Hello') RETURNING id`,
      values: [s.ws.id, active.mailboxId, active.sequenceId, active.stepIds[0]],
    }))!;
    const draft = await buildDraft(s.ctx.db, { workspaceId: s.ws.id, ownerId: rep });
    const admin = new Browserish(s.base);
    await admin.login(s.ws.users.admin.email, s.ws.users.admin.password);
    const pages = [
      '/',
      '/queue',
      '/signals',
      '/replies',
      '/outbox',
      `/outbox/${msg.id}`,
      '/schedule',
      '/schedule?view=week',
      '/dashboard',
      '/plays',
      '/accounts',
      `/accounts/${draft.accountId}/edit`,
      '/contacts',
      '/imports',
      '/mailboxes',
      '/settings',
      '/settings/mailboxes',
      `/settings/mailboxes/${active.mailboxId}`,
      '/settings/sources',
      '/settings/templates',
      '/users',
      '/tokens',
      `/drafts/${draft.sequenceId}`,
      `/drafts/${active.sequenceId}`,
    ];
    const found: string[] = [];
    for (const path of pages) {
      const { res, html } = await admin.page(path);
      expect(res.status, path).toBe(200);
      const text = visibleText(html);
      for (const re of RAW_TIMES) {
        const m = re.exec(text);
        if (m) found.push(`${path}: …${text.slice(Math.max(0, m.index - 40), m.index + 40)}…`);
      }
    }
    expect(found).toEqual([]);
  });
});
