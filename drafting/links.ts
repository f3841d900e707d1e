// Links and email addresses in a draft, however they are written: a URL, a "www." address, any
// bare domain whatever its ending ("bit.ly", "rb.gy", "evil.zip"), an IP address, and the
// disguised forms a hostile page asks for ("billing [at] evil [dot] example"). Pure.

interface Link {
  text: string;
  host: string;
}

// Endings of file names and code, which read like a domain but are not one ("Node.js", "deck.pdf").
const NOT_DOMAIN_ENDINGS = new Set(
  (
    'js ts jsx tsx mjs cjs py rb md txt pdf csv json yaml yml xml html htm css scss sh sql ' +
    'doc docx xls xlsx ppt pptx png jpg jpeg gif svg webp mp3 mp4 mov exe dll'
  ).split(' '),
);

/** Spelled-out "at" and "dot" turned back into "@" and "." so disguised addresses are seen. */
export function undisguise(text: string): string {
  return text
    .replace(/\s*[[({]\s*(?:at|@)\s*[\])}]\s*/gi, '@')
    .replace(/\s*[[({]\s*(?:dot|\.)\s*[\])}]\s*/gi, '.')
    .replace(/\b([a-z0-9][\w.+-]*)\s+at\s+([a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)+)\b/gi, (_, user, host) => {
      return `${user}@${String(host).replace(/\s+dot\s+/gi, '.')}`;
    })
    .replace(/\b([a-z0-9-]+)\s+dot\s+([a-z]{2,24})\b/gi, '$1.$2');
}

const EMAIL_RE = /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)+/gu;

/** Email addresses, lowercased, disguised ones included. */
export function emailsIn(text: string): string[] {
  return [...new Set([...undisguise(text).matchAll(EMAIL_RE)].map((m) => m[0].replace(/\.+$/, '').toLowerCase()))];
}

const LINK_RE =
  /(?:\b[a-z][a-z0-9+.-]*:\/\/)?(?:[\p{L}\d](?:[\p{L}\d-]*[\p{L}\d])?\.)+[\p{L}\d]{2,63}\b(?::\d+)?(?:[/?#][^\s<>()"']*)?/giu;

const IP_RE = /(?:\b[a-z][a-z0-9+.-]*:\/\/)?\b\d{1,3}(?:\.\d{1,3}){3}\b(?::\d+)?(?:[/?#][^\s<>()"']*)?/gi;

/** Links, www. addresses, bare domains and IP addresses, with their host. Email addresses are not links. */
export function linksIn(text: string): Link[] {
  const out: Link[] = [];
  let withoutEmails = undisguise(text).replace(EMAIL_RE, ' ');
  for (const m of withoutEmails.matchAll(IP_RE)) {
    const raw = m[0].replace(/[.,;:!?]+$/, '');
    out.push({ text: raw, host: raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/:?#]/)[0]! });
  }
  withoutEmails = withoutEmails.replace(IP_RE, ' ');
  for (const m of withoutEmails.matchAll(LINK_RE)) {
    const raw = m[0].replace(/[.,;:!?]+$/, '');
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
    const hostPart = raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/:?#]/)[0]!;
    const labels = hostPart.split('.');
    const last = labels[labels.length - 1]!.toLowerCase();
    if (!scheme) {
      // "3.5", "$1.2M", "e.g", "U.S.": numbers and initials are not domains; nor are file names.
      if (/^\d+$/.test(last) || labels.every((l) => l.length === 1) || NOT_DOMAIN_ENDINGS.has(last)) continue;
      if (labels.slice(0, -1).every((l) => /^\d+$/.test(l))) continue;
    }
    out.push({ text: raw, host: hostPart.toLowerCase() });
  }
  return out;
}
