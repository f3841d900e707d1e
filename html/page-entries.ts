// What a watched page lists: links with titles (a newsroom) or people with titles (a team
// page), by CSS selectors when given, else by a sensible guess. Pure: HTML in, list out.
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { absolute } from './url.js';

export interface PageEntry {
  key: string;
  title: string;
  url: string | null;
  person?: string;
  role?: string;
}

interface ExtractOptions {
  mode: 'links' | 'people';
  /** Each matching element is one entry. */
  itemSelector?: string;
  /** Within an entry: the title (links) or the person's name (people). */
  titleSelector?: string;
  /** Within an entry: the person's job title. */
  roleSelector?: string;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();
const BOILERPLATE = 'nav, header, footer, aside, script, style, noscript, form, [role=navigation]';

/** A path of tag.class names: entries of one list share it, boilerplate links do not. */
function signature($: cheerio.CheerioAPI, el: Element): string {
  const parts: string[] = [];
  let cur: Element | null = el;
  for (let i = 0; cur && i < 4; i++) {
    const cls = ($(cur).attr('class') ?? '').split(/\s+/).filter(Boolean).sort().slice(0, 2).join('.');
    parts.push(cur.tagName + (cls ? '.' + cls : ''));
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison -- domhandler's enum is not our dependency
    cur = cur.parent && (cur.parent as AnyNode).type === 'tag' ? (cur.parent as Element) : null;
  }
  return parts.join('<');
}

function links($: cheerio.CheerioAPI, base: string, o: ExtractOptions): PageEntry[] {
  const out: PageEntry[] = [];
  if (o.itemSelector) {
    $(o.itemSelector).each((_, el) => {
      const node = $(el);
      const a = node.is('a') ? node : node.find('a[href]').first();
      const title = clean((o.titleSelector ? node.find(o.titleSelector).first() : a.length ? a : node).text());
      const url = absolute(a.attr('href'), base);
      if (title) out.push({ key: url ?? title, title, url });
    });
    return out;
  }
  $(BOILERPLATE).remove();
  const groups = new Map<string, PageEntry[]>();
  $('a[href]').each((_, el) => {
    const title = clean($(el).text());
    const url = absolute($(el).attr('href'), base);
    if (!url || title.length < 15 || title.length > 300 || url.split('#')[0] === base.split('#')[0]) return;
    const sig = signature($, el);
    const g = groups.get(sig) ?? [];
    if (!g.some((e) => e.key === url)) g.push({ key: url, title, url });
    groups.set(sig, g);
  });
  // The biggest group of alike links is the list; ties go to the first on the page.
  let best: PageEntry[] = [];
  for (const g of groups.values()) if (g.length > best.length) best = g;
  return best;
}

const ROLE_WORDS = new RegExp(
  [
    String.raw`\b(chief|officer|ceo|cfo|cto|coo|cro|cmo|vp|vice president|head|director|founder|president|manager|`,
    String.raw`lead|partner|chair|gm|general manager|svp|evp)\b`,
  ].join(''),
  'i',
);

function people($: cheerio.CheerioAPI, o: ExtractOptions): PageEntry[] {
  const out: PageEntry[] = [];
  const push = (person: string, role: string) => {
    if (!person || person.length > 80 || out.some((p) => p.key === person.toLowerCase())) return;
    out.push({ key: person.toLowerCase(), title: role ? `${person}, ${role}` : person, url: null, person, role });
  };
  if (o.itemSelector) {
    $(o.itemSelector).each((_, el) => {
      const node = $(el);
      push(
        clean(
          node
            .find(o.titleSelector ?? 'h2, h3, h4, strong')
            .first()
            .text(),
        ),
        clean(
          node
            .find(o.roleSelector ?? 'p, span')
            .first()
            .text(),
        ),
      );
    });
    return out;
  }
  $(BOILERPLATE).remove();
  $('h2, h3, h4, h5, strong, b, .name').each((_, el) => {
    const name = clean($(el).text());
    if (!/^[\p{Lu}][\p{L}'’.-]+(?: [\p{Lu}][\p{L}'’.-]+){1,3}$/u.test(name)) return;
    const next = $(el).next();
    const role = clean((next.length ? next : $(el).parent().children().not(el).first()).text());
    if (role && role.length < 120 && ROLE_WORDS.test(role)) push(name, role);
  });
  return out;
}

export function extractEntries(html: string, baseUrl: string, o: ExtractOptions): PageEntry[] {
  const $ = cheerio.load(html);
  return (o.mode === 'people' ? people($, o) : links($, baseUrl, o)).slice(0, 500);
}

/** Entries not in the previous snapshot; people whose role changed come back as changed. */
export function diffEntries(
  previous: PageEntry[] | null,
  current: PageEntry[],
): { added: PageEntry[]; changed: PageEntry[] } {
  if (!previous) return { added: [], changed: [] };
  const before = new Map(previous.map((e) => [e.key, e]));
  const added = current.filter((e) => !before.has(e.key));
  const changed = current.filter(
    (e) => e.role !== undefined && before.has(e.key) && (before.get(e.key)!.role ?? '') !== e.role,
  );
  return { added, changed };
}

/** True when a page's HTML carries little text and scripts: probably rendered in the browser. */
export function looksScriptRendered(html: string): boolean {
  const $ = cheerio.load(html);
  const scripts = $('script').length;
  $('script, style, noscript').remove();
  return scripts > 0 && clean($('body').text()).length < 200;
}
