// The whole loop in real processes on PostgreSQL: `prospector web` + two `prospector worker`s.
// A funding item appears in the feed → signal → dossier → cited draft pending review → approved
// through the API → the opener arrives at the SMTP server inside its window → a reply appended in
// Dovecot stops the follow-up → a signed Cal.com booking → the funnel reads signal → meeting.
// Every state is read from the database; the workers' minute crons drive sending and IMAP sync.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createSecretBox } from '../../secret-box.js';
import { bookingWebhookSecret } from '../../sequencing/tracking.js';
import { TEST_SECRET } from '../support/context.js';
import { eventually } from '../support/eventually.js';
import { dueNow, pollNow, REP_ADDRESS, rows, startStack, type Stack } from './stack.js';

const DOMAIN = 'acme-rockets.test';
const CONTACT = `dana.whitfield@${DOMAIN}`;
let s: Stack;
let failed = false;

beforeAll(async () => {
  s = await startStack({
    label: 'e2eoperator',
    companies: [
      {
        domain: DOMAIN,
        name: 'Acme Rockets',
        contact: { first: 'Dana', last: 'Whitfield', title: 'VP of Sales' },
        paragraphs: [
          'Acme Rockets builds reusable launch vehicles for small satellite operators.',
          'Acme Rockets employs 240 people in Denver and Toulouse.',
        ],
      },
    ],
  });
}, 120_000);
afterAll(async () => {
  await s?.close(failed);
});

describe(
  'operator deployment: web + two workers on PostgreSQL, SMTP, Dovecot, fake Messages API',
  { timeout: 240_000 },
  () => {
    it(`feed item → signal → dossier → cited draft → approve (API) → sent once in its window → IMAP reply stops \
the follow-up → Cal.com booking → funnel`, async () => {
      onTestFailed(() => {
        failed = true;
      });
      // The feed is empty at first: a poll finds nothing.
      await pollNow(s);
      expect(await rows(s, 'SELECT id FROM signals')).toHaveLength(0);

      s.world.stories.push({
        id: 'acme-series-b',
        title: 'Acme Rockets raises $30 million Series B to build a second launch site',
        paragraphs: [
          'Acme Rockets has raised $30 million in a Series B round led by Orbital Ventures.',
          'The company will use the money to build a second launch site and to double its sales team this year.',
        ],
      });
      await pollNow(s);
      const [signal] = await rows<{ id: number; type: string; account_id: number; status: string; url: string }>(
        s,
        'SELECT * FROM signals',
      );
      expect(signal).toMatchObject({ type: 'funding' });

      // Research and drafting run in the workers; the draft waits for review with citations.
      const seq = await eventually(
        'a draft pending review',
        async () =>
          (
            await rows<{ id: number; status: string; version: number; drafter: string }>(
              s,
              `SELECT * FROM sequences WHERE signal_id = $1 AND status = 'pending_review'`,
              [signal!.id],
            )
          )[0],
        { timeout: 90_000 },
      );
      expect(seq.drafter).toBe('llm');
      const facts = await rows<{ id: number; source_url: string; quote: string }>(
        s,
        `SELECT f.* FROM facts f JOIN dossiers d ON d.id = f.dossier_id WHERE d.signal_id = $1`,
        [signal!.id],
      );
      expect(facts.some((f) => f.source_url === signal!.url && f.quote.includes('$30 million'))).toBe(true);
      expect(facts.some((f) => f.source_url.startsWith(s.world.siteBase(DOMAIN)))).toBe(true);
      const steps0 = await rows<{ id: number; position: number; status: string; cited_fact_ids: number[] }>(
        s,
        'SELECT * FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
        [seq.id],
      );
      expect(steps0.map((x) => x.status)).toEqual(['draft', 'draft']);
      expect(steps0[0]!.cited_fact_ids.length).toBeGreaterThan(0);
      for (const id of steps0[0]!.cited_fact_ids) expect(facts.map((f) => f.id)).toContain(Number(id));
      expect(s.fake.requests.length).toBeGreaterThanOrEqual(2); // extraction and drafting went to the Messages API

      // Approve through the API with the rep's token.
      const approved = await s.api<{ firstSendAt: string }>(`/api/drafts/${seq.id}/approve`, {
        method: 'POST',
        body: { version: seq.version },
      });
      expect(approved.status).toBe(200);
      const [opener, followUp] = await rows<{ id: number; status: string; scheduled_at: Date }>(
        s,
        'SELECT * FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
        [seq.id],
      );
      expect([opener!.status, followUp!.status]).toEqual(['scheduled', 'scheduled']);
      expect(followUp!.scheduled_at.getTime()).toBeGreaterThan(Date.now() + 86_400_000);
      expect(opener!.scheduled_at.getTime()).toBeLessThan(Date.now() + 86_400_000); // the window is open now: today, after jitter
      await dueNow(s, [seq.id]);

      // The dispatcher (a worker's minute cron) hands it to a send job; it arrives once.
      const [mail] = await s.smtp.waitFor(1, 150_000);
      // The worker records the send right after the server's 250.
      const sentStep = await eventually(
        'the opener recorded as sent',
        async () =>
          (
            await rows<{ status: string; message_id: string }>(
              s,
              `SELECT * FROM sequence_steps WHERE id = $1 AND status = 'sent'`,
              [opener!.id],
            )
          )[0],
        { timeout: 30_000, every: 200 },
      );
      expect(mail!.parsed.messageId).toBe(sentStep.message_id);
      expect(mail!.envelope.to).toEqual([CONTACT]);
      expect(mail!.parsed.text).toContain('Congratulations on the new funding');

      // The prospect answers; the reply lands in the rep's IMAP inbox (Dovecot).
      await s.dovecot.append(
        REP_ADDRESS,
        [
          `From: Dana Whitfield <${CONTACT}>`,
          `To: <${REP_ADDRESS}>`,
          'Subject: Re: Congratulations on the round',
          `Date: ${new Date().toUTCString()}`,
          `Message-ID: <reply-1@${DOMAIN}>`,
          `In-Reply-To: ${sentStep.message_id}`,
          `References: ${sentStep.message_id}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Thanks Riley, good timing. Let me book a slot.',
          '',
        ].join('\r\n'),
      );
      const stopped = await eventually(
        'the reply to stop the sequence',
        async () =>
          (
            await rows<{ status: string; stop_reason: string }>(
              s,
              `SELECT status, stop_reason FROM sequences WHERE id = $1 AND status <> 'active'`,
              [seq.id],
            )
          )[0],
        { timeout: 150_000, every: 1_000 },
      );
      expect(stopped).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
      expect(
        (await rows<{ status: string }>(s, 'SELECT status FROM sequence_steps WHERE id = $1', [followUp!.id]))[0]!
          .status,
      ).toBe('cancelled');
      expect(
        await rows(s, `SELECT classification FROM messages WHERE direction = 'in' AND sequence_id = $1`, [seq.id]),
      ).toEqual([{ classification: 'reply' }]);

      // A signed Cal.com booking for the prospect.
      const body = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { attendees: [{ email: CONTACT }] } });
      const sig = createHmac('sha256', bookingWebhookSecret(createSecretBox(TEST_SECRET), s.workspaceId, 'calcom'))
        .update(body)
        .digest('hex');
      const booked = await fetch(`${s.base}/api/webhooks/booking/calcom/${s.workspaceId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': sig },
        body,
      });
      expect(await booked.json()).toMatchObject({ status: 'ok', matched: 1 });

      const funnel = await s.api<{ total: { counts: Record<string, number> } }>('/api/funnel', {
        token: s.managerToken,
      });
      expect(funnel.body.total.counts).toMatchObject({
        signals: 1,
        matched: 1,
        drafted: 1,
        approved: 1,
        sent: 1,
        replied: 1,
        meetings: 1,
      });

      // Each message went out once: one SMTP delivery, one outbound row, one `sent` event.
      expect(s.smtp.received).toHaveLength(1);
      expect(await rows(s, `SELECT step_id FROM messages WHERE direction = 'out'`)).toEqual([{ step_id: opener!.id }]);
      expect(await rows(s, `SELECT step_id FROM events WHERE type = 'sent'`)).toEqual([{ step_id: opener!.id }]);
    });
  },
);
