// Signal sources as RevOps manages them, from the settings page and from /api/sources: one use case,
// two renderings. Validation (the kind's URL shape and config schema), the insert, the webhook
// secret (shown once), enabling/disabling and the audit rows live here.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { one } from '../db/index.js';
import { findSource, insertSource, updateSourceSettings, type SignalSourceRow } from '../db/queries/signal-sources.js';
import { AppError } from '../errors.js';
import { bareHost } from '../net/address.js';
import { blockedError } from '../net/errors.js';
import { checkLiteral } from '../net/guard.js';
import { sourceRegistry } from '../signals/registry.js';
import { fetchOptionsFor } from '../signals/poll.js';
import { SOURCE_KINDS, type RawItem, type SourceKind } from '../signals/types.js';
import { auditRequest, type Actor } from './audit.js';
import { issues } from './openapi.js';

const Interval = z.coerce.number().int().min(5).max(10_080);
export const NewSource = z.object({
  kind: z.enum(SOURCE_KINDS),
  name: z.string().trim().min(1).max(200),
  url: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((s) => s || null),
  pollIntervalMinutes: Interval.default(60),
  config: z.record(z.string(), z.unknown()).default({}),
});
export const SourcePatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  enabled: z.boolean().optional(),
  pollIntervalMinutes: Interval.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** The kind's config, validated; `demo` is the demo seed's mark, never a person's to set. */
function validConfig(kind: SourceKind, config: Record<string, unknown>): Record<string, unknown> {
  const p = sourceRegistry[kind].config.safeParse(config);
  if (!p.success) throw new AppError('VALIDATION', `config: ${issues(p.error)}`);
  const { demo: _demo, ...rest } = p.data as Record<string, unknown>;
  return rest;
}

/**
 * Refuses, when the source is added, an address every poll would refuse: not a URL, not http(s), with
 * credentials, or a private or reserved address (a literal one, or localhost) that ALLOW_PRIVATE_FETCH
 * does not allow. Names that resolve to private addresses are still refused at each fetch.
 */
function checkPollUrl(raw: string, allowPrivate: Config['allowPrivateFetch']): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AppError('VALIDATION', 'url: not a web address; an http(s) address like https://example.com/feed.xml');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AppError('VALIDATION', 'url: an http(s) address');
  if (u.username || u.password)
    throw new AppError('VALIDATION', 'url: an address with a user name or password in it is never fetched');
  const host = bareHost(u);
  if (!checkLiteral(u, { allowPrivate }) && (host === 'localhost' || host.endsWith('.localhost')))
    throw blockedError(host);
}

/** Validates a new source against its kind's module and stores it; a webhook source gets its signing secret. */
export async function createSource(
  ctx: Pick<AppContext, 'db' | 'secrets' | 'config'>,
  who: Actor,
  workspaceId: number,
  body: unknown,
): Promise<{ source: SignalSourceRow; secret: string | null }> {
  const b = NewSource.safeParse(body ?? {});
  if (!b.success) throw new AppError('VALIDATION', issues(b.error));
  const input = b.data;
  const mod = sourceRegistry[input.kind];
  const config = validConfig(input.kind, input.config);
  let url: string | null = null;
  if (mod.polled) {
    if (!input.url) throw new AppError('VALIDATION', `url: a ${mod.label} needs the address to poll`);
    checkPollUrl(input.url, ctx.config.allowPrivateFetch);
    url = mod.normalizeUrl ? mod.normalizeUrl(input.url) : input.url;
  }
  const secret = input.kind === 'webhook' ? randomBytes(32).toString('base64url') : null;
  const source = (await one(
    ctx.db,
    insertSource(workspaceId, {
      kind: input.kind,
      name: input.name,
      url,
      config,
      secretEnc: secret ? ctx.secrets.seal(secret) : null,
      pollIntervalMinutes: input.pollIntervalMinutes,
    }),
  ))!;
  await auditRequest(ctx.db, who, 'source.created', { type: 'signal_source', id: source.id }, { kind: input.kind });
  return { source, secret };
}

/** Renames, re-times, reconfigures, enables or disables a source; enabling starts afresh (see updateSourceSettings). */
export async function changeSource(
  ctx: Pick<AppContext, 'db'>,
  who: Actor,
  workspaceId: number,
  id: number,
  body: unknown,
): Promise<SignalSourceRow> {
  const b = SourcePatch.safeParse(body ?? {});
  if (!b.success) throw new AppError('VALIDATION', issues(b.error));
  const existing = await one(ctx.db, findSource(workspaceId, id));
  if (!existing) throw new AppError('NOT_FOUND', 'No such source.');
  const config = b.data.config
    ? { ...validConfig(existing.kind as SourceKind, b.data.config), demo: existing.config.demo }
    : undefined;
  const row = (await one(ctx.db, updateSourceSettings(workspaceId, existing.id, { ...b.data, config })))!;
  const { enabled, ...rest } = b.data;
  if (enabled !== undefined)
    await auditRequest(ctx.db, who, `source.${enabled ? 'enabled' : 'disabled'}`, { type: 'signal_source', id });
  if (Object.values(rest).some((v) => v !== undefined))
    await auditRequest(ctx.db, who, 'source.updated', { type: 'signal_source', id }, { fields: Object.keys(rest) });
  return row;
}

export interface SourceTestResult {
  ok: boolean;
  items: RawItem[];
  error?: string;
  notModified?: boolean;
  finalUrl?: string;
}

/** One poll, nothing stored: what a person sees before trusting a source. */
export async function testSource(
  ctx: Pick<AppContext, 'config' | 'renderer'>,
  s: SignalSourceRow,
): Promise<SourceTestResult> {
  const mod = sourceRegistry[s.kind as SourceKind];
  if (!mod) return { ok: false, items: [], error: `unknown source kind ${s.kind}` };
  if (!mod.polled || !mod.poll)
    return { ok: false, items: [], error: `${mod.label} is pushed to Prospector, not polled: nothing to test here.` };
  try {
    const cfg = mod.config.parse(s.config);
    const r = await mod.poll(
      {
        id: s.id,
        workspaceId: s.workspace_id,
        kind: s.kind as SourceKind,
        url: s.url,
        config: cfg,
        etag: null,
        lastModified: null,
        snapshot: null,
      },
      {
        fetch: { ...fetchOptionsFor(ctx.config, s.config), timeoutMs: 15_000 },
        now: new Date(),
        renderer: ctx.renderer,
      },
    );
    return { ok: true, items: r.items.slice(0, 50), notModified: r.notModified, finalUrl: r.finalUrl };
  } catch (err) {
    return { ok: false, items: [], error: (err as Error).message };
  }
}
