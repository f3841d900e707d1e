// Small pure helpers for untrusted text: HTML to plain text, link extraction, dates.
import * as cheerio from 'cheerio';
import { DateTime } from 'luxon';
import { absolute } from '../html/url.js';

/** Plain text of an HTML fragment (or of text that merely contains entities). */
export function htmlToText(fragment: string | undefined | null, max = 2000): string {
  if (!fragment) return '';
  const text = /[<&]/.test(fragment) ? cheerio.load(`<div>${fragment}</div>`)('div').first().text() : fragment;
  return text.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** Absolute http(s) hrefs in an HTML fragment, resolved against `base`. */
export function linksIn(fragment: string | undefined | null, base: string): string[] {
  if (!fragment || !fragment.includes('href')) return [];
  const $ = cheerio.load(fragment);
  const out = new Set<string>();
  $('a[href]').each((_, el) => {
    const u = absolute($(el).attr('href'), base);
    if (u) out.add(u);
  });
  return [...out].slice(0, 50);
}

const ODD_FORMATS = [
  'yyyy-MM-dd HH:mm:ss',
  'yyyy-MM-dd',
  'dd/MM/yyyy',
  'MMMM d, yyyy',
  'MMM d, yyyy',
  'd MMMM yyyy',
  'EEE, d MMM yyyy HH:mm:ss',
];

/** A date from the many shapes feeds use; null when missing, unreadable or absurd. */
export function parseDate(value: string | undefined | null, now = new Date()): Date | null {
  if (!value) return null;
  const s = value.trim().replace(/\s+/g, ' ');
  let d: Date | null = new Date(s);
  if (Number.isNaN(d.getTime())) {
    d = null;
    const cleaned = s.replace(/\s+(?:[A-Z]{2,5}|[+-]\d{4})$/, '');
    for (const f of ODD_FORMATS) {
      const dt = DateTime.fromFormat(cleaned, f, { zone: 'UTC', locale: 'en' });
      if (dt.isValid) {
        d = dt.toJSDate();
        break;
      }
    }
  }
  if (!d) return null;
  // A date far in the future is a broken feed, not news from the future.
  if (d.getTime() > now.getTime() + 2 * 86_400_000 || d.getUTCFullYear() < 1995) return null;
  return d;
}

export const hostOf = (url: string | null | undefined): string | null => {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
};

/** The first `max` UTF-16 units, never ending in half of a pair (jsonb refuses a lone surrogate). */
export function cut(s: string, max: number): string {
  const c = s.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(c) ? c.slice(0, -1) : c;
}
