// A competitor being bought is a reason to write to every account that uses it: its roadmap,
// pricing and support are about to change owners. RevOps lists the workspace's competitors in
// the workspace settings (a name and its aliases per line) and marks the accounts that use one
// with the tag `competitor:<name>` (an import's tags column, or the account page). An
// acquisition whose target is a listed competitor fans out to one signal per such account, with
// the account's role `competitor`. Pure.
import { nameIn, type Parties } from './acquisition.js';
import { nameWords } from './match.js';

export interface Competitor {
  name: string;
  aliases: string[];
  /** The account tag that says "this account uses it". */
  tag: string;
}

/** `competitor:` and the name's words joined by hyphens: "Sales Loft, Inc." → "competitor:sales-loft". */
function competitorTag(name: string): string {
  const words = nameWords(name);
  return `competitor:${(words.length ? words : [name.trim().toLowerCase()]).join('-')}`;
}

/** One competitor per line: its name, then any aliases, separated by commas. */
export function parseCompetitors(text: string): Competitor[] {
  const seen = new Set<string>();
  const out: Competitor[] = [];
  for (const line of text.split('\n')) {
    const [name, ...aliases] = line
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!name) continue;
    const tag = competitorTag(name);
    if (seen.has(tag)) continue;
    seen.add(tag);
    out.push({ name: name.slice(0, 200), aliases: aliases.map((a) => a.slice(0, 200)).slice(0, 20), tag });
  }
  return out.slice(0, 100);
}

/** The competitors stored in a workspace's settings (absent or malformed: none). */
export function competitorsOf(settings: unknown): Competitor[] {
  const list = (settings as { competitors?: unknown } | null | undefined)?.competitors;
  if (!Array.isArray(list)) return [];
  return list.flatMap((c: unknown) => {
    const o = c as { name?: unknown; aliases?: unknown };
    if (typeof o?.name !== 'string' || !o.name.trim()) return [];
    const aliases = Array.isArray(o.aliases) ? o.aliases.filter((a): a is string => typeof a === 'string') : [];
    return [{ name: o.name, aliases, tag: competitorTag(o.name) }];
  });
}

/** The listed competitor this deal buys, if any (a competitor buying someone else is not the signal). */
export function competitorBought(parties: Parties, competitors: Competitor[]): Competitor | null {
  if (!parties.target) return null;
  return competitors.find((c) => nameIn(parties.target, [c.name, ...c.aliases])) ?? null;
}
