// `prospector research URL_OR_DOMAIN [--contact EMAIL] [--json]`: what the agent would know,
// without saving anything. Pages are cached in memory only; the database is opened only to
// look up the contact (and their account) when --contact is given.
import { one } from '../db/index.js';
import { findAccountByDomain } from '../db/queries/accounts.js';
import { findContactByEmail } from '../db/queries/contacts.js';

import { firstWorkspace } from '../db/queries/workspaces.js';
import { createLlm } from '../llm/client.js';
import { chromiumRenderer } from '../net/browser.js';
import { MemoryPageCache } from '../net/cache.js';
import { buildDossier, type DossierInput } from '../research/dossier.js';
import { researchContact, researchDeps, researchSettings } from '../research/store.js';
import type { Dossier } from '../research/types.js';
import { configOrExit, openContext } from './context.js';

export function formatDossier(d: Dossier): string {
  const out: string[] = [`Dossier for ${d.domain ?? d.homepageUrl}${d.homepageUrl ? ` (${d.homepageUrl})` : ''}`];
  const o = d.organization;
  if (o.name)
    out.push(
      `Organization: ${o.name}${o.size ? `, ${o.size} people` : ''}${o.address?.text ? `, ${o.address.text}` : ''}`,
    );
  for (const p of d.people) {
    out.push(
      p.role === 'contact'
        ? `Contact: ${p.name} <${p.email}>, ${p.title || 'no title'}${p.previousCompany ? `, previously at ${p.previousCompany}` : ''}`
        : `Named on ${p.source} page: ${p.name}, ${p.title} (${p.sourceUrl})`,
    );
  }
  out.push(`Time zone: ${d.contactTimeZone ?? 'unknown'}${d.timeZoneSource ? ` (from the ${d.timeZoneSource})` : ''}`);
  out.push(
    `Pages: ${d.pages.length} read (${d.stats.rendered} rendered, ${d.stats.cacheHits} from cache); ` +
      `extractor: ${d.stats.extractor}` +
      (d.stats.factsDropped ? `, ${d.stats.factsDropped} facts dropped for quotes not on the page` : ''),
  );
  out.push('', `Facts (${d.facts.length}):`);
  d.facts.forEach((f, i) => {
    out.push(`${String(i + 1).padStart(3)}. [${f.kind}] ${f.text}${f.flags.length ? `  ⚠ ${f.flags.join(', ')}` : ''}`);
    if (f.quote !== f.text) out.push(`       “${f.quote}”`);
    out.push(`       source: ${f.sourceUrl}`);
  });
  if (d.errors.length)
    out.push('', `Errors (${d.errors.length}):`, ...d.errors.map((e) => `  - ${e.reason}: ${e.message}`));
  if (d.notes.length) out.push('', 'Notes:', ...d.notes.map((n) => `  - ${n}`));
  return out.join('\n');
}

export async function researchCommand(target: string, o: { contact?: string; json?: boolean }): Promise<void> {
  const config = configOrExit();
  const isUrl = /^https?:\/\//i.test(target);
  const domain = (isUrl ? new URL(target).hostname : target.replace(/\/.*$/, '')).toLowerCase().replace(/^www\./, '');
  const input: DossierInput = { domain, homepageUrl: isUrl ? target : null };
  let settings = researchSettings(undefined);
  if (o.contact) {
    const ctx = await openContext({ boss: false });
    try {
      const ws = await one(ctx.db, firstWorkspace());
      const contact = ws ? await one(ctx.db, findContactByEmail(ws.id, o.contact)) : undefined;
      if (!contact) {
        process.stderr.write(`prospector: no contact with email ${o.contact}\n`);
        process.exitCode = 1;
        return;
      }
      const account = await one(ctx.db, findAccountByDomain(ws!.id, domain));
      settings = researchSettings(ws);
      Object.assign(input, {
        accountName: account?.name,
        accountTimeZone: account?.time_zone,
        needsBrowser: account?.needs_browser,
        contact: researchContact(contact),
      });
    } finally {
      await ctx.stop();
    }
  }
  const deps = researchDeps(config, createLlm(config), new MemoryPageCache(), settings, chromiumRenderer());
  try {
    const dossier = await buildDossier(input, deps);
    process.stdout.write((o.json ? JSON.stringify(dossier, null, 2) : formatDossier(dossier)) + '\n');
    if (dossier.pages.length === 0) process.exitCode = 3;
  } finally {
    await deps.renderer?.close();
  }
}
