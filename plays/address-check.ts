// Before a contact is used: is the address well formed, and does its domain take mail?
import { promises as dns } from 'node:dns';
import { isEmail } from '../accounts/normalize.js';

export type MxResolver = (domain: string) => Promise<{ exchange: string; priority: number }[]>;
export const systemMx: MxResolver = (d) => dns.resolveMx(d);

type AddressVerdict = { ok: true } | { ok: false; reason: string; temporary?: boolean };

export async function checkAddress(email: string, resolveMx: MxResolver = systemMx): Promise<AddressVerdict> {
  if (!isEmail(email)) return { ok: false, reason: `"${email}" is not a valid email address` };
  const domain = email.split('@')[1]!.toLowerCase();
  try {
    const mx = await resolveMx(domain);
    // RFC 7505 "null MX" (a single "." exchange) says the domain accepts no mail.
    if (!mx.length || mx.every((m) => m.exchange === '' || m.exchange === '.'))
      return { ok: false, reason: `${domain} accepts no mail (no MX record)` };
    return { ok: true };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'ENOTFOUND' || code === 'ENODATA')
      return { ok: false, reason: `${domain} has no MX record (${code})` };
    // DNS unreachable is not the contact's fault: do not mark them undeliverable.
    return { ok: false, reason: `could not look up ${domain} (${code || (err as Error).message})`, temporary: true };
  }
}
