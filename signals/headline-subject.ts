// Which company a headline is about: the run of capitalised words before its verb (English
// verbs first, then any verb the caller knows, with Japanese read up to its first comma).

const SUBJECT_STOP = new RegExp(
  [
    String.raw`\s+(?:has |have |will |is |to |said |says |officially |quietly |reportedly )?(?:rais|secur|clos|land|`,
    String.raw`nab|bag|snag|get|receiv|attract|pick|scor|pull|haul|announc|complet|obtain|appoint|name|hire|tap|`,
    String.raw`promot|welcom|elevat|acquir|buy|bought|snap|merg|launch|unveil|introduc|debut|roll|releas|expand|open|`,
    String.raw`enter|partner|team|join|lay|laid|cut|slash|reduc|eliminat|plan)\w*\b`,
  ].join(''),
  'i',
);

/** The run of capitalised words (with "of", "de", "and", "for") that ends `head`, if not too long. */
function trailingName(head: string): string | null {
  const run = /((?:[\p{Lu}\d][\p{L}\p{N}.&'’-]*)(?:\s+(?:[\p{Lu}\d&][\p{L}\p{N}.&'’-]*|of|de|and|for))*)\s*$/u.exec(
    head,
  )?.[1];
  return run && run.length <= 80 ? run.trim() : null;
}

/** The company a headline is about: the capitalised words before its verb. */
export function headlineSubject(title: string): string | null {
  const m = SUBJECT_STOP.exec(title);
  if (!m || m.index === 0) return null;
  return trailingName(title.slice(0, m.index).replace(/['’]s$/, ''));
}

function subjectAt(title: string, index: number): string | null {
  const before = title.slice(0, index).replace(/[,:、]\s*$/, '');
  if (/[\p{Script=Han}\p{Script=Katakana}\p{Script=Hiragana}]/u.test(before)) {
    return before.split(/[、,]/)[0]!.trim() || null;
  }
  return trailingName(before.split(/:\s/).pop()!);
}

/** The company the headline is about: English verbs first, then the run before any verb we know. */
export function subjectOf(title: string, ...res: RegExp[]): string | null {
  const en = headlineSubject(title);
  if (en) return en;
  for (const re of res) {
    const m = re.exec(title);
    if (m && m.index > 0) return subjectAt(title, m.index);
  }
  return null;
}
