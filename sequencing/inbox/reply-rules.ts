// Reply intent without a model, in English, German, French, Spanish, Dutch and Portuguese
// (Swedish where the words are obvious): ordered rules per intent, and for "not now" the day it
// points to (chrono-node in the reply's language, found by franc, plus the phrases chrono does
// not read: "next quarter", "after the summer", "im März"). Pure: the reference day is passed in.
// Measured by sequencing/eval (npm run eval:mail) on our own labelled replies.
import { createRequire } from 'node:module';
import { franc } from 'franc-min';
import { DateTime } from 'luxon';
import { wordsRe } from '../../signals/lexicon.js';

type RuleIntent =
  | 'unsubscribe'
  | 'referral'
  | 'wrong_person'
  | 'not_now'
  | 'not_interested'
  | 'meeting_request'
  | 'interested'
  | 'question'
  | 'other';

const UNSUBSCRIBE = wordsRe({
  en: [
    'unsubscribe',
    'remove (?:me|my (?:address|email))',
    'take me off',
    'stop (?:emailing|contacting|sending|writing)',
    "(?:do not|don't|never) (?:email|contact|write)(?: to)? me",
    'opt me out',
    'mailing list',
  ],
  de: ['verteiler', 'schreiben sie mir nicht', 'keine weiteren e-mails', 'abmelden', 'austragen'],
  fr: ['désinscri\\p{L}*', 'liste de diffusion', "ne m'écrivez plus", 'retirer de votre liste'],
  es: ['dame de baja', 'elimíname', 'no me escrib\\p{L}*', 'darme de baja'],
  nl: ['mailinglijst', 'mail me niet', 'afmelden', 'uitschrijven'],
  pt: ['me remova', 'remova-me', 'descadastr\\p{L}*', 'não quero receber'],
  sv: ['avregistrera', 'sluta mejla'],
});

/** Someone else is named, copied or pointed to. */
const REFERRAL = wordsRe({
  en: [
    'my colleague',
    'adding my colleague',
    "i'?ve (?:cc'?d|copied|looped in)",
    'copied (?:her|him|them) here',
    'forwarding (?:this|you)',
    'over to you',
    'the one to talk to',
    'you want our',
    '(?:handles|owns|runs) (?:vendor|our|this)',
    "that'?s our",
    'worth emailing',
    'runs revops',
    'reach out to',
    'talk to',
    'speak (?:to|with)',
  ],
  de: ['meine kollegin', 'mein kollege', 'in kopie', 'wenden sie sich', 'zuständig ist', 'ist zuständig'],
  fr: ['ma collègue', 'mon collègue', 'je transf\\p{L}*', 'voyez plutôt', 'voyez avec', 'qui gère'],
  es: ['mi compañer[oa]', 'te paso con', 'el responsable es', 'la responsable es', 'escríbele', 'lleva este tema'],
  nl: ['mijn collega', 'in de cc', 'moet je bij', 'gaat hierover'],
  pt: ['quem cuida', 'vou copiá-l[oa]', 'meu colega', 'minha colega', 'fale com'],
  sv: ['min kollega', 'ansvarig är'],
});

const WRONG_PERSON = wordsRe({
  en: [
    'wrong person',
    'wrong (?:\\p{Lu}\\p{L}+)',
    'not my area',
    "isn'?t my area",
    'not (?:relevant to )?my (?:job|role|area)',
    'i left',
    'no longer (?:work|with)',
    "can'?t help with this",
    "don'?t work on",
    'not the right person',
    'not the decision maker',
  ],
  de: ['bei mir falsch', 'nicht mehr bei', 'falsche person', 'nicht zuständig'],
  fr: ['pas la bonne personne', "j'ai quitté", 'ne travaille plus'],
  es: ['equivocado de persona', 'persona equivocada', 'ya no trabajo', 'no soy la persona'],
  nl: ['niet de juiste persoon', 'werk niet meer bij', 'verkeerde persoon'],
  pt: ['pessoa errada', 'não trabalho mais', 'não sou a pessoa'],
  sv: ['fel person', 'jobbar inte längre'],
});

const NOT_NOW = wordsRe({
  en: [
    'not (?:right )?now',
    'not the right time',
    'bad timing',
    'not at the moment',
    'not this year',
    'maybe later',
    'right now',
    'next (?:quarter|year|month)',
    'after the holidays',
    'circle back',
    'check back',
    'try me again',
    'ask me again',
    'reach out again',
    'reconnect',
    'ping me then',
    'happy to talk after',
    'budget freeze',
  ],
  de: [
    'aktuell passt',
    'passt gerade nicht',
    'im moment',
    'keine kapazität',
    'gerne wieder',
    'nächsten quartal',
    'melden sie sich',
  ],
  fr: [
    'pas le bon moment',
    "pas pour l'instant",
    'prochain trimestre',
    'revenez vers moi',
    'recontactez-moi',
    'on en reparle',
  ],
  es: [
    'no es buen momento',
    'de momento no',
    'próximo trimestre',
    'vuelve a contactarme',
    'escríbeme en',
    'hablamos después',
  ],
  nl: ['nu even niet', 'op dit moment', 'na de zomer', 'neem in', 'benader me'],
  pt: ['não é um bom momento', 'no momento não', 'fale comigo em', 'mais para frente'],
  sv: ['inte just nu', 'hör av dig'],
});

const NOT_INTERESTED = wordsRe({
  en: [
    'not interested',
    'no thank you',
    'no thanks',
    'pass(?: for now)?',
    'happy with our current',
    "won'?t be switching",
    'built this in-house',
    'another way',
    'not something we need',
    'already use',
    'works fine for us',
  ],
  de: ['kein interesse', 'sehr zufrieden', 'nicht relevant', 'anderen anbieter entschieden'],
  fr: ['pas intéressés?', 'déjà un outil', 'non merci', 'ne correspond pas', 'ne nous intéresse pas'],
  es: ['no nos interesa', 'otro proveedor', 'no lo necesitamos', 'no seguir adelante', 'no, gracias'],
  nl: ['geen interesse', 'tevreden met', 'niets voor ons', 'nee dank'],
  pt: ['não temos interesse', 'já usamos', 'satisfeitos'],
  sv: ['inte intresserad'],
});

const WEEKDAY = [
  'monday|tuesday|wednesday|thursday|friday',
  'montag|dienstag|mittwoch|donnerstag|freitag|dienstagnachmittag|donnerstagnachmittag',
  'lundi|mardi|mercredi|jeudi|vendredi',
  'lunes|martes|miércoles|jueves|viernes',
  'maandag|dinsdag|woensdag|donderdag|vrijdag|dinsdagmiddag',
  'segunda|terça|quarta|quinta|sexta',
].join('|');

const MEETING = wordsRe({
  en: [
    `(?:${WEEKDAY})`,
    '\\d{1,2}(?::\\d{2})?\\s?(?:am|pm)',
    'send an invite',
    'calendar',
    'a (?:quick )?call',
    'find 30 minutes',
    'set (?:something|some time|a call) up',
    'worth a conversation',
    'grab a slot',
    'the week of',
  ],
  de: ['termin', 'telefonieren', 'kalenderlink', 'call', '\\d{1,2} uhr'],
  fr: ['créneau', "s'appeler", 'rendez-vous', 'disponible', '\\d{1,2}h'],
  es: ['llamada', 'reunión', 'reunámonos', 'agendar', 'hablamos el', '\\d{1,2}:\\d{2}'],
  nl: ['bellen', 'afspraak', 'inplannen', 'plan maar', '\\d{1,2} uur'],
  pt: ['marcar uma conversa', 'convite', 'reunião', '\\d{1,2}h'],
  sv: ['boka ett möte', 'ringa'],
});

/** Asking for material or the next step is interest, even when phrased as a question. */
const INTERESTED_STRONG = wordsRe({
  en: [
    'send (?:me |over )?(?:the deck|a short overview|more|details|info)',
    'tell me more',
    'next steps',
    "i'?m in",
    'yes please',
    'interested',
    'curious',
  ],
  de: ['mehr informationen', 'klingt (?:gut|spannend)', 'interessant', 'wie geht es (?:jetzt )?weiter'],
  fr: ['intéress\\p{L}*', 'envoyer une présentation', "dites-m'en plus", 'pourquoi pas'],
  es: ['me interesa', 'más información', 'suena bien', 'siguientes pasos', 'justo estamos buscando'],
  nl: ['interessant', 'interesse in', 'meer informatie', 'klinkt goed', 'volgende stappen'],
  pt: ['tenho interesse', 'mais detalhes', 'parece interessante', 'próximos passos'],
  sv: ['intresserad', 'låter bra'],
});

const INTERESTED_WEAK = wordsRe({
  en: ['sounds (?:good|relevant|interesting)', 'happy to take a look', 'this is timely', 'yes', 'relevant'],
  de: ['ja', 'gerne'],
  fr: ['oui', 'avec plaisir'],
  es: ['sí', 'vale'],
  nl: ['ja', 'prima'],
  pt: ['sim', 'claro'],
  sv: ['ja'],
});

interface RuleResult {
  intent: RuleIntent;
  confidence: number;
  /** For "not now": the first day the reply points to, when it names one. */
  resumeAt: Date | null;
}

const LANGS: Record<string, ChronoLang> = {
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  nld: 'nl',
  por: 'pt',
  swe: 'sv',
  jpn: 'ja',
};
type ChronoLang = 'en' | 'de' | 'fr' | 'es' | 'nl' | 'pt' | 'sv' | 'ja';
// chrono-node (~20 MB of modules) loads with the first reply read for a date, not at start.
const require = createRequire(import.meta.url);
const chronoFor = (lang: ChronoLang) => (require('chrono-node') as typeof import('chrono-node'))[lang];

/** Month names chrono does not read on their own ("im März", "en septembre", "em março"). */
const MONTHS: [RegExp, number][] = [
  [/\b(?:januar|janvier|janeiro|enero|januari|january)\b/iu, 1],
  [/\b(?:februar|février|fevereiro|febrero|februari|february)\b/iu, 2],
  [/(?<![\p{L}])(?:märz|mars|março|marzo|maart|march)(?![\p{L}])/iu, 3],
  [/\b(?:april|avril|abril)\b/iu, 4],
  [/\b(?:mai|mayo|maio|mei)\b/iu, 5],
  [/\b(?:juni|juin|junho|junio|june)\b/iu, 6],
  [/\b(?:juli|juillet|julho|julio|july)\b/iu, 7],
  [/(?<![\p{L}])(?:august|août|agosto|augustus)(?![\p{L}])/iu, 8],
  [/\b(?:september|septembre|setembro|septiembre)\b/iu, 9],
  [/\b(?:oktober|octobre|outubro|octubre|october)\b/iu, 10],
  [/\b(?:november|novembre|novembro|noviembre)\b/iu, 11],
  [/(?<![\p{L}])(?:dezember|décembre|dezembro|diciembre|december)(?![\p{L}])/iu, 12],
];

/** The day a "not now" points to, read on `now` in `zone`. */
export function resumeDate(text: string, now: Date, zone = 'UTC'): Date | null {
  const today = DateTime.fromJSDate(now, { zone });
  const startOfNextQuarter = today.startOf('quarter').plus({ months: 3 });
  const relative: [RegExp, () => DateTime][] = [
    [
      /next (?:quarter|fiscal)|nächsten quartal|prochain trimestre|próximo trimestre|volgend kwartaal|próximo trimestre/iu,
      () => startOfNextQuarter,
    ],
    [
      /after the holidays|new year|nach den feiertagen|después de las fiestas/iu,
      () => today.plus({ years: 1 }).startOf('year'),
    ],
    [
      /after the summer|na de zomer|nach dem sommer|après l'été|después del verano|depois do verão/iu,
      () => {
        const sept = today.set({ month: 9, day: 1 }).startOf('day');
        return sept > today ? sept : sept.plus({ years: 1 });
      },
    ],
    [/in (six|6) months/iu, () => today.plus({ months: 6 }).startOf('month')],
    [/in (three|3) months/iu, () => today.plus({ months: 3 }).startOf('month')],
  ];
  for (const [re, at] of relative) if (re.test(text)) return at().toJSDate();
  const code = franc(text, { only: Object.keys(LANGS), minLength: 3 });
  // franc on a one-line reply is a guess: its language goes first, then every other one.
  const order = [...new Set([LANGS[code] ?? 'en', ...Object.values(LANGS)])];
  for (const lang of order) {
    // "From next week until February 10th": the reply points to the last day it names. A match
    // inside a word ("apr" in "après") is another language's word, not a date.
    const dates = chronoFor(lang)
      .parse(text, { instant: now, timezone: zone }, { forwardDate: true })
      .filter((r) => !/^\p{L}/u.test(text.slice(r.index + r.text.length)) && !/\p{L}$/u.test(text.slice(0, r.index)))
      .map((r) => (r.end ?? r.start).date())
      .filter((d) => d > now)
      .sort((a, b) => b.getTime() - a.getTime());
    if (dates[0]) return DateTime.fromJSDate(dates[0], { zone }).startOf('day').toJSDate();
  }
  for (const [re, month] of MONTHS) {
    if (!re.test(text)) continue;
    const d = today.set({ month, day: 1 }).startOf('day');
    return (d > today ? d : d.plus({ years: 1 })).toJSDate();
  }
  return null;
}

/** An out-of-office written by hand still names no intent ("out of the office until Monday"). */
const AWAY = wordsRe({
  en: ['out of (?:the )?office', 'on holiday until', 'on vacation until'],
  de: ['abwesend', 'nicht im büro'],
  fr: ["absente? jusqu'", 'absente? du bureau'],
  es: ['fuera de la oficina'],
  nl: ['afwezig', 'niet op kantoor'],
  pt: ['fora do escritório'],
  sv: ['inte på kontoret'],
});

/** Ordered: the first rule that matches wins, so stronger intents come first. */
export function replyIntentByRules(text: string, now: Date = new Date()): RuleResult {
  const t = text.replace(/[’]/g, "'").slice(0, 4000);
  const result = (intent: RuleIntent, confidence: number): RuleResult => ({
    intent,
    confidence,
    resumeAt: intent === 'not_now' ? resumeDate(t, now) : null,
  });
  if (UNSUBSCRIBE.test(t)) return result('unsubscribe', 0.95);
  if (AWAY.test(t)) return result('other', 0.5);
  // Someone named or an address given: a referral; nobody named: the wrong person.
  const named = /[\w.+-]+@[\w-]+\.[\w.]+|\b(?:Herrn?|Frau|Mme)\s+\p{Lu}/u;
  if (REFERRAL.test(t) || (WRONG_PERSON.test(t) && named.test(t))) return result('referral', 0.8);
  if (WRONG_PERSON.test(t)) return result('wrong_person', 0.8);
  if (NOT_NOW.test(t)) return result('not_now', 0.75);
  if (NOT_INTERESTED.test(t)) return result('not_interested', 0.85);
  if (MEETING.test(t)) return result('meeting_request', 0.8);
  if (INTERESTED_STRONG.test(t)) return result('interested', 0.75);
  if (/\?/.test(t)) return result('question', 0.7);
  if (INTERESTED_WEAK.test(t)) return result('interested', 0.6);
  return result('other', 0.3);
}
