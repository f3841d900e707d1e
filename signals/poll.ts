// One poll of one source: fetch through its module, ingest what is new, and record the
// outcome on the source (conditional-GET validators, snapshot, or the error with backoff).
import type { Config } from '../config.js';
import { one } from '../db/index.js';
import {
  findSourceInAnyWorkspace,
  recordPollFailure,
  recordPollSuccess,
  type SignalSourceRow,
} from '../db/queries/signal-sources.js';
import { AppError, isAppError } from '../errors.js';
import type { Renderer } from '../net/browser.js';
import { fetchFailureWords, systemCode } from '../net/errors.js';
import type { FetchOptions } from '../net/http.js';
import { userAgent } from '../net/identity.js';
import { ingestItems, type IngestContext, type IngestOutcome } from './ingest.js';
import { sourceRegistry } from './registry.js';
import { configWords, noAddress, notPolled } from './source-fields.js';
import type { PollContext, PollResult, SourceKind, SourceSpec } from './types.js';

const FLAG_AFTER_FAILURES = 5;

/**
 * Loopback and private addresses only with ALLOW_PRIVATE_FETCH — or, for demo sources, the
 * app's own /demo/ pages (demo feeds are served by the app itself), checked on every hop.
 */
export function fetchOptionsFor(
  config: Pick<Config, 'allowPrivateFetch' | 'publicUrl' | 'fetchContact'>,
  sourceConfig: Record<string, unknown>,
): FetchOptions {
  return {
    userAgent: userAgent(config),
    allowPrivate: config.allowPrivateFetch,
    allowPrefixes: sourceConfig.demo === true ? [`${config.publicUrl}/demo/`, `${config.publicUrl}/robots.txt`] : [],
  };
}

function toSpec(row: SignalSourceRow): SourceSpec {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind as SourceKind,
    url: row.url,
    config: row.config,
    etag: row.etag,
    lastModified: row.last_modified,
    snapshot: row.snapshot,
  };
}

/** Fetches once without storing anything: `prospector source test` and the API's preview. */
export async function fetchSource(spec: SourceSpec, ctx: PollContext): Promise<PollResult> {
  const mod = sourceRegistry[spec.kind];
  if (!mod?.poll) throw new AppError('VALIDATION', notPolled(spec.kind));
  const parsed = mod.config.safeParse(spec.config ?? {});
  // A stored config a module no longer accepts (edited in the database, or a schema since tightened).
  if (!parsed.success) throw new AppError('VALIDATION', configWords(parsed.error));
  if (!spec.url) throw new AppError('VALIDATION', noAddress(spec.kind));
  return mod.poll({ ...spec, config: parsed.data }, ctx);
}

/**
 * A failed poll as stored on the source and shown to RevOps: the reason in words, then the codes an
 * operator searches for in brackets, e.g. "The address feeds.invalid could not be found (DNS)
 * [FETCH_FAILED ENOTFOUND]", "The server answered 404 Not Found [FETCH_FAILED]".
 */
export function pollErrorText(err: unknown): string {
  if (!isAppError(err)) return `${(err as Error)?.message ?? String(err)} [INTERNAL]`;
  const sys = systemCode(err);
  return `${fetchFailureWords(err) ?? err.message} [${err.code}${sys ? ` ${sys}` : ''}]`;
}

interface PollOutcome {
  sourceId: number;
  ok: boolean;
  notModified?: boolean;
  items?: number;
  ingest?: IngestOutcome;
  error?: string;
  flagged?: boolean;
}

/** Polls a source now. Fetch and parse errors are stored on the source, not thrown. */
export async function pollSource(
  ctx: IngestContext & { config: Config; renderer: Renderer | null },
  sourceId: number,
  now = new Date(),
  signal?: AbortSignal,
): Promise<PollOutcome> {
  const row = await one(ctx.db, findSourceInAnyWorkspace(sourceId));
  if (!row) throw new AppError('NOT_FOUND', `signal source ${sourceId} does not exist`);
  if (!row.enabled) return { sourceId, ok: true, items: 0 };
  const spec = toSpec(row);
  let result: PollResult;
  try {
    result = await fetchSource(spec, {
      fetch: { ...fetchOptionsFor(ctx.config, row.config), signal },
      now,
      renderer: ctx.renderer,
    });
  } catch (err) {
    // A shutdown is not the source's failure; anything else (a parser's bug included) is stored on
    // the source and backed off like a fetch error, rather than failing the job on every retry.
    if (signal?.aborted) throw err;
    const detail = pollErrorText(err);
    const after = await one(ctx.db, recordPollFailure(sourceId, detail, now, FLAG_AFTER_FAILURES));
    ctx.log?.warn({ sourceId, err, failures: after?.consecutive_failures }, 'signals.source.failed');
    return { sourceId, ok: false, error: detail, flagged: !!after?.flagged_at };
  }
  const ingest = await ingestItems(ctx, result.items, {
    workspaceId: row.workspace_id,
    sourceId,
    now,
    keepGoing: true,
  });
  const failed = ingest.failed ?? [];
  if (failed.length) {
    // Every other item is stored. The feed's validators are not advanced, so the next poll reads
    // the items again (the stored ones merge); a source whose item keeps failing is flagged.
    const first = failed[0]!;
    const detail =
      `ITEM_FAILED: ${failed.length} of ${result.items.length} items could not be stored; ` +
      `first: "${first.title}" (${first.key}): ${first.error}`;
    const after = await one(ctx.db, recordPollFailure(sourceId, detail, now, FLAG_AFTER_FAILURES));
    ctx.log?.warn(
      { sourceId, failed: failed.length, failures: after?.consecutive_failures },
      'signals.source.items_failed',
    );
    return {
      sourceId,
      ok: false,
      items: result.items.length,
      ingest,
      error: detail,
      flagged: !!after?.flagged_at,
    };
  }
  await one(
    ctx.db,
    recordPollSuccess(
      sourceId,
      {
        etag: result.etag,
        lastModified: result.lastModified,
        snapshot: result.snapshot,
        notModified: result.notModified,
      },
      now,
    ),
  );
  ctx.log?.info(
    {
      sourceId,
      items: result.items.length,
      created: ingest.created,
      merged: ingest.merged,
      notModified: result.notModified,
    },
    'signals.source.polled',
  );
  return { sourceId, ok: true, notModified: result.notModified, items: result.items.length, ingest };
}
