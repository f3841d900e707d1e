import type { CachedPage } from '../../net/cache.js';
import type { Sql } from '../types.js';
import type { ContactRow } from './contacts.js';
import type { SignalRow } from './signals.js';

/** Statuses a research job may (re)start from: new, a crashed run, or a deliberate re-run. */
const RESEARCHABLE = ['new', 'researching', 'researched', 'needs_contact', 'error'];

export const claimSignalForResearch = (signalId: number): Sql<SignalRow> => ({
  text: `UPDATE signals SET status = 'researching', error = NULL, updated_at = now()
          WHERE id = $1 AND status = ANY($2::text[]) RETURNING *`,
  values: [signalId, RESEARCHABLE],
});

/** No enabled play fires for the signal: kept, visible, and starts nothing. */
export const dismissSignal = (signalId: number, reason: string): Sql<{ id: number }> => ({
  text: `UPDATE signals SET status = 'dismissed', error = $2, updated_at = now() WHERE id = $1 AND status = 'researching' RETURNING id`,
  values: [signalId, reason],
});

export const finishSignalResearch = (
  signalId: number,
  status: 'researched' | 'needs_contact',
): Sql<{ id: number }> => ({
  text: `UPDATE signals SET status = $2, updated_at = now() WHERE id = $1 AND status = 'researching' RETURNING id`,
  values: [signalId, status],
});

/** Keeps the last failure visible on a signal while pg-boss retries its research job. */
export const noteResearchError = (signalId: number, message: string): Sql => ({
  text: `UPDATE signals SET error = $2, updated_at = now() WHERE id = $1 AND status = 'researching'`,
  values: [signalId, message.slice(0, 2000)],
});

export const activeContactsOfAccount = (accountId: number): Sql<ContactRow> => ({
  text: `SELECT * FROM contacts WHERE account_id = $1 AND status = 'active' ORDER BY id`,
  values: [accountId],
});

/** Re-running research replaces the signal's dossier (facts go with it by cascade). */
export const deleteDossiersOfSignal = (signalId: number): Sql<{ id: number }> => ({
  text: `DELETE FROM dossiers WHERE signal_id = $1 RETURNING id`,
  values: [signalId],
});

interface DossierInsert {
  workspaceId: number;
  signalId: number;
  accountId: number | null;
  contactId: number | null;
  organization: unknown;
  people: unknown;
  errors: unknown;
  stats: unknown;
  contactTimeZone: string | null;
  /** The play persona the contact met, and hours after approval before their first send. */
  persona?: string | null;
  staggerHours?: number;
}

export const insertDossier = (d: DossierInsert): Sql<DossierRow> => ({
  text: `INSERT INTO dossiers (workspace_id, signal_id, account_id, contact_id, organization, people, errors, stats,
                               contact_time_zone, persona, stagger_hours)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
  values: [
    d.workspaceId,
    d.signalId,
    d.accountId,
    d.contactId,
    JSON.stringify(d.organization),
    JSON.stringify(d.people),
    JSON.stringify(d.errors),
    JSON.stringify(d.stats),
    d.contactTimeZone,
    d.persona ?? null,
    d.staggerHours ?? 0,
  ],
});

export interface DossierRow {
  id: number;
  workspace_id: number;
  signal_id: number;
  account_id: number | null;
  contact_id: number | null;
  organization: Record<string, unknown>;
  people: unknown[];
  errors: unknown[];
  stats: Record<string, unknown>;
  contact_time_zone: string | null;
  persona: string | null;
  stagger_hours: number;
  created_at: Date;
  updated_at: Date;
}

export interface FactRow {
  id: number;
  dossier_id: number;
  kind: string;
  text: string;
  source_url: string;
  quote: string;
  fetched_at: Date;
  flags: string[];
  position: number;
}

interface FactInsert {
  kind: string;
  text: string;
  sourceUrl: string;
  quote: string;
  fetchedAt: Date;
  flags: string[];
}

/** All of a dossier's facts in one statement, `position` in the given order. */
export const insertFacts = (dossierId: number, facts: FactInsert[]): Sql => ({
  text: `INSERT INTO facts (dossier_id, kind, text, source_url, quote, fetched_at, flags, position)
         SELECT $1, f.kind, f.text, f.source_url, f.quote, f.fetched_at,
                ARRAY(SELECT jsonb_array_elements_text(f.flags)), f.position
           FROM jsonb_to_recordset($2::jsonb)
                AS f(kind text, text text, source_url text, quote text, fetched_at timestamptz, flags jsonb, position int)`,
  values: [
    dossierId,
    JSON.stringify(
      facts.map((f, i) => ({
        kind: f.kind,
        text: f.text,
        source_url: f.sourceUrl,
        quote: f.quote,
        fetched_at: f.fetchedAt.toISOString(),
        flags: f.flags,
        position: i,
      })),
    ),
  ],
});

export const dossiersOfSignal = (signalId: number): Sql<DossierRow> => ({
  text: `SELECT * FROM dossiers WHERE signal_id = $1 ORDER BY id`,
  values: [signalId],
});

export const factsOfDossier = (dossierId: number): Sql<FactRow> => ({
  text: `SELECT * FROM facts WHERE dossier_id = $1 ORDER BY position, id`,
  values: [dossierId],
});

interface PageCacheRow {
  url: string;
  status: number;
  content_type: string | null;
  etag: string | null;
  last_modified: string | null;
  body: string | null;
  rendered: boolean;
  fetched_at: Date;
  expires_at: Date;
}

export const getCachedPage = (url: string): Sql<PageCacheRow> => ({
  text: `SELECT * FROM page_cache WHERE url = $1`,
  values: [url],
});

export const putCachedPage = (p: CachedPage): Sql => ({
  text: `INSERT INTO page_cache (url, status, content_type, etag, last_modified, body, rendered, fetched_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (url) DO UPDATE SET status = EXCLUDED.status, content_type = EXCLUDED.content_type,
           etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, body = EXCLUDED.body,
           rendered = EXCLUDED.rendered, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at`,
  values: [p.url, p.status, p.contentType, p.etag, p.lastModified, p.body, p.rendered, p.fetchedAt, p.expiresAt],
});

/** The demo sites are served only while a demo workspace exists. */
