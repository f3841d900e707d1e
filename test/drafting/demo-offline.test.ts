// The offline drafter over every demo story, as research hands it over (the article's own
// sentences as facts, the demo account and contact, the demo playbook): each draft passes every
// gate, so the demo's queue is not full of flags the drafter made itself. Pure, no database.
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_PLAYBOOK, DEFAULT_TEMPLATE_STEPS } from '../../demo/data.js';
import { DEMO_STORIES } from '../../demo/stories.js';
import { draftOffline } from '../../drafting/offline.js';
import type { DraftInput } from '../../drafting/schema.js';

const TYPES: [RegExp, string][] = [
  [/raises|lands|closes|seed|series/i, 'funding'],
  [/appoints|joins|names/i, 'job_change'],
  [/hiring|hires/i, 'hiring'],
];

function inputFor(path: string): DraftInput | undefined {
  const story = DEMO_STORIES[path]!;
  const account = DEMO_ACCOUNTS.find((a) => story.title.includes(a.name));
  if (!account) return undefined;
  const contact = account.contacts[0]!;
  const url = `https://news.example/${path}`;
  return {
    signal: {
      id: 1,
      type: TYPES.find(([re]) => re.test(story.title))?.[1] ?? 'news',
      subtype: null,
      title: story.title,
      summary: story.paragraphs[0] ?? '',
      url,
      facts: {},
    },
    account: {
      id: 1,
      name: account.name,
      domain: account.domain,
      aliases: account.aliases ?? [],
      country: account.country,
    },
    contact: {
      id: 1,
      firstName: contact.first,
      lastName: contact.last,
      title: contact.title,
      email: `x@${account.domain}`,
    },
    sender: { name: 'Riley Rep', emails: ['rep@demo.example'], bookingUrl: 'https://cal.example/riley' },
    playbook: DEMO_PLAYBOOK,
    footer: { signature: 'Riley Rep\nProspector Demo Co', physicalAddress: 'Prospector Demo Co, 1 Example Street' },
    organization: { name: account.name, website: account.domain },
    facts: story.paragraphs.map((p, i) => ({
      id: 100 + i,
      kind: 'company',
      text: p,
      quote: p,
      sourceUrl: url,
      flags: [],
    })),
    steps: DEFAULT_TEMPLATE_STEPS,
  };
}

const cases = Object.keys(DEMO_STORIES)
  .map((path) => [path, inputFor(path)] as const)
  .filter((c): c is readonly [string, DraftInput] => !!c[1]);

describe('offline drafts of the demo stories', () => {
  it('cover stories of every demo signal type', () => {
    expect(new Set(cases.map(([, i]) => i.signal.type))).toEqual(new Set(['funding', 'job_change', 'news']));
  });

  it.each(cases)('%s passes every gate', (_path, input) => {
    expect(draftOffline(input).failures).toEqual([]);
  });
});
