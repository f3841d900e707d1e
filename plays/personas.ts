// Personas: who at an account a play wants to reach. Pure functions, tested with tables.
import { z } from 'zod';

export const Seniority = z.enum(['c_level', 'vp', 'head', 'director', 'manager', 'individual']);
export type Seniority = z.infer<typeof Seniority>;

export const Persona = z.object({
  name: z.string().min(1),
  /** Any of these words or phrases in the title makes a match (case-insensitive, word boundaries). */
  titleKeywords: z.array(z.string().min(1)).default([]),
  /** Any of these excludes the title even when a keyword matched. */
  exclusions: z.array(z.string().min(1)).default([]),
  /** Accepted seniorities; empty = any. */
  seniorities: z.array(Seniority).default([]),
  /** Accepted departments; empty = any. */
  departments: z.array(z.string()).default([]),
});
export type Persona = z.infer<typeof Persona>;

const SENIORITY_RANK: Record<Seniority, number> = {
  c_level: 0,
  vp: 1,
  head: 2,
  director: 3,
  manager: 4,
  individual: 5,
};

// Expansions so "VP, Sales", "CRO" and "Head of Revenue" read alike.
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bcro\b/g, 'chief revenue officer'],
  [/\bceo\b/g, 'chief executive officer'],
  [/\bcco\b/g, 'chief commercial officer'],
  [/\bcmo\b/g, 'chief marketing officer'],
  [/\bcoo\b/g, 'chief operating officer'],
  [/\bsvp\b/g, 'senior vice president'],
  [/\bevp\b/g, 'executive vice president'],
  [/\bvp\b/g, 'vice president'],
  [/\bsdr\b/g, 'sales development representative'],
  [/\bbdr\b/g, 'business development representative'],
  [/\bae\b/g, 'account executive'],
  [/\brevops\b/g, 'revenue operations'],
  [/\bdir\b/g, 'director'],
  [/\bmgr\b/g, 'manager'],
  // Common non-English title words, so a Spanish or German title meets the same personas.
  [/\b(ventas|vendas|ventes|vertrieb|vendite)\b/g, 'sales'],
  [/\b(directora|diretora|diretor|directeur|directrice|direktor|direktorin|direttore)\b/g, 'director'],
  [/\b(jefe|jefa|leiter|leiterin|responsable)\b/g, 'head'],
  [/\b(gerente|gestionnaire)\b/g, 'manager'],
  [/\b(comercial|commerciale|kommerziell)\b/g, 'commercial'],
];

function normalizeTitle(title: string): string {
  let t = ` ${title
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')} `;
  t = t.replace(/[^a-z0-9&]+/g, ' ');
  for (const [re, to] of ABBREVIATIONS) t = t.replace(re, to);
  return t.replace(/\s+/g, ' ').trim();
}

export function seniorityOf(title: string): Seniority {
  const t = normalizeTitle(title);
  if (
    /\bchief\b|\bfounder\b|\bco founder\b|\bpresident\b(?!.*\bvice\b)|\bowner\b|\bpartner\b/.test(t) &&
    !/\bvice president\b/.test(t)
  )
    return 'c_level';
  if (/\bvice president\b/.test(t)) return 'vp';
  if (/\bhead\b/.test(t)) return 'head';
  if (/\bdirector\b/.test(t)) return 'director';
  if (/\bmanager\b|\blead\b|\bteam lead\b/.test(t)) return 'manager';
  return 'individual';
}

const DEPARTMENTS: [string, RegExp][] = [
  ['revenue_operations', /\brevenue operations\b|\bsales operations\b|\bsales ops\b/],
  ['sales', /\bsales\b|\brevenue\b|\bcommercial\b|\bbusiness development\b|\baccount executive\b/],
  ['marketing', /\bmarketing\b|\bgrowth\b|\bdemand\b/],
  ['engineering', /\bengineer|\bengineering\b|\bcto\b|\bdeveloper\b|\btechnology\b/],
  ['executive', /\bchief executive officer\b|\bfounder\b|\bgeneral manager\b/],
];

export function departmentOf(title: string): string | undefined {
  const t = normalizeTitle(title);
  return DEPARTMENTS.find(([, re]) => re.test(t))?.[0];
}

function hasPhrase(normalizedTitle: string, phrase: string): boolean {
  const p = normalizeTitle(phrase);
  return p.length > 0 && ` ${normalizedTitle} `.includes(` ${p} `);
}

export function matchesPersona(title: string, persona: Persona): boolean {
  const t = normalizeTitle(title);
  if (!t) return false;
  if (persona.exclusions.some((x) => hasPhrase(t, x))) return false;
  if (persona.titleKeywords.length && !persona.titleKeywords.some((k) => hasPhrase(t, k))) return false;
  if (persona.seniorities.length && !persona.seniorities.includes(seniorityOf(title))) return false;
  if (persona.departments.length) {
    const d = departmentOf(title);
    if (!d || !persona.departments.includes(d)) return false;
  }
  return true;
}

interface Candidate {
  id: number;
  title: string;
  isChampion: boolean;
  /** Replies, clicks, meetings from past sequences: more is better. */
  engagement: number;
}

interface RankedCandidate extends Candidate {
  personaRank: number;
  persona: string;
  seniority: Seniority;
}

/**
 * Contacts matching any persona, best first: persona order, then seniority, then past
 * engagement, then the champion flag, then id (stable).
 */
export function rankCandidates(candidates: Candidate[], personas: Persona[]): RankedCandidate[] {
  const ranked: RankedCandidate[] = [];
  for (const c of candidates) {
    const i = personas.findIndex((p) => matchesPersona(c.title, p));
    if (i < 0) continue;
    ranked.push({ ...c, personaRank: i, persona: personas[i]!.name, seniority: seniorityOf(c.title) });
  }
  return ranked.sort(
    (a, b) =>
      a.personaRank - b.personaRank ||
      SENIORITY_RANK[a.seniority] - SENIORITY_RANK[b.seniority] ||
      b.engagement - a.engagement ||
      Number(b.isChampion) - Number(a.isChampion) ||
      a.id - b.id,
  );
}
