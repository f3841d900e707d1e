import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseReturnDate } from '../../sequencing/inbox/auto-reply.js';
import { classifyRaw, isUnsubscribeRequest, visibleReplyText } from '../../sequencing/inbox/classify.js';
import { dsnFor, replyTo } from './mail-builders.js';

const fixture = (p: string) => readFileSync(new URL(`../fixtures/sequencing/${p}`, import.meta.url));
const REF = new Date('2026-03-10T12:00:00Z');

describe('real-world bounces (sisimai)', () => {
  it.each([
    ['sisimai-lhost-exchange2007-01.eml', 'mikeneko@example.co.jp', '5.1.1', true],
    ['sisimai-lhost-gmail-01.eml', 'userunknown@example.jp', '5.1.1', true],
    ['sisimai-lhost-office365-01.eml', 'kijitora@example.com', '5.1.10', true],
    ['sisimai-lhost-sendmail-01.eml', 'userunknown@bouncehammer.jp', '5.1.1', true],
    ['sisimai-lhost-qmail-01.eml', 'kijitora@example.ne.jp', '5.5.0', true],
    ['sisimai-lhost-exim-01.eml', 'kijitora@example.ed.jp', '5.7.0', false],
  ])('%s → %s %s hard=%s', async (file, recipient, status, hard) => {
    const { classification: c } = await classifyRaw(fixture(`bounces/${file}`));
    expect(c.kind).toBe('bounce');
    expect(c.bounce).toMatchObject({ recipient, status, hard });
  });

  it('a DSN for a full mailbox (5.2.2) is soft; a delayed one (4.x.x) is soft', async () => {
    const full = await classifyRaw(
      dsnFor({
        rcpt: 'a@x.test',
        to: 'me@y.test',
        originalMessageId: '<m@y.test>',
        status: '5.2.2',
        diagnostic: '552 5.2.2 Mailbox full',
      }),
    );
    expect(full.classification.bounce).toMatchObject({ hard: false, status: '5.2.2' });
    const later = await classifyRaw(
      dsnFor({
        rcpt: 'a@x.test',
        to: 'me@y.test',
        originalMessageId: '<m@y.test>',
        status: '4.4.7',
        diagnostic: 'delivery temporarily suspended',
      }),
    );
    expect(later.classification.bounce?.hard).toBe(false);
  });
});

describe('real-world auto-replies (sisimai RFC 3834 samples)', () => {
  it.each(['sisimai-rfc3834-01.eml', 'sisimai-rfc3834-03.eml', 'sisimai-rfc3834-06-zimbra-2017.eml'])(
    '%s is an auto-reply',
    async (file) => {
      expect((await classifyRaw(fixture(`auto-replies/${file}`))).classification.kind).toBe('auto_reply');
    },
  );
  it('an ordinary message is neither a bounce nor an auto-reply', async () => {
    expect((await classifyRaw(fixture('auto-replies/sisimai-is-not-bounce-01.eml'))).classification.kind).toBe('reply');
  });
  it('out-of-office wording in several languages, with return dates', () => {
    expect(parseReturnDate('I am out of the office until March 23, 2026.', REF)).toBe('2026-03-23');
    expect(parseReturnDate('Ich bin bis zum 23. März nicht im Büro.', REF)).toBe('2026-03-23');
    expect(parseReturnDate("Je suis absent jusqu'au 23 mars.", REF)).toBe('2026-03-23');
    expect(parseReturnDate('Estoy fuera de la oficina hasta el 23/03/2026.', REF)).toBe('2026-03-23');
    expect(parseReturnDate('Back on 2026-03-23.', REF)).toBe('2026-03-23');
    expect(parseReturnDate('I will be back on January 5th.', REF)).toBe('2027-01-05');
    expect(parseReturnDate('I am travelling with limited access to email.', REF)).toBeNull();
  });
  it('detects auto-replies by headers and by wording', async () => {
    const base = { from: 'p@x.test', to: 'r@y.test', inReplyTo: '<a@y.test>' };
    expect(
      (await classifyRaw(replyTo({ ...base, body: 'Thanks', headers: ['X-Autoreply: yes'] }))).classification.kind,
    ).toBe('auto_reply');
    expect(
      (await classifyRaw(replyTo({ ...base, body: 'Thanks', headers: ['Precedence: auto_reply'] }))).classification
        .kind,
    ).toBe('auto_reply');
    expect(
      (
        await classifyRaw(
          replyTo({ ...base, subject: 'Abwesenheitsnotiz: Ihre Nachricht', body: 'Ich bin bis 20.03. abwesend.' }),
        )
      ).classification,
    ).toMatchObject({ kind: 'auto_reply', returnDate: '2026-03-20' });
    expect(
      (await classifyRaw(replyTo({ ...base, body: 'Je suis absente du bureau, de retour le 16 mars.' }))).classification
        .kind,
    ).toBe('auto_reply');
    expect(
      (await classifyRaw(replyTo({ ...base, body: 'Thanks, Thursday works. Talk then.' }))).classification.kind,
    ).toBe('reply');
  });
});

describe('human replies', () => {
  it.each(['gmail', 'outlook', 'apple_mail', 'thunderbird', 'yahoo', 'android'])(
    'talon %s: visible text without quoted history',
    async (client) => {
      const { classification: c } = await classifyRaw(fixture(`replies/talon-${client}.eml`));
      expect(c.kind).toBe('reply');
      expect(c.visibleText).toBe('Hello');
    },
  );
  it('cuts wrapped and localized quote headers', () => {
    expect(
      visibleReplyText('Sure, Tuesday.\n\nOn Tue, Mar 10, 2026 at 9:00 AM Riley Rep\n<rep@x.test> wrote:\n\n> Hi'),
    ).toBe('Sure, Tuesday.');
    expect(visibleReplyText('Gern.\n\n-----Ursprüngliche Nachricht-----\nVon: Riley')).toBe('Gern.');
    expect(visibleReplyText('Ok\n\nFrom: Riley Rep\nSent: Tuesday\nTo: Dana\n\nHi Dana')).toBe('Ok');
    const sentence = 'I am out of the office until March 23.\nOn Monday the contract was sent\nand signed.';
    expect(visibleReplyText(sentence)).toBe(sentence);
  });
  it('unsubscribe requests in words; a long reply that mentions it is left to a person', () => {
    for (const t of ['Please remove me from your list.', 'Not interested, stop.', 'unsubscribe', 'Bitte austragen.'])
      expect(isUnsubscribeRequest('Re: hi', t)).toBe(true);
    expect(isUnsubscribeRequest('unsubscribe', '')).toBe(true);
  });
  it('a List-Unsubscribe mailto sent by the mail client is an unsubscribe, not an auto-reply', async () => {
    const raw = replyTo({
      from: 'p@x.test',
      to: 'r@y.test',
      inReplyTo: '<a@y.test>',
      subject: 'unsubscribe',
      body: '',
      headers: ['Auto-Submitted: auto-generated'],
    });
    expect((await classifyRaw(raw)).classification.kind).toBe('unsubscribe');
    expect(isUnsubscribeRequest('Re: hi', 'Tell me more about pricing.')).toBe(false);
    expect(
      isUnsubscribeRequest(
        'Re: hi',
        `${'We are evaluating vendors this quarter. '.repeat(12)} Do not unsubscribe me yet.`,
      ),
    ).toBe(false);
  });
});

describe('prospector inbox classify', () => {
  it('prints kind, bounce details and JSON', async () => {
    const file = new URL('../fixtures/sequencing/bounces/sisimai-lhost-gmail-01.eml', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/prospector.js', 'inbox', 'classify', file, '--json'],
      { cwd: process.cwd() },
    );
    expect(JSON.parse(stdout)).toMatchObject({
      kind: 'bounce',
      bounce: { recipient: 'userunknown@example.jp', status: '5.1.1', hard: true },
    });
    const text = await promisify(execFile)(process.execPath, [
      'bin/prospector.js',
      'inbox',
      'classify',
      new URL('../fixtures/sequencing/replies/talon-gmail.eml', import.meta.url).pathname,
    ]);
    expect(text.stdout).toMatch(/^kind: +reply/m);
    expect(text.stdout).toMatch(/visible text:\n {2}Hello/);
  });
});
