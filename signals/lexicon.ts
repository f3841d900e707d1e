// Per-language words for what a headline says happened: raising, hiring, appointing,
// acquiring, cutting jobs, reporting revenue, closing an investor fund, and the words that
// make it talk or rumour rather than fact. English, German, French, Spanish, Dutch,
// Portuguese, Swedish and Japanese. Each list is written per language, then joined: a
// headline is matched against all of them, since short titles defeat language detection
// (franc reads "Lagoa Saúde capta R$ 60 milhões" as Spanish). Pure.

type Lang = 'en' | 'de' | 'fr' | 'es' | 'nl' | 'pt' | 'sv' | 'ja';

/** Whole words (Unicode-aware: JavaScript's \b does not know "lève" ends at the "e"). */
export function wordsRe(parts: Partial<Record<Lang, string[]>>, flags = 'iu'): RegExp {
  const spaced = Object.entries(parts)
    .filter(([lang]) => lang !== 'ja')
    .flatMap(([, p]) => p);
  const ja = parts.ja ?? [];
  const alternatives = [
    ...(spaced.length ? [String.raw`(?<![\p{L}\p{N}])(?:${spaced.join('|')})(?![\p{L}\p{N}])`] : []),
    ...(ja.length ? [`(?:${ja.join('|')})`] : []),
  ];
  return new RegExp(alternatives.join('|'), flags);
}

/** Talk, plans, reports and rumours: nothing has happened yet. Checked on the title only. */
export const MODALITY = wordsRe({
  en: [
    'in (?:early |advanced )?talks',
    'reportedly',
    'is said to',
    'are said to',
    'sources? (?:say|said)',
    'report:',
    'plans? to (?:raise|sell|buy|acquire|merge|list|go public)',
    'exploring (?:a )?sale',
    'explores? (?:a )?sale',
    'weighing',
    'weighs',
    'considering',
    'in discussions?',
    'could',
    'may',
    'rumou?red',
    'for sale',
    'seeks? buyers?',
    'eyes',
  ],
  de: [
    'verhandelt',
    'berichten zufolge',
    'soll',
    'sollen',
    'plant',
    'planen',
    'prüft',
    'erwägt',
    'gespräche',
    'insidern',
  ],
  fr: ['serait', 'seraient', 'en discussion', 'envisagerait', 'envisage', 'prévoit', 'pourrait', 'selon'],
  es: ['negocia', 'según fuentes', 'estudia', 'estaría', 'planea', 'podría', 'según'],
  nl: ['zou', 'zouden', 'in gesprek', 'overweegt', 'naar verluidt', 'meldt', 'plant'],
  pt: ['estaria', 'negociando', 'negocia', 'estuda', 'segundo', 'planeja', 'pode'],
  sv: ['uppges', 'i samtal', 'planerar', 'enligt', 'överväger', 'kan'],
  ja: ['検討', '協議', '交渉', '[^、]か$', 'へ$(?<!採用へ)', '観測', '計画'],
});

/** An investor's own fund: the investor raised, not a company we sell to. */
export const FUND_CLOSE = wordsRe({
  en: [
    [
      String.raw`(?:new|first|second|third|fourth|fifth|sixth|debut|maiden|flagship|growth|seed|climate|venture|`,
      String.raw`opportunity|early-stage|continuation|\d+(?:st|nd|rd|th))\s+(?:[\w-]+\s+)?fund`,
    ].join(''),
    String.raw`fund\s+(?:I|II|III|IV|V|VI|VII)`,
  ],
  de: [String.raw`(?:neuen?|ersten|zweiten|dritten)\s+\p{L}*fonds`, String.raw`\p{L}+fonds`],
  fr: [String.raw`(?:son|un|nouveau|premier|deuxième|troisième)\s+(?:\p{L}+\s+)?fonds(?!\s+(?:propres|levés))`],
  es: [String.raw`(?:un|su|nuevo|primer|segundo|tercer|cuarto)\s+(?:\p{L}+\s+)?fondo`],
  nl: [String.raw`(?:nieuw|nieuwe|eerste|tweede|derde)\s+fonds`],
  pt: [String.raw`(?:novo|um|primeiro|segundo|terceiro)\s+fundo`, String.raw`fecha\s+fundo`],
  sv: [String.raw`(?:ny|nya|första|andra|tredje)\s+fond`],
  ja: ['ファンド'],
});

export const LAYOFFS = wordsRe({
  en: [
    'lays? off',
    'laid off',
    'layoffs?',
    'job cuts?',
    [
      String.raw`cuts?\s+(?:about\s+|nearly\s+|some\s+|over\s+|a third of\s+|`,
      String.raw`half of\s+)?(?:[\d,]+%?\s+(?:of\s+)?)?(?:its\s+|their\s+)?(?:jobs|staff|employees|workers|roles|`,
      String.raw`positions|workforce|headcount)`,
    ].join(''),
    'workforce reduction',
    'restructuring',
    String.raw`slashes\s+(?:jobs|staff|\d+)`,
  ],
  de: [
    String.raw`baut\s+(?:[\d.]+\s+)?(?:stellen|arbeitsplätze|jobs)\s+ab`,
    String.raw`stellen\s+ab`,
    'streicht',
    'stellenabbau',
    'entlässt',
    'kündigungen',
  ],
  fr: ['supprime', 'suppressions? de postes', 'plan social', 'licenciements?', 'licencie'],
  es: ['despide', 'despidos?', 'recorta', 'ere'],
  nl: ['schrapt', 'ontslaat', 'ontslagen', 'banen weg', 'reorganisatie'],
  pt: ['demite', 'demissões', 'corta', 'cortes'],
  sv: ['säger upp', 'varslar', 'varsel', 'uppsägningar'],
  ja: ['削減', '希望退職', 'リストラ', '人員整理'],
});

/** Revenue, ARR, profit: a figure about the business, not money raised. */
export const REVENUE = wordsRe({
  en: ['revenue', 'revenues', 'arr', 'sales of', 'turnover', 'profit', 'earnings'],
  de: ['umsatz', 'jahresumsatz', 'erlöse?', 'gewinn'],
  fr: ["chiffre d'affaires", 'chiffre d’affaires', 'bénéfice'],
  es: ['factura', 'facturación', 'ingresos', 'beneficio'],
  nl: ['omzet', 'winst'],
  pt: ['fatura', 'faturamento', 'receita', 'lucro'],
  sv: ['intäkter', 'omsättning', 'vinst'],
  ja: ['売上', '売上高', '営業利益', '増収'],
});

/** Raising money (with an amount, a round or a funding noun nearby). */
export const FUNDING_VERB = wordsRe({
  en: [
    'rais(?:es|ed|ing)',
    'raise',
    'secur(?:es|ed|ing)',
    'clos(?:es|ed|ing)',
    'lands?',
    'landed',
    'nabs?',
    'bags?',
    'snags?',
    'gets?',
    'receives?',
    'picks? up',
    'pulls? in',
    'hauls? in',
    'banks?',
    'attracts?',
    'scores?',
  ],
  de: [
    'sammelt',
    'eingesammelt',
    'erhält',
    'sichert sich',
    'holt sich',
    'bekommt',
    String.raw`schließt\s+(?:eine\s+)?(?:[\p{L}-]+\s+)?(?:runde|finanzierungsrunde)`,
    'finanzierungsrunde',
    'förderung',
  ],
  fr: ['lève', 'levé', 'boucle', 'obtient', 'décroche', 'sécurise', 'levée de fonds', 'tour de table'],
  es: ['levanta', 'capta', 'obtiene', 'consigue', 'recauda', 'cierra una ronda', 'ronda', 'financiación'],
  nl: [String.raw`haalt\s+.{1,40}\s+op`, 'krijgt', 'ontvangt', 'investeringsronde', 'financieringsronde', 'seedronde'],
  pt: ['capta', 'levanta', 'recebe', 'aporte', 'rodada', 'investimento'],
  sv: ['tar in', 'reser', 'får in', 'nyemission', 'runda', 'rundan'],
  ja: ['調達', '第三者割当増資', '出資を受け'],
});

export const FUNDING_NOUN = wordsRe({
  en: [
    'funding',
    'financing',
    'investment',
    'round',
    'venture debt',
    'credit facility',
    'grant',
    'seed',
    'pre-seed',
    'series [a-h]',
  ],
  de: ['finanzierung', 'finanzierungsrunde', 'runde', 'serie-[a-h]', 'seed-runde', 'förderung', 'investment'],
  fr: ['levée de fonds', 'tour de table', 'série [a-h]', 'seed', 'financement'],
  es: ['ronda', 'serie [a-h]', 'financiación', 'inversión'],
  nl: ['ronde', 'seedronde', 'investering', 'financiering', 'series [a-h]'],
  pt: ['rodada', 'aporte', 'série [a-h]', 'investimento', 'seed'],
  sv: ['runda', 'nyemission', 'investering', 'finansiering', '[a-h]-runda'],
  ja: ['調達', 'シリーズ[A-HＡ-Ｈ]', 'ラウンド', '増資'],
});

/** Buying a company. `active`: "A acquires B"; `passive`: "B acquired by A" (target first). */
export const ACQUIRE_ACTIVE = wordsRe({
  en: [
    'acquires',
    'acquired',
    'to acquire',
    'agrees to acquire',
    'buys',
    'bought',
    'snaps up',
    'scoops up',
    'completes acquisition of',
    'to buy',
    'agrees to buy',
    'takeover of',
    String.raw`\S+\s+takeover`,
    'intent to acquire',
    'merges with',
    'merger with',
  ],
  de: ['übernimmt', 'kauft', 'erwirbt', 'übernahme von'],
  fr: ['rachète', 'acquiert', "s'offre", 's’offre', 'met la main sur', 'absorbe'],
  es: ['compra', 'adquiere', 'absorbe'],
  nl: [String.raw`neemt\s+.{1,60}\s+over`, 'koopt', 'verwerft'],
  pt: ['adquire', 'compra', 'incorpora'],
  sv: ['förvärvar', 'köper'],
  ja: ['を買収', 'を子会社化', '買収'],
});

export const ACQUIRE_PASSIVE = wordsRe({
  en: ['acquired by', 'to be acquired by', 'bought by', 'sold to', 'agrees to sale to', 'to be bought by'],
  de: [String.raw`wird\s+von\s+.{1,60}\s+übernommen`, 'übernommen', 'geht an', 'verkauft an'],
  fr: ['rachetée? par', 'acquise? par', 'passe sous le contrôle de', 'cédée? à'],
  es: ['adquirida por', 'adquirido por', 'comprada por', 'comprado por', 'vendida a'],
  nl: ['overgenomen door', 'verkocht aan', 'gaat op in'],
  pt: ['comprada pela?', 'comprado pelo?', 'adquirida pela?', 'adquirido pelo?', 'vendida para'],
  sv: ['köps av', 'förvärvas av', 'säljs till', 'köpt av'],
  ja: ['が買収', 'の傘下'],
});

/** Looking for people: a job post or a hiring drive. */
export const HIRING = wordsRe({
  en: [
    'is hiring',
    'are hiring',
    'now hiring',
    'hiring',
    'to hire',
    'will hire',
    String.raw`hires?\s+(?:up to\s+|another\s+|more than\s+|over\s+)?[\d,]+`,
    'job openings',
    'open roles',
    'recruits',
    'recruiting',
  ],
  de: [
    String.raw`stellt\s+.{0,40}\s+ein`,
    'sucht',
    'suchen',
    'stellenangebot',
    String.raw`\(m/w/d\)`,
    String.raw`\(w/m/d\)`,
    'neue mitarbeitende',
    'neue stellen',
  ],
  fr: ['recrute', 'recrutent', 'embauche', "offre d'emploi", 'offre d’emploi', 'h/f', 'f/h', 'cdi'],
  es: ['contratará', 'busca', 'se busca', 'oferta de empleo', 'contratar a', String.raw`contrata\s+a?\s*\d+`],
  nl: ['zoekt', 'werft', 'vacature', 'nieuwe medewerkers'],
  pt: ['vai contratar', String.raw`contrata\s+\d+`, 'vaga', 'oportunidade', 'procura', 'contratando'],
  sv: ['anställer', 'rekryterar', 'söker', 'vi söker'],
  ja: ['採用', '求人', '募集'],
});

/** Job-board titles: a role, then the company, then a place ("Head of Sales – Acme – London"). */
export const JOB_POST = new RegExp(
  [
    String.raw`^[^–—|]{3,80}\s[–—|-]\s[^–—|]{2,60}\s[–—|-]\s[^–—|]{2,60}$|^【(?:求人|募集)】|`,
    String.raw`\((?:m\/w\/d|w\/m\/d|h\/f|f\/h)\)|^(?:vacature|stellenangebot|vaga|oportunidade|offre d['’]emploi|`,
    String.raw`oferta de empleo|se busca|vi söker)\b`,
  ].join(''),
  'iu',
);

/** Naming someone to a role. */
export const APPOINT = wordsRe({
  en: [
    'appoints?',
    'appointed',
    'names?',
    'named',
    'hires',
    'hired',
    'taps',
    'tapped',
    'promotes',
    'promoted',
    'welcomes',
    'elevates',
    'joins',
    'becomes',
    'takes the helm',
  ],
  de: ['ernennt', 'beruft', 'wird', 'holt', 'neuer?', 'neue', 'zum', 'zur', 'übernimmt die leitung'],
  fr: ['nomme', 'nommée?', 'rejoint', 'prend la tête', 'recrute', 'nouvelle?', 'nouveau', 'devient'],
  es: ['nombra', 'nombrada?', 'ficha a', 'nueva?', 'nuevo', 'nombramiento', 'presidirá', 'será'],
  nl: ['benoemt', 'benoemd', String.raw`stelt\s+.{1,40}\s+aan`, 'nieuwe?', 'wordt'],
  pt: ['nomeia', 'nomeado', 'nomeada', 'contrata', 'assume', 'nova', 'novo'],
  sv: ['utser', 'utsedd', 'blir', 'anställer ny', 'ny'],
  ja: ['就任', '招聘', '氏$', '氏を', '氏が', '氏に', 'に[^、]{1,20}氏'],
});

/** Titles of the people whose moves we act on. */
export const TITLE = wordsRe({
  en: [
    String.raw`chief\s+[a-z]+(?:\s+[a-z]+)?\s+officer`,
    'c[eftmroi]o',
    'ciso',
    'cpo',
    'chro',
    'president',
    'vice president',
    'svp',
    'evp',
    'vp',
    'head of [a-z ]+',
    'director',
    'general counsel',
    'general manager',
    'managing director',
    'country manager',
    'chair(?:man|woman|person)?',
    'chief executive',
    'executive',
  ],
  de: [
    'geschäftsführer(?:in)?',
    'finanzchef(?:in)?',
    'vertriebschef(?:in)?',
    '\\p{L}*chef(?:in)?',
    'vorstand',
    'vorständin',
    'leiter(?:in)?',
    'vertriebsleiter(?:in)?',
  ],
  fr: ['directeur', 'directrice', 'pdg', 'président(?:e)?', 'vice-présidente?', 'dg', 'directeur général'],
  es: ['consejer[oa] delegad[oa]', 'director(?:a)?', 'presidente?a?', 'vicepresident[ea]', 'responsable'],
  nl: ['directeur', 'country manager', 'vicepresident', 'bestuurder', 'topman', 'topvrouw'],
  pt: ['diretor(?:a)?', 'presidente', 'vice-president[ea]', 'diretor-geral', 'diretora-geral', 'presidência'],
  sv: ['vd', '\\p{L}*chef', 'ordförande', 'direktör'],
  ja: ['社長', 'CEO', 'CFO', 'COO', 'CTO', 'CRO', '部長', '取締役', '本部長', 'マネージャー', '代表'],
});
