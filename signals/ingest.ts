// Items in, signals out: classify, match an account, dedup across sources, apply the
// per-account cooldown, store, and start research for each new matched signal through the
// caller's `enqueueResearch`, inside the transaction that inserts the signal (agents/ supplies
// it: a pg-boss job with an id derived from the signal id, so exactly one per signal).
import { one, run, type Database, type Queryable } from '../db/index.js';
import {
  accountInCooldown,
  accountsTagged,
  accountsVersion,
  appendRole,
  findDuplicate,
  findSignalByFingerprint,
  insertObservation,
  insertSignal,
  lockDedupKey,
  matchableAccounts,
  seenForAccount,
  type SignalRow,
} from '../db/queries/signals.js';
import { findWorkspace, type WorkspaceRow } from '../db/queries/workspaces.js';
import type { Logger } from '../log.js';
import type { Llm } from '../llm/client.js';
import { classify } from './classify.js';
import { DEDUP_WINDOW_DAYS, dedupKey, fingerprint } from './dedup.js';
import { classifyWithLlm, llmFacts } from './llm-classify.js';
import { roleOf } from './acquisition.js';
import { competitorBought, competitorsOf, type Competitor } from './competitors.js';
import { buildIndex, matchItem, type AccountIndex, type MatchResult } from './match.js';
import { cut } from './text.js';
import type { RawItem, SignalStatus } from './types.js';

const DEFAULT_COOLDOWN_DAYS = 30;

/** Queues research for a new signal as part of `tx`; must be idempotent on the signal id. */
export type EnqueueResearch = (tx: Queryable, signalId: number) => Promise<void>;

/** What signals remember between polls; the application context owns them (context.ts). */
export interface SignalCaches {
  /** Each workspace's account matching index, with the accounts' version it was built at. */
  accountIndex: Map<number, { version: string; index: AccountIndex }>;
  /** The accounts' version per workspace the maintenance re-match last looked at (rematch.ts). */
  rematchSeen: Map<number, string>;
}

export interface IngestContext {
  db: Database;
  enqueueResearch: EnqueueResearch;
  caches: SignalCaches;
  log?: Logger;
  /** When set, items the rules leave as news/other about an account get the model's opinion. */
  llm?: Llm;
}

interface IngestOptions {
  workspaceId: number;
  sourceId: number | null;
  now: Date;
  /** Reuse an index built for this workspace; otherwise one is built (or taken from the cache). */
  index?: AccountIndex;
  /** A feed's batch: an item that fails is reported in `failed` and the rest go on (otherwise it throws). */
  keepGoing?: boolean;
}

export interface IngestOutcome {
  created: number;
  merged: number;
  byStatus: Partial<Record<SignalStatus, number>>;
  signalIds: number[];
  researchQueued: number;
  /** Items that could not be stored (only with `keepGoing`). */
  failed?: { key: string; title: string; error: string }[];
}

/** A key that changes whenever a workspace's accounts (names, domains, aliases) may have. */
export async function accountsKey(db: Queryable, workspaceId: number): Promise<string> {
  const v = (await one(db, accountsVersion(workspaceId)))!;
  return `${v.n}|${v.at}|${v.max_id}`;
}

/** The matching index for a workspace, rebuilt only when its accounts changed. */
export async function accountIndex(
  db: Queryable,
  caches: Pick<SignalCaches, 'accountIndex'>,
  workspaceId: number,
): Promise<AccountIndex> {
  const version = await accountsKey(db, workspaceId);
  const hit = caches.accountIndex.get(workspaceId);
  if (hit && hit.version === version) return hit.index;
  const index = buildIndex(await run(db, matchableAccounts(workspaceId)));
  caches.accountIndex.set(workspaceId, { version, index });
  return index;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

export function cooldownDays(ws: WorkspaceRow | undefined): number {
  const d = Number((ws?.settings as { cooldownDays?: unknown } | undefined)?.cooldownDays);
  return Number.isFinite(d) && d >= 0 ? d : DEFAULT_COOLDOWN_DAYS;
}

export interface Prepared {
  item: RawItem;
  type: string;
  subtype: string | null;
  facts: Record<string, unknown>;
  match: MatchResult;
  /** 'fallback' when no rule recognised the item. */
  basis: 'rule' | 'fallback' | 'source';
}

/** The pure half: what each item is and whom it is about. */
export function prepareItems(items: RawItem[], index: AccountIndex): Prepared[] {
  return items.map((item) => {
    const c = item.type ? null : classify(item.title, item.summary);
    const type = item.type ?? c!.type;
    const facts = { ...(c?.facts ?? {}), ...(item.facts ?? {}) };
    const subject = typeof facts.company === 'string' ? facts.company : null;
    const match = matchItem(index, {
      title: item.title,
      summary: item.summary,
      url: item.url,
      links: item.links,
      company: item.company,
      accountId: item.accountId,
      subject,
      // An investor's own fund: the portfolio companies its summary names are not the news.
      titleOnly: c?.subtype === 'fund_close',
    });
    if (type === 'acquisition' && match.status === 'matched') {
      const a = index.byId.get(match.accountId)!;
      const parties = { acquirer: str(facts.acquirer), target: str(facts.target) };
      facts.accountRole = roleOf(parties, [a.name, ...a.aliases]);
    }
    return { item, type, subtype: item.subtype ?? c?.subtype ?? null, facts, match, basis: c?.basis ?? 'source' };
  });
}

function statusFor(p: Prepared): SignalStatus {
  if (p.match.status === 'unmatched') return 'unmatched';
  if (p.match.status === 'ambiguous') return 'ambiguous';
  // A matched blog post that is none of the kinds we act on is kept, but starts nothing.
  if (p.type === 'news' && p.subtype === 'other') return 'dismissed';
  return 'new';
}

function keyOf(p: Prepared): string {
  const accountId = p.match.status === 'matched' ? p.match.accountId : null;
  const company =
    p.match.status === 'unmatched' ? p.match.company : typeof p.facts.company === 'string' ? p.facts.company : null;
  return dedupKey({
    type: p.type,
    subtype: p.subtype,
    facts: p.facts,
    accountId,
    contactId: p.item.contactId ?? null,
    company,
    title: p.item.title,
    url: p.item.url,
  });
}

/**
 * Asks the model about an item no rule recognised, if it is about one of our accounts and not
 * already stored (feeds repeat their items on every poll; each is asked about once).
 */
async function secondOpinion(ctx: IngestContext, o: IngestOptions, p: Prepared): Promise<Prepared> {
  if (!ctx.llm || p.basis !== 'fallback' || p.match.status !== 'matched') return p;
  if (await one(ctx.db, seenForAccount(p.match.accountId, p.item.url ?? p.item.key))) return p;
  const l = await classifyWithLlm(p.item, {
    llm: ctx.llm,
    log: ctx.log,
    usage: { db: ctx.db, workspaceId: o.workspaceId },
  });
  if (!l || (l.type === 'news' && l.subtype === 'other')) return p;
  const f = llmFacts(l);
  return { ...p, type: f.type, subtype: f.subtype, facts: { ...p.facts, ...f.facts }, basis: 'rule' };
}

/** Stores one prepared item; returns the signal and whether it was new. */
async function storeOne(
  tx: Queryable,
  o: IngestOptions,
  p: Prepared,
  cooldown: number,
): Promise<{ signal: SignalRow; created: boolean; queued: boolean }> {
  const accountId = p.match.status === 'matched' ? p.match.accountId : null;
  const occurredAt = p.item.publishedAt ?? o.now;
  const key = keyOf(p);
  await run(tx, lockDedupKey(o.workspaceId, key));
  const observe = (signalId: number) =>
    run(
      tx,
      insertObservation({
        signalId,
        sourceId: o.sourceId,
        url: p.item.url ?? p.item.key,
        title: p.item.title,
        raw: {
          key: p.item.key,
          summary: cut(p.item.summary, 1000),
          publishedAt: p.item.publishedAt,
          facts: p.facts,
        },
        at: o.now,
      }),
    );
  let dup = await one(tx, findDuplicate(o.workspaceId, key, occurredAt, DEDUP_WINDOW_DAYS[p.type] ?? 7));
  if (!dup) {
    let status = statusFor(p);
    if (status === 'new' && accountId && (await one(tx, accountInCooldown(accountId, o.now, cooldown)))!.cooling)
      status = 'cooldown';
    const fp = fingerprint(key, occurredAt);
    const matchJson =
      p.match.status === 'matched'
        ? { status: 'matched', via: p.match.via, candidates: p.match.candidates, others: p.match.others }
        : { ...p.match };
    const facts =
      p.type === 'hiring' && typeof p.facts.role === 'string' ? { ...p.facts, roles: [p.facts.role] } : p.facts;
    const inserted = await one(
      tx,
      insertSignal(
        o.workspaceId,
        {
          accountId,
          contactId: p.item.contactId ?? null,
          type: p.type,
          subtype: p.subtype,
          title: cut(p.item.title, 500),
          summary: cut(p.item.summary, 2000),
          url: p.item.url,
          facts,
          fingerprint: fp,
          dedupKey: key,
          status,
          match: matchJson,
          occurredAt,
        },
        o.now,
      ),
    );
    if (inserted) {
      await observe(inserted.id);
      return { signal: inserted, created: true, queued: false };
    }
    dup = await one(tx, findSignalByFingerprint(o.workspaceId, fp));
  }
  await observe(dup!.id);
  if (dup!.type === 'hiring' && typeof p.facts.role === 'string') await run(tx, appendRole(dup!.id, p.facts.role));
  return { signal: dup!, created: false, queued: false };
}

/**
 * An acquisition of a listed competitor, once more for every account tagged as using it: the
 * account's role is `competitor` (plays/defaults.ts has a play for it), the match says why.
 */
async function competitorFanOut(db: Queryable, workspaceId: number, competitors: Competitor[], p: Prepared) {
  if (p.type !== 'acquisition' || !competitors.length) return [];
  const bought = competitorBought({ acquirer: str(p.facts.acquirer), target: str(p.facts.target) }, competitors);
  if (!bought) return [];
  const users = await run(db, accountsTagged(workspaceId, bought.tag));
  return users
    .filter((a) => p.match.status !== 'matched' || p.match.accountId !== a.id)
    .map((a): Prepared => {
      const why = `uses ${bought.name} (tagged ${bought.tag})`;
      const candidate = { accountId: a.id, name: a.name, via: 'competitor' as const, text: bought.name, why };
      return {
        ...p,
        item: { ...p.item, accountId: a.id },
        facts: { ...p.facts, accountRole: 'competitor', competitor: bought.name },
        match: { status: 'matched', accountId: a.id, via: 'competitor', candidates: [candidate], others: [] },
      };
    });
}

/** Runs items through the pipeline; each item commits on its own so one bad item loses nothing else. */
export async function ingestItems(ctx: IngestContext, items: RawItem[], o: IngestOptions): Promise<IngestOutcome> {
  const failed: NonNullable<IngestOutcome['failed']> = [];
  const out: IngestOutcome = { created: 0, merged: 0, byStatus: {}, signalIds: [], researchQueued: 0, failed };
  if (!items.length) return out;
  const index = o.index ?? (await accountIndex(ctx.db, ctx.caches, o.workspaceId));
  const workspace = await one(ctx.db, findWorkspace(o.workspaceId));
  const cooldown = cooldownDays(workspace);
  const competitors = competitorsOf(workspace?.settings);
  for (const item of items) {
    try {
      for (const p of prepareItems([item], index)) {
        await storePrepared(ctx, o, p, cooldown, out);
        for (const fan of await competitorFanOut(ctx.db, o.workspaceId, competitors, p))
          await storePrepared(ctx, o, fan, cooldown, out);
      }
    } catch (err) {
      // One item the pipeline cannot take (a value the database refuses, a parser's bug) is
      // reported with what identifies it; the items before and after it are kept.
      if (!o.keepGoing) throw err;
      const error = err instanceof Error ? err.message : String(err);
      failed.push({ key: item.key, title: cut(item.title, 200), error: error.slice(0, 500) });
      ctx.log?.warn({ sourceId: o.sourceId, key: item.key, err }, 'signal.item.failed');
    }
  }
  return out;
}

async function storePrepared(
  ctx: IngestContext,
  o: IngestOptions,
  prepared: Prepared,
  cooldown: number,
  out: IngestOutcome,
) {
  const p = await secondOpinion(ctx, o, prepared);
  const r = await ctx.db.transaction(async (tx) => {
    const stored = await storeOne(tx, o, p, cooldown);
    if (stored.created && stored.signal.status === 'new' && stored.signal.account_id) {
      await ctx.enqueueResearch(tx, stored.signal.id);
      stored.queued = true;
    }
    return stored;
  });
  if (r.created) {
    out.created++;
    out.byStatus[r.signal.status as SignalStatus] = (out.byStatus[r.signal.status as SignalStatus] ?? 0) + 1;
  } else out.merged++;
  if (r.queued) out.researchQueued++;
  if (!out.signalIds.includes(r.signal.id)) out.signalIds.push(r.signal.id);
  ctx.log?.debug(
    { signalId: r.signal.id, status: r.signal.status, created: r.created },
    r.created ? 'signal.created' : 'signal.merged',
  );
}
