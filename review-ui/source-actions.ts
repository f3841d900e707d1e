// Signal sources as RevOps manages them, from the settings page and from /api/sources: one use case,
// two renderings. Validation (the kind's URL shape and config schema), the insert, the webhook
// secret (shown once), enabling/disabling and the audit rows live here.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { one, run, type Queryable } from '../db/index.js';
import {
  findSource,
  findSourceAtAddress,
  insertSource,
  lockSourceAddress,
  updateSourceSettings,
  type SignalSourceRow,
} from '../db/queries/signal-sources.js';
import { AppError } from '../errors.js';
import { checkFetchUrl } from '../net/http.js';
import { sourceRegistry } from '../signals/registry.js';
import { fetchOptionsFor, fetchSource, pollErrorText } from '../signals/poll.js';
import { SOURCE_KINDS, type RawItem, type SourceKind, type SourceModule } from '../signals/types.js';
import { auditRequest, type Actor } from './audit.js';
import { issues } from '../zod-message.js';
import { aSourceOf, configWords, noAddress, KindField, SOURCE_FIELDS } from '../signals/source-fields.js';

const Interval = z.coerce.number().int().min(5).max(10_080);
/**
 * A kind's settings as sent: an object (the API), or its JSON text (the page's textarea, or the API);
 * empty text is none. The one parse for both doors, so both refuse the same text in the same words.
 */
const SourceConfig = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string') return v;
    if (!v.trim()) return {};
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON, e.g. {"maxAgeDays": 30}' });
      return z.NEVER;
    }
  },
  z.record(z.string(), z.unknown(), { error: 'must be a JSON object, e.g. {"maxAgeDays": 30}' }),
);
export const NewSource = z.object({
  kind: KindField(SOURCE_KINDS),
  name: z.string().trim().min(1).max(200),
  url: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((s) => s || null),
  pollIntervalMinutes: Interval.default(60),
  config: SourceConfig.default({}),
});
export const SourcePatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  url: z.string().trim().min(1).max(2000).optional(),
  enabled: z.boolean().optional(),
  pollIntervalMinutes: Interval.optional(),
  config: SourceConfig.optional(),
});

/** The kind's config, validated; `demo` is the demo seed's mark, never a person's to set. */
function validConfig(kind: SourceKind, config: Record<string, unknown>): Record<string, unknown> {
  const p = sourceRegistry[kind].config.safeParse(config);
  if (!p.success) throw new AppError('VALIDATION', configWords(p.error));
  const { demo: _demo, ...rest } = p.data as Record<string, unknown>;
  return rest;
}

/**
 * The address a source of this kind polls: the kind's normalization first (a board page becomes its
 * API), then the one check every fetch makes (net/), so an address is refused when it is added, or
 * tried before adding, with the words each poll would use. A VALIDATION error naming the field: "URL is
 * not a web address; …", "URL cannot be polled: localhost is a private or reserved address; …".
 */
export function pollUrl(mod: SourceModule, raw: string, allowPrivate: Config['allowPrivateFetch']): string {
  let normalized = raw;
  try {
    normalized = mod.normalizeUrl ? mod.normalizeUrl(raw) : raw;
  } catch {
    // Not a URL at all: the parser below says so in its words.
  }
  try {
    return checkFetchUrl(normalized, { allowPrivate }).href;
  } catch (err) {
    // net/ says what is wrong with the address: not one at all (VALIDATION), or one never fetched.
    if (err instanceof AppError && err.code === 'VALIDATION')
      throw new AppError('VALIDATION', `${SOURCE_FIELDS.url} is ${err.message}`, { cause: err });
    if (err instanceof AppError && err.code === 'FETCH_BLOCKED')
      throw new AppError('VALIDATION', `${SOURCE_FIELDS.url} cannot be polled: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * One source per kind and address in a workspace: a second would poll the same thing twice. Inside the
 * transaction that then writes, under the address's lock, so two adds at once cannot both pass.
 */
async function refuseDuplicate(
  tx: Queryable,
  workspaceId: number,
  kind: SourceKind,
  url: string,
  exceptId: number | null = null,
): Promise<void> {
  await run(tx, lockSourceAddress(workspaceId, kind, url));
  const other = await one(tx, findSourceAtAddress(workspaceId, kind, url, exceptId));
  if (other) throw new AppError('VALIDATION', `${aSourceOf(kind)} with this address already exists: ${other.name}`);
}

/** Validates a new source against its kind's module and stores it; a webhook source gets its signing secret. */
export async function createSource(
  ctx: Pick<AppContext, 'db' | 'secrets' | 'config'>,
  who: Actor,
  workspaceId: number,
  body: unknown,
): Promise<{ source: SignalSourceRow; secret: string | null }> {
  const b = NewSource.safeParse(body ?? {});
  if (!b.success) throw new AppError('VALIDATION', issues(b.error, SOURCE_FIELDS));
  const input = b.data;
  const mod = sourceRegistry[input.kind];
  const config = validConfig(input.kind, input.config);
  let url: string | null = null;
  if (mod.polled) {
    if (!input.url) throw new AppError('VALIDATION', noAddress(input.kind));
    url = pollUrl(mod, input.url, ctx.config.allowPrivateFetch);
  }
  const secret = input.kind === 'webhook' ? randomBytes(32).toString('base64url') : null;
  const source = await ctx.db.transaction(async (tx) => {
    if (url) await refuseDuplicate(tx, workspaceId, input.kind, url);
    const row = (await one(
      tx,
      insertSource(workspaceId, {
        kind: input.kind,
        name: input.name,
        url,
        config,
        secretEnc: secret ? ctx.secrets.seal(secret) : null,
        pollIntervalMinutes: input.pollIntervalMinutes,
      }),
    ))!;
    await auditRequest(tx, who, 'source.created', { type: 'signal_source', id: row.id }, { kind: input.kind });
    return row;
  });
  return { source, secret };
}

/**
 * Renames, re-addresses, re-times, reconfigures, enables or disables a source; enabling starts afresh
 * (see updateSourceSettings). A new address is checked as one being added is.
 */
export async function changeSource(
  ctx: Pick<AppContext, 'db' | 'config'>,
  who: Actor,
  workspaceId: number,
  id: number,
  body: unknown,
): Promise<SignalSourceRow> {
  const b = SourcePatch.safeParse(body ?? {});
  if (!b.success) throw new AppError('VALIDATION', issues(b.error, SOURCE_FIELDS));
  const existing = await one(ctx.db, findSource(workspaceId, id));
  if (!existing) throw new AppError('NOT_FOUND', 'No such source.');
  const config = b.data.config
    ? { ...validConfig(existing.kind as SourceKind, b.data.config), demo: existing.config.demo }
    : undefined;
  let url: string | undefined;
  if (b.data.url !== undefined) {
    const kind = existing.kind as SourceKind;
    const mod = sourceRegistry[kind];
    if (!mod?.polled)
      throw new AppError(
        'VALIDATION',
        `${SOURCE_FIELDS.url} cannot be set: ${aSourceOf(kind, 'a')} is pushed to Prospector, not polled`,
      );
    url = pollUrl(mod, b.data.url, ctx.config.allowPrivateFetch);
  }
  const moved = url !== undefined && url !== existing.url ? url : undefined;
  const row = await ctx.db.transaction(async (tx) => {
    if (url !== undefined) await refuseDuplicate(tx, workspaceId, existing.kind as SourceKind, url, existing.id);
    return (await one(tx, updateSourceSettings(workspaceId, existing.id, { ...b.data, config, url: moved })))!;
  });
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
    // fetchSource checks the stored settings first, and says what is wrong with them in words.
    const r = await fetchSource(
      {
        id: s.id,
        workspaceId: s.workspace_id,
        kind: s.kind as SourceKind,
        url: s.url,
        config: s.config,
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
    return { ok: false, items: [], error: pollErrorText(err) };
  }
}
