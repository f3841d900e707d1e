// Reply intent by rules in six languages, and the day a "not now" points to, on a fixed
// reference day. Sentences written for this test, not taken from the evaluation set.
import { describe, expect, it } from 'vitest';
import { replyIntentByRules, resumeDate } from '../../sequencing/inbox/reply-rules.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const day = (d: Date | null) => d?.toISOString().slice(0, 10) ?? null;

describe('reply intent by rules', () => {
  it.each([
    ['Bitte streichen Sie mich aus Ihrem Verteiler.', 'unsubscribe'],
    ['Thanks, but my colleague Ana Ruiz looks after tooling: ana@example.org', 'referral'],
    ['Ich bin seit August nicht mehr bei der Firma.', 'wrong_person'],
    ["Ce n'est pas le bon moment pour nous.", 'not_now'],
    ['No nos interesa por ahora, gracias.', 'not_interested'],
    ['Kunnen we donderdag om 15 uur bellen?', 'meeting_request'],
    ['Parece interessante, pode me mandar mais detalhes?', 'interested'],
    ['Does it work with Pipedrive?', 'question'],
    ['I am out of the office until Monday.', 'other'],
  ])('%s → %s', (text, intent) => {
    expect(replyIntentByRules(text, NOW).intent).toBe(intent);
  });

  it('reads the day a "not now" points to, in the reply\'s language', () => {
    expect(day(resumeDate('Try again in May, after our budget round.', NOW))).toBe('2027-05-01');
    expect(day(resumeDate('Bitte melden Sie sich im Februar wieder.', NOW))).toBe('2027-02-01');
    expect(day(resumeDate('Revenez vers moi après le 20 janvier.', NOW))).toBe('2027-01-20');
    expect(day(resumeDate('Let us talk next quarter.', NOW))).toBe('2027-01-01');
    expect(day(resumeDate('Bel me na de zomer.', NOW))).toBe('2027-09-01');
    expect(day(resumeDate('Not now, sorry.', NOW))).toBeNull();
    expect(replyIntentByRules('Not now; back from leave on March 3rd.', NOW)).toMatchObject({ intent: 'not_now' });
    expect(day(replyIntentByRules('Not now; back from leave on March 3rd.', NOW).resumeAt)).toBe('2027-03-03');
  });
});
