// Classifies one inbound message: bounce, auto-reply, unsubscribe request, or human reply, with
// the details each needs (failed recipient and status; return date; visible reply text).
// Pure apart from parsing; the stored raw message lets a rep correct the verdict.
import EmailReplyParser from 'email-reply-parser';
import type { AddressObject, ParsedMail } from 'mailparser';
import { autoReplyReason, parseReturnDate } from './auto-reply.js';
import { parseBounce, type Bounce } from './bounce.js';

export type MailKind = 'reply' | 'auto_reply' | 'bounce' | 'unsubscribe' | 'other';

export interface ParsedInbound {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: string;
  fromName: string;
  to: string[];
  subject: string;
  date: Date | null;
  text: string;
  headers: Map<string, string>;
  contentType: string;
  raw: string;
}

export interface Classification {
  kind: MailKind;
  reason: string;
  visibleText: string;
  bounce?: Bounce;
  /** yyyy-mm-dd in the sender's calendar, when an auto-reply states when they are back. */
  returnDate?: string | null;
  /** An unsubscribe that came as a spam complaint (ARF feedback report). */
  complaint?: boolean;
}

function headerMap(p: ParsedMail): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of p.headerLines) {
    const i = line.line.indexOf(':');
    const key = line.key.toLowerCase();
    if (!out.has(key))
      out.set(
        key,
        line.line
          .slice(i + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim(),
      );
  }
  return out;
}

const addrs = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : [])
    .flatMap((x) => x.value.map((v) => (v.address ?? '').toLowerCase()))
    .filter(Boolean);

/** Every text part, including attached message/delivery-status and message/rfc822 parts. */
function allText(p: ParsedMail, raw: string): string {
  const parts = [p.text ?? ''];
  for (const a of p.attachments) {
    if (/^(message\/|text\/)/i.test(a.contentType)) parts.push(a.content.toString('utf8'));
  }
  // Some DSN parts are left inline undecoded by the parser; the raw report fields are plain ASCII.
  if (!/Final-Recipient:/i.test(parts.join('\n')) && /Final-Recipient:/i.test(raw)) parts.push(raw);
  return parts.join('\n\n');
}

export async function parseInbound(raw: string | Buffer): Promise<ParsedInbound> {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  // mailparser (~25 MB of modules) loads with the first message read.
  const { simpleParser } = await import('mailparser');
  const p = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const refs = Array.isArray(p.references) ? p.references : p.references ? p.references.split(/\s+/) : [];
  const from = p.from?.value[0];
  const headers = headerMap(p);
  return {
    messageId: p.messageId ?? null,
    inReplyTo: p.inReplyTo?.trim().split(/\s+/)[0] ?? null,
    references: refs.filter(Boolean),
    from: (from?.address ?? '').toLowerCase(),
    fromName: from?.name ?? '',
    to: addrs(p.to),
    subject: p.subject ?? '',
    date: p.date ?? null,
    text: allText(p, text),
    headers,
    contentType: headers.get('content-type') ?? '',
    raw: text,
  };
}

const WROTE =
  '(wrote|writes|sent(?=\\s*:)|a écrit|écrit|schrieb|escribió|escreveu|ha scritto|scrive|schreef|написал|napisał|skrev|kirjoitti|yazdı)';
const QUOTE_HEADER = new RegExp(`${WROTE}|@|\\d{1,2}:\\d{2}|пользователь`, 'i');
const SEPARATORS: RegExp[] = [
  // "On Tue, Apr 11, 2017 at 10:07 PM John <john@x> wrote:", possibly wrapped over a few lines or after reply text
  new RegExp(
    `(^|\\s|-{2,}\\s*)(On|Le|Am|El|Em|Il|Op|Den|W dniu|Dne)\\s[^\\n]{0,200}?(\\n[^\\n]{0,200}?){0,4}\\s${WROTE}\\s*:?\\s*$`,
    'm',
  ), // case-sensitive: "On"/"Am" open a header, "am" in a sentence does not
  /^\s*-{2,}\s*[^\n-]{3,40}\s*-{2,}\s*$/m, // -----Original Message----- and its translations, ---- John wrote ----
  /^_{10,}\s*$/m,
  // Outlook header blocks: From: … then Sent:/Date: … in any of several languages
  new RegExp(
    [
      String.raw`^\s*\*?(from|fra|de|von|van|da|från|od|от|lähettäjä)\*?:\s.+\n\s*\*?(sent|sendt|envoyé|gesendet|`,
      String.raw`verzonden|inviato|enviado|skickat|date|datum|dátum|data|wysłane|отправлено|lähetetty)\*?:`,
    ].join(''),
    'im',
  ),
];

/** Cuts quote headers the reply parser misses: wrapped "On … wrote:" lines, localized separators, Outlook blocks. */
function cutQuoteHeader(text: string): string {
  let end = text.length;
  for (const re of SEPARATORS) {
    const m = re.exec(text);
    if (m && m.index + (m[1]?.length ?? 0) > 0)
      end = Math.min(end, m.index + (re === SEPARATORS[0] ? m[1]!.length : 0));
  }
  const lines = text
    .slice(0, end)
    .replace(/-{2,}\s*$/, '')
    .split('\n');
  const firstQuote = lines.findIndex((l) => l.startsWith('>'));
  if (firstQuote > 0) {
    let cut = firstQuote;
    for (let i = firstQuote - 1, seen = 0; i >= 0 && seen < 3; i--) {
      if (!lines[i]!.trim()) continue;
      seen++;
      if (QUOTE_HEADER.test(lines[i]!)) cut = i;
    }
    const above = lines.slice(0, cut).join('\n');
    // Bottom-posting: nothing above the quote, so the reply is what follows the quoted block.
    if (above.trim()) return above;
    const lastQuote = lines.reduce((last, l, i) => (l.startsWith('>') ? i : last), -1);
    return lines.slice(lastQuote + 1).join('\n');
  }
  return lines.join('\n');
}

/** The reply without quoted history or signature: quote headers cut, then email-reply-parser. */
export function visibleReplyText(body: string): string {
  const text = cutQuoteHeader(body.replace(/\r\n/g, '\n'));
  try {
    return new EmailReplyParser().parseReply(text).trim();
  } catch {
    return text.trim();
  }
}

const UNSUBSCRIBE = new RegExp(
  [
    'unsubscribe',
    'remove me',
    'take me off',
    'opt[ -]?out',
    'stop (e-?mailing|emailing|contacting|sending|writing)',
    'do not (contact|e-?mail|email) me',
    "don'?t (contact|e-?mail|email|write to) me",
    'not interested[,.!;: -]+(please )?stop',
    'please stop',
    'no more e-?mails',
    'leave me alone',
    'abmelden',
    'austragen',
    'keine (weiteren )?e-?mails',
    'désinscri',
    'desinscri',
    'ne plus recevoir',
    'darme de baja',
    'darse de baja',
    'no me (contactes|escribas|envíes)',
    'cancellami',
    'non contattarmi',
    'uitschrijven',
    'descadastrar',
    'remova-me',
  ].join('|'),
  'i',
);

/** An explicit request to stop, in a short message (a long reply goes to a person instead). */
export function isUnsubscribeRequest(subject: string, visible: string): boolean {
  if (/^\s*(re:\s*)?unsubscribe\b/i.test(subject)) return true;
  return visible.length <= 400 && UNSUBSCRIBE.test(visible);
}

export function classifyParsed(
  m: ParsedInbound,
  opts: { ownAddresses?: string[]; now?: Date; zone?: string } = {},
): Classification {
  if (/report-type="?feedback-report/i.test(m.contentType)) {
    return { kind: 'unsubscribe', reason: 'spam complaint (ARF feedback report)', visibleText: '', complaint: true };
  }
  // The bounce is addressed to us: its To is never the failed recipient.
  const bounce = parseBounce({
    from: m.from,
    subject: m.subject,
    contentType: m.contentType,
    headers: m.headers,
    text: m.text,
    ownAddresses: [...(opts.ownAddresses ?? []), ...m.to],
  });
  if (bounce) return { kind: 'bounce', reason: `${bounce.format} bounce`, visibleText: '', bounce };

  const body = m.text.split(/\n\n(?=Content-Type:|Return-Path:|Received:)/i)[0] ?? m.text;
  const visibleText = visibleReplyText(body);
  // A List-Unsubscribe mailto sent by the prospect's mail client is machine-made but means "stop".
  if (/^\s*unsubscribe\b/i.test(m.subject)) return { kind: 'unsubscribe', reason: 'unsubscribe mailto', visibleText };
  const auto = autoReplyReason({ subject: m.subject, headers: m.headers, inReplyTo: m.inReplyTo, text: visibleText });
  if (auto) {
    return {
      kind: 'auto_reply',
      reason: auto,
      visibleText,
      returnDate: parseReturnDate(visibleText || body, m.date ?? opts.now ?? new Date(), opts.zone),
    };
  }
  if (isUnsubscribeRequest(m.subject, visibleText))
    return { kind: 'unsubscribe', reason: 'asked to be removed', visibleText };
  return { kind: 'reply', reason: 'human reply', visibleText };
}

export async function classifyRaw(
  raw: string | Buffer,
  opts: { ownAddresses?: string[]; now?: Date; zone?: string } = {},
): Promise<{ parsed: ParsedInbound; classification: Classification }> {
  const parsed = await parseInbound(raw);
  return { parsed, classification: classifyParsed(parsed, opts) };
}
