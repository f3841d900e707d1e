// The research agent's database side: what to research for a signal, and saving the dossier.
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { findAccount, type AccountRow } from '../db/queries/accounts.js';
import { findContact, type ContactRow } from '../db/queries/contacts.js';
import { activeContactsOfAccount, deleteDossiersOfSignal, insertDossier, insertFacts } from '../db/queries/research.js';
import type { SignalRow } from '../db/queries/signals.js';
import { findUser } from '../db/queries/users.js';
import { findWorkspace, type WorkspaceRow } from '../db/queries/workspaces.js';
import type { Llm } from '../llm/client.js';
import { recordUsage } from '../llm/usage.js';
import type { Renderer } from '../net/browser.js';
import type { PageCache } from '../net/cache.js';
import { userAgent } from '../net/identity.js';
import { bestContact } from './contact.js';
import type { DossierDeps, DossierInput } from './dossier.js';
import { ClaudeExtractor } from './llm-facts.js';
import { createSiteMap } from './sites.js';
import type { Dossier } from './types.js';

/** A contact as research reads it (the dossier job and `prospector research`). */
export const researchContact = (c: ContactRow) => ({
  name: `${c.first_name} ${c.last_name}`.trim(),
  email: c.email,
  title: c.title,
  timeZone: c.time_zone,
  previousCompany: c.previous_company,
});

/** Workspace settings research reads; anything else in settings is left alone. */
export const ResearchSettings = z.object({
  demo: z.boolean().optional(),
  /** domain → base URL to fetch that domain's pages from (e.g. a mirror); the private-address rule still applies. */
  researchSiteMap: z.record(z.string(), z.url()).optional(),
  researchMaxPages: z.number().int().min(1).max(20).optional(),
  /** Look up each chosen contact's MX record before using them (default on). */
  verifyMx: z.boolean().optional(),
});
export type ResearchSettings = z.infer<typeof ResearchSettings>;

export function researchSettings(ws: WorkspaceRow | undefined): ResearchSettings {
  const parsed = ResearchSettings.safeParse(ws?.settings ?? {});
  return parsed.success ? parsed.data : {};
}

/** Everything buildDossier needs apart from the input: cache, address policy, site map, browser, LLM. */
export function researchDeps(
  config: Config,
  llm: Llm | undefined,
  cache: PageCache,
  settings: ResearchSettings,
  renderer: Renderer | null,
): DossierDeps {
  const demoUrl = settings.demo ? config.publicUrl : undefined;
  return {
    cache,
    // The demo's sites and stories live on the app's (often loopback) address: only its /demo/ pages are allowed.
    policy: {
      allowPrivate: config.allowPrivateFetch,
      allowPrefixes: demoUrl ? [`${demoUrl.replace(/\/$/, '')}/demo/`] : [],
    },
    userAgent: userAgent(config),
    sites: createSiteMap(settings.researchSiteMap, demoUrl),
    renderer,
    extractor: llm ? new ClaudeExtractor(llm) : null,
    maxPages: settings.researchMaxPages,
  };
}

export interface ResearchTarget {
  input: DossierInput;
  account: AccountRow | undefined;
  contact: ContactRow | undefined;
  settings: ResearchSettings;
  /** Set when a play chose the contact: the persona they met and the hours their first send waits. */
  persona?: string | null;
  staggerHours?: number;
}

/** The account, the contact (the signal's own if active, else the account's most senior active one) and the rep's zone. */
export async function loadResearchTarget(db: Queryable, signal: SignalRow): Promise<ResearchTarget> {
  const account = signal.account_id ? await one(db, findAccount(signal.workspace_id, signal.account_id)) : undefined;
  let contact = signal.contact_id ? await one(db, findContact(signal.workspace_id, signal.contact_id)) : undefined;
  if (contact?.status !== 'active')
    contact = account ? bestContact(await run(db, activeContactsOfAccount(account.id))) : undefined;
  return targetFor(db, signal, account, contact);
}

/** The research target for one given contact (or none) at the signal's account. */
export async function targetFor(
  db: Queryable,
  signal: SignalRow,
  account: AccountRow | undefined,
  contact: ContactRow | undefined,
  play: { persona?: string | null; staggerHours?: number } = {},
): Promise<ResearchTarget> {
  const ws = await one(db, findWorkspace(signal.workspace_id));
  const owner = account?.owner_id ? await one(db, findUser(signal.workspace_id, account.owner_id)) : undefined;
  return {
    account,
    contact,
    settings: researchSettings(ws),
    persona: play.persona ?? null,
    staggerHours: play.staggerHours ?? 0,
    input: {
      domain: account?.domain ?? null,
      accountName: account?.name,
      accountTimeZone: account?.time_zone,
      needsBrowser: account?.needs_browser,
      signal: { title: signal.title, url: signal.url },
      contact: contact ? researchContact(contact) : null,
      ownerTimeZone: owner?.time_zone,
    },
  };
}

/** Replaces the signal's dossier with this one and its facts; returns the new dossier id. Run inside a transaction. */
export async function saveDossier(
  tx: Queryable,
  signal: SignalRow,
  target: ResearchTarget,
  dossier: Dossier,
  opts: { replace?: boolean; stats?: Record<string, unknown> } = {},
): Promise<number> {
  if (opts.replace !== false) await run(tx, deleteDossiersOfSignal(signal.id));
  const { notes, pages, stats } = dossier;
  const row = (await one(
    tx,
    insertDossier({
      workspaceId: signal.workspace_id,
      signalId: signal.id,
      accountId: target.account?.id ?? null,
      contactId: target.contact?.id ?? null,
      organization: dossier.organization,
      people: dossier.people,
      errors: dossier.errors,
      stats: {
        ...stats,
        notes,
        pages,
        timeZoneSource: dossier.timeZoneSource,
        homepageUrl: dossier.homepageUrl,
        ...opts.stats,
      },
      contactTimeZone: dossier.contactTimeZone,
      persona: target.persona ?? null,
      staggerHours: target.staggerHours ?? 0,
    }),
  ))!;
  if (dossier.facts.length) await run(tx, insertFacts(row.id, dossier.facts));
  if (stats.llm)
    await recordUsage({ db: tx, workspaceId: signal.workspace_id, signalId: signal.id }, 'research', stats.llm);
  return row.id;
}
