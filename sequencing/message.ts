// Builds the email for one step, exactly as approved: plain text plus a minimal HTML
// alternative, From the rep, a deterministic Message-ID, threading headers, the footer and
// signature, and one-line List-Unsubscribe headers (RFC 8058). Pure apart from the token signer.
import type { SecretBox } from '../secret-box.js';
import { makeToken } from './tokens.js';

interface OutgoingStep {
  stepId: number;
  sequenceId: number;
  subject: string;
  body: string;
  /** The thread this step answers: the first message's subject and every Message-ID sent in it, oldest first. */
  thread: { subject: string; messageIds: string[] } | null;
  from: { name: string; email: string };
  to: { name: string; email: string };
  contactId: number;
  signature?: string;
  physicalAddress?: string;
  publicUrl: string;
  trackClicks?: boolean;
  trackOpens?: boolean;
}

export interface BuiltMessage {
  messageId: string;
  from: { name: string; address: string };
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, { prepared: true; value: string }>;
  /** URLs of the approved body, each with its signed redirect. */
  links: { url: string; tracked: string }[];
}

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/g;

/** The URLs in an approved body, trailing punctuation trimmed. */
export function extractUrls(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const u = m[0].replace(/[.,;:!?)\]]+$/, '');
    if (!out.includes(u)) out.push(u);
  }
  return out;
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase() || 'localhost';
}

/** Same step → same Message-ID, so a retry or a reconciliation can find what was sent. */
export function stepMessageId(secrets: Pick<SecretBox, 'sign'>, stepId: number, fromEmail: string): string {
  const tag = secrets
    .sign(`message-id.${stepId}`)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 16)
    .toLowerCase();
  return `<prospector.${stepId}.${tag}@${domainOf(fromEmail)}>`;
}

export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject : `Re: ${subject}`;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function htmlOf(text: string, hrefFor: (url: string) => string): string {
  const linkify = (line: string) => {
    let out = '';
    let last = 0;
    for (const m of line.matchAll(URL_RE)) {
      const url = m[0].replace(/[.,;:!?)\]]+$/, '');
      out += esc(line.slice(last, m.index)) + `<a href="${esc(hrefFor(url))}">${esc(url)}</a>`;
      last = m.index! + url.length;
    }
    return out + esc(line.slice(last));
  };
  const paras = text.split(/\n{2,}/).map((p) => `<p>${p.split('\n').map(linkify).join('<br>\n')}</p>`);
  return `<!doctype html><html><body style="font-family:sans-serif;font-size:14px">\n${paras.join('\n')}\n</body></html>`;
}

export function buildStepMessage(secrets: Pick<SecretBox, 'sign'>, s: OutgoingStep): BuiltMessage {
  const messageId = stepMessageId(secrets, s.stepId, s.from.email);
  const unsubUrl = `${s.publicUrl}/u/${makeToken(secrets, { k: 'u', c: s.contactId, s: s.stepId })}`;
  const mailto = `mailto:${s.from.email}?subject=unsubscribe`;
  const footer = [
    s.signature?.trim(),
    ['--', s.physicalAddress?.trim(), `Not interested? Reply "unsubscribe" or visit ${unsubUrl}`]
      .filter(Boolean)
      .join('\n'),
  ]
    .filter(Boolean)
    .join('\n\n');
  const text = `${s.body.replace(/\s+$/, '')}\n\n${footer}\n`;

  const links = extractUrls(s.body).map((url) => ({
    url,
    tracked:
      s.trackClicks === false ? url : `${s.publicUrl}/t/c/${makeToken(secrets, { k: 'c', s: s.stepId, u: url })}`,
  }));
  const hrefFor = (url: string) => links.find((l) => l.url === url)?.tracked ?? url;
  let html = htmlOf(text, hrefFor);
  if (s.trackOpens) {
    const pixel = `${s.publicUrl}/t/o/${makeToken(secrets, { k: 'o', s: s.stepId })}`;
    html = html.replace('</body>', `<img src="${esc(pixel)}" width="1" height="1" alt="">\n</body>`);
  }

  const threaded = !!s.thread && s.thread.messageIds.length > 0;
  return {
    messageId,
    from: { name: s.from.name, address: s.from.email },
    to: { name: s.to.name, address: s.to.email },
    subject: threaded ? replySubject(s.thread!.subject) : s.subject,
    text,
    html,
    ...(threaded ? { inReplyTo: s.thread!.messageIds.at(-1)!, references: s.thread!.messageIds } : {}),
    // Prepared values are written as given: one line each, so a DKIM signature over them holds.
    headers: {
      'List-Unsubscribe': { prepared: true, value: `<${unsubUrl}>, <${mailto}>` },
      'List-Unsubscribe-Post': { prepared: true, value: 'List-Unsubscribe=One-Click' },
    },
    links,
  };
}
