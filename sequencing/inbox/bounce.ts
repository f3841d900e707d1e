// Bounces: RFC 3464 delivery status notifications, and the common non-standard formats
// (qmail, Exim, Postfix without a report part, Exchange/Outlook, Gmail, Yahoo, …). Pure.
export interface BounceRecipient {
  address: string;
  status: string | null;
  action: string | null;
  diagnostic: string | null;
  hard: boolean;
}
export interface Bounce {
  recipients: BounceRecipient[];
  recipient: string | null;
  status: string | null;
  hard: boolean;
  diagnostic: string | null;
  format: 'dsn' | 'heuristic';
}

interface MailFacts {
  from: string;
  subject: string;
  contentType: string;
  headers: Map<string, string>;
  /** The whole message as text (all parts, transfer-decoded where possible). */
  text: string;
  /** Our own addresses: never taken for the failed recipient. */
  ownAddresses?: string[];
}

const BOUNCE_FROM = new RegExp(
  [
    String.raw`mailer-daemon|postmaster|mail[ ._]delivery[ ._](subsystem|system)|mail administrator|mailadmin|mdaemon|`,
    String.raw`system administrator|MAILER_DAEMON|bounce[s-]?@|antivirus|mail\.delivery|mailer@`,
  ].join(''),
  'i',
);
const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver',
    'undelivered',
    'delivery status notification',
    'delivery (failure|has failed|failed|problem|notification)',
    'returned mail',
    'failure notice',
    'mail delivery failed',
    'could not be delivered',
    'not be delivered',
    'message not delivered',
    'returned to sender',
    'delivery error',
    'mail system error',
    'nondeliverable',
    'non[- ]?delivery',
    'warning: could not send',
    'unzustellbar',
    'nicht zustellbar',
    'non remis',
    'no se pudo entregar',
    'mancata consegna',
    'onbestelbaar',
    'rejected:?',
    'mail failure',
    'delivery report',
    'permanent error',
    'error sending message',
    'returned message',
    'message delivery',
    'sending failed',
    'delayed mail',
    'delivery delayed',
    'failed mail',
    'delivery (warning|failure)',
    'not yet been delivered',
    'message .{0,40}delayed',
    'user unknown',
    'processing error',
    'delivery status',
    'failure delivery',
    'mail could not',
    'nicht zugestellt',
    'échec de (la )?remise',
  ].join('|'),
  'i',
);
// Address and host problems: the only bounces that make an address permanently bad.
const ADDRESS_GONE = new RegExp(
  [
    'user unknown',
    'unknown user',
    'no such (user|mailbox|recipient|address|person)',
    "does ?n[o']t exist",
    'not exist',
    'invalid (recipient|mailbox|address|user)',
    'mailbox (unavailable|not found|does not)',
    'recipient (address )?(unknown|not found|invalid)',
    'address (unknown|not found|invalid|rejected: user unknown)',
    'unknown (recipient|local[- ]part|address|mailbox)',
    'user not found',
    'no mailbox',
    'not a valid (mailbox|recipient|user)',
    'addressee unknown',
    'unrouteable address',
    'host unknown',
    'host not found',
    'domain (not found|does not exist)',
    'name or service not known',
    'nxdomain',
    'no such domain',
    'unknown host',
    'invalid domain',
    'has moved',
    'no longer (with|at|employed|valid)',
    'account (does not exist|not found|unknown)',
    'unknown or illegal alias',
    'mailbox is disabled',
    'not listed in',
    'invalid final delivery userid',
    "doesn'?t have an? [a-z0-9.-]+ account",
    'no valid recipients',
    'domain is not reachable',
    'host does not accept mail',
  ].join('|'),
  'i',
);

const EMAIL = /[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const STATUS_RE = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

function field(block: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t]+.*)*)`, 'im').exec(block);
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}

function addressIn(value: string | null): string | null {
  if (!value) return null;
  const v = value.replace(/^[a-z0-9-]+;\s*/i, '');
  return EMAIL.exec(v)?.[0]?.toLowerCase() ?? null;
}

/** Hard when the address or its domain is gone, per the status code or, failing that, the wording. */
function isHard(status: string | null, diagnostic: string | null, action: string | null = null): boolean {
  if (action && /delayed|delivered|relayed|expanded/i.test(action)) return false;
  if (status?.startsWith('4')) return false;
  // bad mailbox or host; 5.4.4: no route to the domain
  if (status && (/^5\.1\.(0|1|2|3|6|10)$/.test(status) || status === '5.4.4')) return true;
  if (status && /^5\.(2\.[23]|3\.4|7\.)/.test(status) && !/user unknown|no such user/i.test(diagnostic ?? ''))
    return false; // full, too big, policy
  // Other codes are used loosely (5.2.1 "User Unknown", 5.3.0 "No such user here"): the wording decides.
  return ADDRESS_GONE.test(diagnostic ?? '');
}

function statusFrom(text: string | null): string | null {
  if (!text) return null;
  const m = STATUS_RE.exec(text);
  if (m) return `${m[1]}.${m[2]}.${m[3]}`;
  const code = /\b([45])\d\d[ -]/.exec(text);
  return code ? `${code[1]}.0.0` : null;
}

/** Per-recipient blocks of a message/delivery-status part. */
function parseDsn(text: string): BounceRecipient[] {
  const out: BounceRecipient[] = [];
  const blocks = text.split(/\r?\n\s*\r?\n/);
  for (const b of blocks) {
    const finalRcpt = field(b, 'Final-Recipient') ?? field(b, 'Original-Recipient');
    const address = addressIn(finalRcpt);
    if (!address) continue;
    const action = field(b, 'Action');
    const diagnostic = field(b, 'Diagnostic-Code');
    const status = statusFrom(field(b, 'Status')) ?? statusFrom(diagnostic);
    if (out.some((r) => r.address === address)) continue;
    out.push({
      address,
      status,
      action,
      diagnostic,
      hard: isHard(status, diagnostic, action) && !/delayed/i.test(action ?? ''),
    });
  }
  return out;
}

/** The notice part of a non-standard bounce: before the returned copy of the original message. */
function noticePart(text: string): string {
  const cut = text.search(
    new RegExp(
      [
        String.raw`^(-+ ?(original message|this is a copy|below this line|returned message|original message follows)|`,
        String.raw`content-type: (message\/rfc822|text\/rfc822-headers)|\s*-{3,}.*(original|returned|copy).*-{3,}|`,
        String.raw`received: from)`,
      ].join(''),
      'im',
    ),
  );
  return cut > 0 ? text.slice(0, cut) : text;
}

const NOT_RECIPIENT_LINE = new RegExp(
  [
    String.raw`^\s*(message-id|references|in-reply-to|received|return-path|sender|from|reply-to|errors-to|`,
    String.raw`list-[a-z-]+|x-[a-z-]+|dkim-signature|by|id|for)\b[:\s]`,
  ].join(''),
  'i',
);
const ERROR_LINE = new RegExp(
  `${STATUS_RE.source}|\\b[45]\\d\\d\\b|failed|undeliverable|unknown|not (be )?delivered|rejected|invalid|` +
    'does not exist|no such|unable to deliver|permanent|could not|delayed|RCPT TO|recipient',
  'i',
);

/** Candidate failed addresses in the notice, best first: the ones on error lines or in the qmail "<addr>:" form. */
function scoredCandidates(m: MailFacts, notice: string): string[] {
  const own = new Set((m.ownAddresses ?? []).map((a) => a.toLowerCase()));
  const score = new Map<string, number>();
  const add = (a: string, n: number) => score.set(a, Math.max(score.get(a) ?? -Infinity, n));
  const failed = m.headers.get('x-failed-recipients');
  if (failed)
    for (const f of failed.split(',')) {
      const a = addressIn(f);
      if (a) add(a, 10);
    }
  const lines = notice.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (NOT_RECIPIENT_LINE.test(line)) return;
    for (const match of line.matchAll(new RegExp(EMAIL.source, 'g'))) {
      const a = match[0].toLowerCase().replace(/^['"]+/, '');
      const near = [line, lines[i + 1] ?? '', lines[i + 2] ?? ''].join(' ');
      let n = 1;
      if (ERROR_LINE.test(line)) n += 3;
      else if (ERROR_LINE.test(near)) n += 2;
      if (/^\s*<[^>]+>:?\s*$/.test(line) || /^\s*(to|original-recipient|recipient|rcpt to|address)\s*:/i.test(line))
        n += 2;
      if (/^[0-9a-f.]{12,}@/i.test(a) || /\d{6,}/.test(a.split('@')[0]!)) n -= 3; // looks like a Message-ID
      add(a, n);
    }
  });
  return [...score.entries()]
    .filter(([a]) => !own.has(a) && !/^(mailer-daemon|postmaster|abuse|noreply|no-reply|bounce|mdaemon)/i.test(a))
    .sort((x, y) => y[1] - x[1])
    .map(([a]) => a);
}

function heuristicRecipients(m: MailFacts): BounceRecipient[] {
  const notice = noticePart(m.text);
  const address = scoredCandidates(m, notice)[0];
  if (!address) return [];
  // The error line: the first line mentioning the address or an SMTP reply code.
  const lines = notice.split(/\r?\n/);
  const i = lines.findIndex((l) => STATUS_RE.test(l) || /\b[45]\d\d[ -]/.test(l));
  const diagnostic =
    (i >= 0 ? lines.slice(i, i + 3).join(' ') : notice).replace(/\s+/g, ' ').trim().slice(0, 500) || null;
  const status = statusFrom(diagnostic) ?? statusFrom(notice);
  const wording = ADDRESS_GONE.test(notice) ? notice : diagnostic;
  return [
    {
      address,
      status,
      action: null,
      diagnostic,
      hard: isHard(status, wording) || (!status && ADDRESS_GONE.test(notice)),
    },
  ];
}

function looksLikeBounce(m: MailFacts): boolean {
  if (/multipart\/report/i.test(m.contentType) && /report-type="?delivery-status/i.test(m.contentType)) return true;
  if (m.headers.has('x-failed-recipients')) return true;
  const evidence =
    /Final-Recipient:|Diagnostic-Code:|\b[45]\d\d[ -]|\b[45]\.\d\.\d|message\/rfc822/i.test(m.text) ||
    ADDRESS_GONE.test(m.text);
  const nullSender = /^\s*<?>?\s*$/.test(m.headers.get('return-path') ?? 'x');
  if (BOUNCE_SUBJECT.test(m.subject)) return BOUNCE_FROM.test(m.from) || nullSender || !m.from || evidence;
  return BOUNCE_FROM.test(m.from) && evidence;
}

export function parseBounce(m: MailFacts): Bounce | null {
  if (!looksLikeBounce(m)) return null;
  let recipients = parseDsn(m.text);
  const format = recipients.length ? 'dsn' : 'heuristic';
  if (!recipients.length) recipients = heuristicRecipients(m);
  // A DSN may say "delivered" or "delayed" only; that is not a failure.
  const failed = recipients.filter((r) => !/delivered|relayed|expanded/i.test(r.action ?? ''));
  const first = failed[0] ?? recipients[0];
  return {
    recipients: failed.length ? failed : recipients,
    recipient: first?.address ?? null,
    status: first?.status ?? null,
    hard: failed.some((r) => r.hard),
    diagnostic: first?.diagnostic ?? null,
    format,
  };
}
