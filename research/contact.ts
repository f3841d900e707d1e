// Who a signal is about when it names nobody: the account's most senior active contact. Pure.
interface ContactLike {
  id: number;
  title: string;
  status: string;
  is_champion?: boolean;
}

const LEVELS: [number, RegExp][] = [
  [6, /\b(chief|ceo|cfo|cto|coo|cro|cmo|cco|cpo|president|founder|co-founder|owner|managing director)\b/i],
  [5, /\b(svp|evp|vp|vice[- ]president)\b/i],
  [4, /\b(head)\b/i],
  [3, /\b(director|directora|diretora|directeur|direktor)\b/i],
  [2, /\b(manager|lead|leiter|gerente)\b/i],
];

export function seniority(title: string): number {
  return LEVELS.find(([, re]) => re.test(title))?.[0] ?? 1;
}

/** The best active contact: most senior title, a champion before others, then the oldest record. */
export function bestContact<C extends ContactLike>(contacts: C[]): C | undefined {
  return contacts
    .filter((c) => c.status === 'active')
    .sort(
      (a, b) =>
        seniority(b.title) - seniority(a.title) || Number(!!b.is_champion) - Number(!!a.is_champion) || a.id - b.id,
    )[0];
}
