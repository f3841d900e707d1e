// Pure view code: funnel merging and conversions, CSV (with spreadsheet-formula guarding), SVG
// escaping, gate texts, link safety, form parsing and date ranges. No database, no clock.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dateRange } from '../../review-ui/routes/dashboard.js';
import { mappingFromForm } from '../../review-ui/routes/settings-imports.js';
import { templateFromForm } from '../../review-ui/routes/settings-templates.js';
import { stepEditsFromForm } from '../../review-ui/routes/draft.js';
import { ago, inZone, zoneOf } from '../../review-ui/format.js';
import { barChart } from '../../review-ui/views/bar-chart.js';
import { buildFunnel, contactsPerSignal, conversions, funnelCsv } from '../../review-ui/views/dashboard-funnel.js';
import { gateText } from '../../review-ui/views/draft-actions.js';
import { safeHref } from '../../review-ui/views/draft-facts.js';

const seq = (
  key: string,
  n: Partial<Record<'drafted' | 'approved' | 'sent' | 'replied' | 'positive' | 'meetings' | 'sequences', number>>,
  ms: number | null = null,
) => ({
  key,
  drafted: 0,
  approved: 0,
  sent: 0,
  replied: 0,
  positive: 0,
  meetings: 0,
  sequences: n.drafted ?? 0,
  ...n,
  signal_to_first_send_ms: ms,
});

describe('funnel view model', () => {
  it('merges signal and sequence stages by key and totals them', () => {
    const { rows, total } = buildFunnel(
      [
        { key: 'funding', signals: 10, matched: 8 },
        { key: 'news', signals: 5, matched: 1 },
      ],
      [
        seq('funding', { drafted: 6, approved: 4, sent: 4, replied: 2, positive: 1, meetings: 1 }, 3_600_000),
        seq('news', { drafted: 1, approved: 1, sent: 2 }, 7_200_000),
      ],
      true,
    );
    expect(rows.map((r) => r.key)).toEqual(['funding', 'news']);
    expect(total.counts).toEqual({
      signals: 15,
      matched: 9,
      drafted: 7,
      approved: 5,
      sent: 6,
      replied: 2,
      positive: 1,
      meetings: 1,
    });
    expect(total.signalToFirstSendMs).toBe((4 * 3_600_000 + 2 * 7_200_000) / 6);
    expect(conversions(rows[0]!)).toMatchObject({ signals: '', matched: '80%', drafted: '75%', replied: '50%' });
  });

  it('counts stages in signals: the total comes from the workspace-wide row, contacts per signal apart', () => {
    // One signal drafted for two reps' contacts: one row each, but one signal in the total.
    const { rows, total } = buildFunnel(
      [{ key: null, signals: 1, matched: 1 }],
      [seq('Ann', { drafted: 1, sequences: 2 }), seq('Bo', { drafted: 1, sequences: 1 })],
      false,
      seq('All', { drafted: 1, sent: 1, sequences: 3 }),
    );
    expect(rows).toHaveLength(2);
    expect(total.counts).toMatchObject({ signals: 1, matched: 1, drafted: 1, sent: 1 });
    expect(conversions(total).drafted).toBe('100%');
    expect(total.sequences).toBe(3);
    expect(contactsPerSignal(total)).toBe('3.0');
  });

  it('leaves signal stages empty where the dimension has no signal-level key (template)', () => {
    const { rows, total } = buildFunnel([{ key: null, signals: 3, matched: 2 }], [seq('Short', { drafted: 2 })], false);
    expect(rows[0]!.counts.signals).toBeNull();
    expect(conversions(rows[0]!).drafted).toBe('');
    expect(total.counts.signals).toBe(3);
  });

  it('exports CSV with quoting and formula guarding', () => {
    const { rows, total } = buildFunnel(
      [{ key: '=HYPERLINK("x")', signals: 1, matched: 1 }],
      [seq('=HYPERLINK("x")', { drafted: 1, sent: 1, replied: 1 })],
      true,
    );
    const lines = funnelCsv('source', rows, total).split('\r\n');
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""x""\)",1,1,1,0,1,1,0,0,1,1\.0000,0\.0000,$/);
  });

  it('escapes labels inside SVG charts', () => {
    const svg = barChart('c', 'T <b>', [{ label: '<script>x</script>', value: 3 }]).value;
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('draft view helpers', () => {
  it('describes gate failures of any shape', () => {
    expect(gateText('plain')).toBe('plain');
    expect(gateText({ gate: 'grounding', message: 'unsupported $5M', position: 1 })).toBe(
      'grounding: unsupported $5M (step 2)',
    );
    expect(gateText({ code: 'length', items: ['too long'] })).toBe('length: too long');
  });

  it('links only http(s) URLs', () => {
    expect(safeHref('https://a.example/x?y=1')).toBe('https://a.example/x?y=1');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,x')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
  });

  it('reads step edits from the form by position', () => {
    expect(stepEditsFromForm({ positions: ['0', '1'], subject_0: 'S', body_0: 'B', body_1: 'C' })).toEqual([
      { position: 0, subject: 'S', body: 'B' },
      { position: 1, subject: '', body: 'C' },
    ]);
    expect(stepEditsFromForm({ positions: '2', subject_2: 'X', body_2: 'Y' })).toEqual([
      { position: 2, subject: 'X', body: 'Y' },
    ]);
  });

  it('formats times in zones and ages against a given now', () => {
    const at = new Date('2026-03-10T14:00:00Z');
    expect(inZone(at, 'America/New_York')).toBe('Tue 10 Mar 2026, 10:00 EDT');
    expect(inZone(at, 'Nowhere/Else')).toBe('Tue 10 Mar 2026, 14:00 UTC');
    expect(ago(at, new Date('2026-03-10T17:00:00Z'))).toBe('3 h ago');
    expect(zoneOf(null, 'Bad/Zone', 'Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('formats UTC (without luxon) exactly as luxon does', () => {
    // Every weekday, month, hour and minute over 32 years, and a leap day.
    const times = [Date.UTC(2028, 1, 29, 23, 59), Date.UTC(999, 0, 1)];
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2031, 0, 1); t += 7_777_777) times.push(t);
    for (const t of times) {
      const at = new Date(t);
      const luxon = DateTime.fromJSDate(at, { zone: 'UTC' }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
      expect(inZone(at, 'UTC')).toBe(luxon);
      expect(inZone(at, null)).toBe(luxon);
    }
  });
});

describe('settings forms', () => {
  it('turns the template form into steps, branches and windows', () => {
    const t = templateFromForm({
      name: 'T',
      step_kind_0: 'opener',
      step_delay_0: '0',
      step_kind_2: 'breakup',
      step_delay_2: '5',
      step_branch_2: 'not_clicked',
      window_days: ['1', '3'],
      window_start: '08:30',
      window_end: '10:00',
      fallback_on: '1',
      fallback_days: '5',
      fallback_start: '09:00',
      fallback_end: '17:00',
      fallback_after_days: '2',
    });
    expect(t.steps).toEqual([
      { kind: 'opener', delayDays: 0, newThread: false, branch: null },
      { kind: 'breakup', delayDays: 5, newThread: false, branch: { when: 'not_clicked' } },
    ]);
    expect(t.window).toEqual({ days: [1, 3], start: '08:30', end: '10:00' });
    expect(t.fallback).toEqual({ days: [5], start: '09:00', end: '17:00' });
    expect(() =>
      templateFromForm({
        name: 'T',
        step_kind_0: 'opener',
        window_days: '1',
        window_start: '25:00',
        window_end: '10:00',
      }),
    ).toThrow(/a time like 09:00/);
  });

  it('keeps an explicit "not imported" choice in the column mapping', () => {
    expect(mappingFromForm('contacts', { map_email: 'Work Email', map_title: '', other: 'x' })).toEqual({
      email: 'Work Email',
      title: '',
    });
  });

  it('turns dashboard dates into a half-open range in the viewer’s zone', () => {
    const r = dateRange({ from: '2026-03-01', to: '2026-03-31' }, 'America/New_York');
    expect(r.from.toISOString()).toBe('2026-03-01T05:00:00.000Z');
    expect(r.to.toISOString()).toBe('2026-04-01T04:00:00.000Z');
    expect(dateRange({}, 'UTC', new Date('2026-03-10T12:00:00Z'))).toMatchObject({
      fromDay: '2026-02-09',
      toDay: '2026-03-10',
    });
    expect(() => dateRange({ from: '2026-03-05', to: '2026-03-01' }, 'UTC')).toThrow(/on or before/);
  });
});
