import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../secret-box.js';
import { branchHolds } from '../../sequencing/branch.js';
import {
  decideClaim,
  effectiveCap,
  randomGap,
  type ClaimFacts,
  type MailboxFacts,
} from '../../sequencing/claim-rules.js';
import { extractUrls, replySubject, stepMessageId } from '../../sequencing/message.js';
import { DEFAULT_POLICY } from '../../sequencing/schedule.js';
import { advance, classifySmtpError, retryDelayMs } from '../../sequencing/smtp-errors.js';
import { makeToken, readToken } from '../../sequencing/tokens.js';
import { isScannerClick, signTimestamped, verifyTimestamped } from '../../sequencing/tracking.js';
import { TEST_SECRET } from '../support/context.js';

const NOW = new Date('2026-03-10T14:30:00Z'); // Tuesday 10:30 in New York, inside the window
const secrets = createSecretBox(TEST_SECRET);
const mb = (over: Partial<MailboxFacts> = {}): MailboxFacts => ({
  id: 1,
  paused: false,
  nextSendAt: null,
  sent24h: 0,
  dailyCap: 30,
  rampPerDay: null,
  createdAt: new Date('2026-01-01'),
  ...over,
});
const facts = (over: Partial<ClaimFacts> = {}): ClaimFacts => ({
  stepStatus: 'scheduled',
  sequenceStatus: 'active',
  contactStatus: 'active',
  suppressed: false,
  branchOk: true,
  zone: 'America/New_York',
  policy: DEFAULT_POLICY,
  mailboxes: [mb()],
  ...over,
});

describe('decideClaim', () => {
  it('claims when every check passes, and rotates to the least used mailbox', () => {
    expect(decideClaim(facts(), NOW)).toEqual({ kind: 'claim', mailboxId: 1 });
    expect(
      decideClaim(
        facts({ mailboxes: [mb({ id: 1, sent24h: 5 }), mb({ id: 2, sent24h: 2 }), mb({ id: 3, paused: true })] }),
        NOW,
      ),
    ).toEqual({ kind: 'claim', mailboxId: 2 });
  });
  it('stops for a replied, bounced, unsubscribed or suppressed contact and a sequence no longer active', () => {
    for (const f of [
      { contactStatus: 'replied' },
      { contactStatus: 'bounced' },
      { contactStatus: 'unsubscribed' },
      { suppressed: true },
      { sequenceStatus: 'stopped' },
    ]) {
      expect(decideClaim(facts(f), NOW).kind).toBe('stop');
    }
    expect(decideClaim(facts({ sequenceStatus: 'paused' }), NOW).kind).toBe('noop');
    expect(decideClaim(facts({ stepStatus: 'sending' }), NOW).kind).toBe('noop');
  });
  it('holds a step while any earlier one is not settled, never before that step plus its delay', () => {
    // sending, unknown, or still scheduled after a 4xx: the claim sees `earlierPending` for all of them.
    expect(decideClaim(facts({ earlierPending: true }), NOW)).toMatchObject({
      kind: 'defer',
      reason: 'an earlier step is not settled yet',
    });
    const d = decideClaim(
      facts({ earlierPending: true, earlierPlannedAt: new Date('2026-03-11T14:30:00Z'), delayDays: 2 }),
      NOW,
    );
    expect(d.kind).toBe('defer');
    if (d.kind === 'defer') expect(d.until.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-13T14:30:00Z'));
    // An earlier step with no planned time (sending, unknown) is looked at again in an hour or more.
    const h = decideClaim(facts({ earlierPending: true, earlierPlannedAt: null }), NOW);
    if (h.kind === 'defer') expect(h.until.getTime()).toBeGreaterThanOrEqual(NOW.getTime() + 3_600_000);
    expect(h.kind).toBe('defer');
  });
  it('skips a step whose branch condition fails', () => {
    expect(decideClaim(facts({ branchOk: false }), NOW)).toMatchObject({ kind: 'skip' });
  });
  it('defers outside the window, at the cap, and until the gap has passed', () => {
    expect(decideClaim(facts(), new Date('2026-03-10T08:00:00Z'))).toMatchObject({ kind: 'defer', missedWindow: true });
    expect(decideClaim(facts({ mailboxes: [mb({ sent24h: 30 })] }), NOW)).toMatchObject({
      kind: 'defer',
      reason: 'daily cap reached',
    });
    const gapEnd = new Date(NOW.getTime() + 120_000);
    expect(decideClaim(facts({ mailboxes: [mb({ nextSendAt: gapEnd })] }), NOW)).toEqual({
      kind: 'defer',
      until: gapEnd,
      missedWindow: false,
      reason: 'waiting for the gap between sends',
    });
    expect(decideClaim(facts({ mailboxes: [] }), NOW)).toMatchObject({
      kind: 'defer',
      reason: 'the sender has no mailbox',
    });
  });
  it('ramps a new mailbox up by N a day up to its cap', () => {
    const created = new Date('2026-03-08T12:00:00Z');
    expect(effectiveCap({ dailyCap: 30, rampPerDay: 5, createdAt: created }, NOW)).toBe(15); // day 3 of its life: 5, 10, 15
    expect(effectiveCap({ dailyCap: 30, rampPerDay: 5, createdAt: new Date('2026-01-01') }, NOW)).toBe(30);
    expect(decideClaim(facts({ mailboxes: [mb({ rampPerDay: 5, createdAt: created, sent24h: 15 })] }), NOW).kind).toBe(
      'defer',
    );
  });
  it('draws the gap between min and max', () => {
    expect([0, 0.5, 0.999].map((r) => randomGap(90, 180, () => r))).toEqual([90, 135, 180]);
  });
});

describe('branch conditions', () => {
  it('clicked a tagged link, or not', () => {
    const clicks = ['https://example.com/pricing?x=1'];
    expect(branchHolds(null, [])).toBe(true);
    expect(branchHolds({ when: 'clicked', tag: 'pricing' }, clicks)).toBe(true);
    expect(branchHolds({ when: 'clicked', tag: 'case-study' }, clicks)).toBe(false);
    expect(branchHolds({ when: 'not_clicked' }, clicks)).toBe(false);
    expect(branchHolds({ when: 'not_clicked' }, [])).toBe(true);
  });
});

describe('tokens, Message-IDs, SMTP verdicts, scanners, webhook signatures', () => {
  it('round-trips a token and refuses any change', () => {
    const t = makeToken(secrets, { k: 'c', s: 7, u: 'https://example.com/a' });
    expect(readToken(secrets, t)).toEqual({ k: 'c', s: 7, u: 'https://example.com/a' });
    expect(
      readToken(
        secrets,
        t.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      ),
    ).toBeNull();
    expect(readToken(createSecretBox('another-secret-0123456789abcdef0123456789'), t)).toBeNull();
  });
  it('gives a step the same Message-ID every time, different per step', () => {
    expect(stepMessageId(secrets, 5, 'rep@acme.test')).toBe(stepMessageId(secrets, 5, 'rep@acme.test'));
    expect(stepMessageId(secrets, 5, 'rep@acme.test')).not.toBe(stepMessageId(secrets, 6, 'rep@acme.test'));
    expect(replySubject('Re: hello')).toBe('Re: hello');
    expect(extractUrls('See https://a.test/x. And (https://b.test/y).')).toEqual([
      'https://a.test/x',
      'https://b.test/y',
    ]);
  });
  it('maps SMTP failures by reply code, and a lost connection by the stage the transport reached', () => {
    expect(classifySmtpError({ responseCode: 451, command: 'RCPT TO' }, 'envelope')).toBe('retry');
    expect(classifySmtpError({ responseCode: 550, command: 'RCPT TO' }, 'envelope')).toBe('bounce');
    expect(classifySmtpError({ responseCode: 554, command: 'MAIL FROM' }, 'envelope')).toBe('rejected');
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535 }, 'connect')).toBe('auth');
    // A 4xx to the final dot is the server's word that it did not take the message.
    expect(classifySmtpError({ responseCode: 451, command: 'DATA' }, 'committed')).toBe('retry');
    // nodemailer labels every lost connection and socket timeout `CONN`, whatever the stage:
    // only the stage decides. Before the final dot nothing can have been delivered; after it, anything may.
    expect(classifySmtpError({ code: 'ECONNECTION', command: 'CONN' }, 'connect')).toBe('retry');
    expect(classifySmtpError({ code: 'ECONNECTION', command: 'CONN' }, 'envelope')).toBe('retry');
    expect(classifySmtpError({ code: 'ECONNECTION', command: 'CONN' }, 'data')).toBe('retry');
    expect(classifySmtpError({ code: 'ECONNECTION', command: 'CONN' }, 'committed')).toBe('unknown');
    expect(classifySmtpError({ code: 'ETIMEDOUT', command: 'CONN' }, 'committed')).toBe('unknown');
    expect(classifySmtpError({ code: 'ESOCKET' }, 'committed')).toBe('unknown');
    // A provider API transport: a timeout after the whole request body went out is `unknown`.
    expect(classifySmtpError({ code: 'ETIMEDOUT' }, 'data')).toBe('retry');
    expect(classifySmtpError({ code: 'ETIMEDOUT' }, 'committed')).toBe('unknown');
    // A transport that reported no stage is taken at its worst.
    expect(classifySmtpError({ code: 'ECONNECTION', command: 'CONN' }, undefined)).toBe('unknown');
    expect(advance('committed', 'envelope')).toBe('committed');
    expect(retryDelayMs(1)).toBe(300_000);
    expect(retryDelayMs(20)).toBe(6 * 3_600_000);
  });
  it('flags scanner clicks', () => {
    const sentAt = new Date('2026-03-10T14:00:00Z');
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36';
    expect(isScannerClick({ method: 'GET', userAgent: ua, sentAt, now: new Date(sentAt.getTime() + 60_000) })).toBe(
      false,
    );
    expect(isScannerClick({ method: 'HEAD', userAgent: ua, sentAt, now: new Date(sentAt.getTime() + 60_000) })).toBe(
      true,
    );
    expect(isScannerClick({ method: 'GET', userAgent: ua, sentAt, now: new Date(sentAt.getTime() + 3_000) })).toBe(
      true,
    );
    expect(
      isScannerClick({
        method: 'GET',
        userAgent: 'Mimecast-URL-Protect',
        sentAt,
        now: new Date(sentAt.getTime() + 600_000),
      }),
    ).toBe(true);
  });
  it('verifies timestamped webhook signatures within five minutes', () => {
    const body = Buffer.from('raw');
    const sig = signTimestamped('s3cret', body, NOW);
    expect(verifyTimestamped('s3cret', sig, body, NOW)).toBe(true);
    expect(verifyTimestamped('s3cret', sig, Buffer.from('raw!'), NOW)).toBe(false);
    expect(verifyTimestamped('s3cret', sig, body, new Date(NOW.getTime() + 301_000))).toBe(false);
  });
});
