// Who bought whom, from a headline already known to be about an acquisition: the acquirer and
// the target as written, so matching can say whether our account is buying or being bought.
// "A acquires B", "B acquired by A", "B wird von A übernommen", "B、Aが買収", "A、Bを買収". Pure.
import { ACQUIRE_ACTIVE, ACQUIRE_PASSIVE } from './lexicon.js';
import { nameWords } from './match.js';

export interface Parties {
  acquirer: string | null;
  target: string | null;
}

const CAP_RUN = /((?:[\p{Lu}\d][\p{L}\p{N}.&'’-]*)(?:\s+(?:[\p{Lu}\d&][\p{L}\p{N}.&'’-]*|of|de|and|for))*)/gu;

/** The last run of capitalised words: "Berlin forecasting startup Prognos" → "Prognos". */
function lastName(span: string): string | null {
  const runs = [...span.matchAll(CAP_RUN)].map((m) => m[1]!.trim());
  const run = runs[runs.length - 1];
  return run && run.length <= 80 ? run.replace(/[.,:;]+$/, '') : null;
}

/** The first name after the verb, up to a comma or a word that ends the name phrase. */
function nameAfter(span: string): string | null {
  const head = span.split(
    /,|;|\s[–—-]\s|\s(?:for|in|to|from|as|after|amid|para|pour|für|voor|för|por|em|en|in)\s/u,
  )[0]!;
  return lastName(head);
}

function nameBefore(span: string): string | null {
  const head = span
    .replace(/[,:]\s*$/, '')
    .split(/:\s/)
    .pop()!;
  return lastName(head);
}

const JA_NAME = /([\p{Script=Katakana}\p{Script=Han}\p{Script=Hiragana}A-Za-z0-9ー・]+?)$/u;

function japanese(title: string): Parties | null {
  const passive = /^(.+?)、(.+?)が買収/u.exec(title);
  if (passive) return { target: passive[1]!.trim(), acquirer: passive[2]!.trim() };
  const active = /^(.+?)、(?:.*の)?(.+?)を(?:買収|子会社化)/u.exec(title);
  if (active) return { acquirer: active[1]!.trim(), target: active[2]!.trim() };
  const ga = /^(.+?)が(?:.*の)?(.+?)を(?:買収|子会社化)/u.exec(title);
  if (ga) return { acquirer: ga[1]!.trim(), target: JA_NAME.exec(ga[2]!)?.[1] ?? ga[2]!.trim() };
  return null;
}

export function acquisitionParties(title: string): Parties {
  if (/[\p{Script=Han}\p{Script=Katakana}\p{Script=Hiragana}]/u.test(title)) {
    const ja = japanese(title);
    if (ja) return ja;
  }
  const passive = ACQUIRE_PASSIVE.exec(title);
  if (passive) {
    const before = title.slice(0, passive.index);
    const after = title.slice(passive.index + passive[0].length);
    // "B wird von A übernommen": the acquirer sits inside the match.
    const inner = /\bvon\s+(.+?)\s+übernommen/iu.exec(passive[0]);
    return {
      target: nameBefore(before.replace(/\s+(?:is|was|will be|to be|wird|é|es|est|wordt|har)\s*$/iu, '')),
      acquirer: inner ? lastName(inner[1]!) : nameAfter(after),
    };
  }
  const active = ACQUIRE_ACTIVE.exec(title);
  if (active) {
    const before = title.slice(0, active.index);
    const after = title.slice(active.index + active[0].length);
    // "A neemt B over": the target sits inside the match.
    const inner = /^neemt\s+(.+?)\s+over$/iu.exec(active[0]);
    return {
      acquirer: nameBefore(before.replace(/\s+(?:agrees|has agreed|will|to|is set)\s*$/iu, '')),
      target: inner ? lastName(inner[1]!) : nameAfter(after),
    };
  }
  return { acquirer: null, target: null };
}

/** Does this account name (or alias) appear in the party's name? */
export function nameIn(party: string | null, names: string[]): boolean {
  if (!party) return false;
  const hay = ` ${nameWords(party).join(' ')} `;
  return names.some((n) => {
    const w = nameWords(n).join(' ');
    return w.length > 0 && (hay.includes(` ${w} `) || party.includes(n));
  });
}

/** The matched account's side of the deal. */
export function roleOf(parties: Parties, names: string[]): 'acquirer' | 'target' | null {
  if (nameIn(parties.target, names)) return 'target';
  if (nameIn(parties.acquirer, names)) return 'acquirer';
  return null;
}
