// Signed tokens for links in sent mail: a click names the step and the exact URL; an
// unsubscribe names the contact. HMAC via secrets.sign, so a changed byte is a 400, and the
// redirect target comes only from inside the signature (no open redirect).
import type { SecretBox } from '../secret-box.js';

type TokenPayload =
  | { k: 'c'; s: number; u: string } // click: step id, URL exactly as approved
  | { k: 'u'; c: number; s?: number } // unsubscribe: contact id, step id when known
  | { k: 'o'; s: number }; // open pixel (off by default)

export function makeToken(secrets: Pick<SecretBox, 'sign'>, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${secrets.sign(`tok.${body}`)}`;
}

export function readToken(secrets: Pick<SecretBox, 'verify'>, token: string): TokenPayload | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  if (!secrets.verify(`tok.${body}`, token.slice(dot + 1))) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    return p && typeof p === 'object' && ['c', 'u', 'o'].includes(p.k) ? p : null;
  } catch {
    return null;
  }
}
