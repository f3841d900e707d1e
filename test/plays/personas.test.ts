import { describe, expect, it } from 'vitest';
import { checkAddress } from '../../plays/address-check.js';
import { departmentOf, matchesPersona, Persona, rankCandidates, seniorityOf } from '../../plays/personas.js';

const salesLeader = Persona.parse({
  name: 'Sales leader',
  titleKeywords: ['sales', 'revenue', 'commercial', 'business development'],
  exclusions: ['sales engineer', 'engineer', 'intern', 'assistant'],
  seniorities: ['c_level', 'vp', 'head', 'director'],
});
const sdrLeader = Persona.parse({
  name: 'SDR leader',
  titleKeywords: ['sales development', 'sdr', 'bdr'],
  seniorities: ['manager', 'director', 'head'],
});

describe('persona matching', () => {
  it.each([
    ['VP, Sales', true, 'vp', 'sales'],
    ['Head of Revenue', true, 'head', 'sales'],
    ['Chief Revenue Officer', true, 'c_level', 'sales'],
    ['CRO', true, 'c_level', 'sales'],
    ['SVP Global Sales', true, 'vp', 'sales'],
    ['Director, Business Development (EMEA)', true, 'director', 'sales'],
    ['Sales Engineer', false, 'individual', 'sales'],
    ['Senior Sales Engineer', false, 'individual', 'sales'],
    ['SDR Manager', false, 'manager', 'sales'],
    ['Account Executive', false, 'individual', 'sales'],
    ['VP of Engineering', false, 'vp', 'engineering'],
    ['Sales Intern', false, 'individual', 'sales'],
    ['Directora de Ventas', true, 'director', 'sales'],
  ])('%s → sales leader %s (%s, %s)', (title, expected, seniority, dept) => {
    expect(matchesPersona(title, salesLeader)).toBe(expected);
    expect(seniorityOf(title)).toBe(seniority);
    expect(departmentOf(title)).toBe(dept);
  });

  it.each([
    ['SDR Manager', true],
    ['Manager, Sales Development', true],
    ['Head of BDR', true],
    ['SDR', false],
    ['VP Sales', false],
  ])('%s → SDR leader %s', (title, expected) => {
    expect(matchesPersona(title, sdrLeader)).toBe(expected);
  });

  it('does not match inside words', () => {
    const p = Persona.parse({ name: 'x', titleKeywords: ['sales'] });
    expect(matchesPersona('Wholesalesman', p)).toBe(false);
    expect(matchesPersona('Presales Lead', p)).toBe(false);
  });
});

describe('ranking candidates', () => {
  it('orders by persona, then seniority, then engagement, then champion, and drops non-matches', () => {
    const ranked = rankCandidates(
      [
        { id: 1, title: 'Director of Sales', isChampion: false, engagement: 0 },
        { id: 2, title: 'VP Sales', isChampion: false, engagement: 0 },
        { id: 3, title: 'SDR Manager', isChampion: false, engagement: 5 },
        { id: 4, title: 'Director, Sales', isChampion: true, engagement: 0 },
        { id: 5, title: 'Director of Sales EMEA', isChampion: false, engagement: 2 },
        { id: 6, title: 'Sales Engineer', isChampion: true, engagement: 9 },
      ],
      [salesLeader, sdrLeader],
    );
    expect(ranked.map((r) => r.id)).toEqual([2, 5, 4, 1, 3]);
    expect(ranked.at(-1)!.persona).toBe('SDR leader');
  });
});

describe('address check', () => {
  const mx = (map: Record<string, string[] | Error>) => async (d: string) => {
    const v = map[d];
    if (v instanceof Error) throw v;
    if (!v) throw Object.assign(new Error('queryMx ENOTFOUND'), { code: 'ENOTFOUND' });
    return v.map((exchange, priority) => ({ exchange, priority }));
  };
  it('accepts an address whose domain has MX, and says why it refuses others', async () => {
    const resolve = mx({
      'good.example': ['mx1.good.example'],
      'nullmx.example': ['.'],
      'down.example': Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(await checkAddress('pat@good.example', resolve)).toEqual({ ok: true });
    expect(await checkAddress('pat@nomx.example', resolve)).toEqual({
      ok: false,
      reason: 'nomx.example has no MX record (ENOTFOUND)',
    });
    expect(await checkAddress('pat@nullmx.example', resolve)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('accepts no mail'),
    });
    expect(await checkAddress('not-an-address', resolve)).toMatchObject({ ok: false });
    expect(await checkAddress('pat@down.example', resolve)).toMatchObject({ ok: false, temporary: true });
  });
});

describe('drafting angle', () => {
  it('tells the model which persona the contact was chosen as, and says nothing when none', async () => {
    const { buildDraftPrompt } = await import('../../drafting/prompt.js');
    const { inputFor } = await import('../drafting/inputs.js');
    const base = inputFor('funding');
    const withPersona = buildDraftPrompt({ ...base, contact: { ...base.contact, persona: 'Revenue operations' } });
    const text = JSON.stringify(withPersona.messages);
    expect(text).toContain('Chosen as: Revenue operations.');
    expect(JSON.stringify(buildDraftPrompt(base).messages)).not.toContain('Chosen as:');
  });
});

describe('persona lines (the plays form)', () => {
  it('parses what RevOps type and prints it back the same', async () => {
    const { parsePersonaLines, personaLines } = await import('../../plays/persona-lines.js');
    const text =
      'Sales leadership: sales, revenue; exclude: engineer, intern; seniority: vp, head, director\nRevOps: revenue operations';
    const { personas, errors } = parsePersonaLines(text);
    expect(errors).toEqual([]);
    expect(personas[0]).toMatchObject({
      name: 'Sales leadership',
      titleKeywords: ['sales', 'revenue'],
      exclusions: ['engineer', 'intern'],
      seniorities: ['vp', 'head', 'director'],
    });
    expect(personaLines(personas)).toBe(text);
    expect(parsePersonaLines('no colon here\nX: a; seniority: boss').errors).toEqual([
      'line 1: start with a name and a colon, e.g. "Sales leadership: sales, revenue"',
      'line 2: seniority must be among c_level, vp, head, director, manager, individual (got boss)',
    ]);
  });
});
