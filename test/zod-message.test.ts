// The words zod's refusals become (issue 16): pure, no database.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { fieldLabel, issues } from '../zod-message.js';

const said = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a refusal');
  return issues(r.error);
};

it('labels a field in words, with acronyms in capitals', () => {
  expect(fieldLabel(['daily_cap'])).toBe('Daily cap');
  expect(fieldLabel(['company', 'timeZone'])).toBe('Company time zone');
  expect(fieldLabel(['linkedin_url'])).toBe('Linkedin URL');
  expect(fieldLabel(['contactIds', 0])).toBe('Contact ids item 1');
  expect(fieldLabel([])).toBe('The value');
});

it("words zod's own texts and keeps a schema's sentence that names its field whole", () => {
  const S = z.object({
    name: z.string().trim().min(1),
    time_zone: z.string().refine((s) => s.includes('/'), 'time zone must be an IANA name like Europe/Berlin'),
    domain: z.string().refine((s) => s.includes('.'), 'not a domain like acme.com'),
    url: z.url('url must be an http(s) link'),
  });
  expect(said(S, { name: ' ', time_zone: 'Mars', domain: 'x', url: 'nope' })).toBe(
    [
      'Name must not be empty',
      'Time zone must be an IANA name like Europe/Berlin',
      'domain: not a domain like acme.com',
      'URL must be an http(s) link',
    ].join('; '),
  );
});

it('does not take a message for a sentence when it only starts with the same letters', () => {
  const S = z.object({ to: z.string().refine(() => false, 'today or later') });
  expect(said(S, { to: 'x' })).toBe('to: today or later');
});

it('words a JSON boolean as true or false, what the API takes', () => {
  expect(said(z.object({ enabled: z.boolean() }), { enabled: 'yes' })).toBe('Enabled must be true or false');
});

it("names a field by the form's label, the JSON keys below it quoted, and puts it before a schema's predicate", () => {
  const labels = { pollIntervalMinutes: 'Poll every (minutes)', config: 'Settings' };
  const S = z.object({
    pollIntervalMinutes: z.number().int().min(5),
    config: z.record(z.string(), z.object({ maxAgeDays: z.number() }), { error: 'must be a JSON object' }),
    name: z.string().min(1),
  });
  expect(issues(S.safeParse({ pollIntervalMinutes: 2, config: [], name: '' }).error!, labels)).toBe(
    'Poll every (minutes) must be at least 5; Settings must be a JSON object; Name must not be empty',
  );
  expect(
    issues(S.safeParse({ pollIntervalMinutes: 5, config: { a: { maxAgeDays: 'x' } }, name: 'n' }).error!, labels),
  ).toBe('Settings “a” “maxAgeDays” must be a number');
  expect(fieldLabel(['config', 'keywords', 0], labels)).toBe('Settings “keywords” item 1');
});
