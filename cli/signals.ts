// `prospector source test|add|list` and `prospector signals poll`: try a source before saving
// it, save it, and poll now instead of waiting for the tick.
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { researchEnqueuer } from '../agents/signal-jobs.js';
import { one, run } from '../db/index.js';
import { insertSource, listSources } from '../db/queries/signal-sources.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';
import { accountIndex, prepareItems, type Prepared } from '../signals/ingest.js';
import { processContactChanges } from '../signals/job-changes.js';
import { fetchOptionsFor, fetchSource, pollSource } from '../signals/poll.js';
import { POLLED_KINDS, sourceRegistry } from '../signals/registry.js';
import { SOURCE_KINDS, type SourceKind } from '../signals/types.js';
import { openContext } from './context.js';

const out = (s: string): void => void process.stdout.write(s + '\n');

function parseJson(s: string | undefined): Record<string, unknown> {
  if (!s) return {};
  const v = JSON.parse(s) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('--config must be a JSON object');
  return v as Record<string, unknown>;
}

function describeItem(p: Prepared, names: Map<number, string>): string {
  const m = p.match;
  const who =
    m.status === 'matched'
      ? `→ ${names.get(m.accountId) ?? m.accountId} (by ${m.via})`
      : m.status === 'ambiguous'
        ? `→ ambiguous: ${m.candidates.map((c) => c.name).join(' | ')}`
        : `→ unmatched${m.company ? ` (${m.company})` : ''}`;
  const facts = Object.entries(p.facts)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
  return (
    `[${p.type}${p.subtype ? '/' + p.subtype : ''}] ${p.item.title}\n    ${who}` +
    `${facts ? `\n    ${facts}` : ''}${p.item.url ? `\n    ${p.item.url}` : ''}`
  );
}

async function sourceTest(url: string, o: { kind: SourceKind; json?: boolean; config?: string }): Promise<void> {
  const ctx = await openContext({ boss: false });
  try {
    const mod = sourceRegistry[o.kind];
    const target = mod.normalizeUrl ? mod.normalizeUrl(url) : url;
    const ws = await ensureWorkspace(ctx.db);
    const result = await fetchSource(
      {
        id: 0,
        workspaceId: ws.id,
        kind: o.kind,
        url: target,
        config: parseJson(o.config),
        etag: null,
        lastModified: null,
        snapshot: null,
      },
      { fetch: fetchOptionsFor(ctx.config, {}), now: new Date(), renderer: ctx.renderer },
    );
    const index = await accountIndex(ctx.db, ctx.caches, ws.id);
    const prepared = prepareItems(result.items, index);
    if (o.json) {
      out(
        JSON.stringify(
          {
            url: target,
            finalUrl: result.finalUrl,
            items: prepared.map((p) => ({
              ...p.item,
              type: p.type,
              subtype: p.subtype,
              facts: p.facts,
              match: p.match,
            })),
          },
          null,
          2,
        ),
      );
      return;
    }
    const names = new Map([...index.byId.values()].map((a) => [a.id, a.name]));
    out(
      `${target}: ${prepared.length} item(s)` +
        (o.kind === 'page'
          ? ' (a page lists nothing new on its first poll; use --config \'{"emitInitial":true}\' to see its entries)'
          : ''),
    );
    for (const p of prepared) out(describeItem(p, names));
  } finally {
    await ctx.stop();
  }
}

async function sourceAdd(o: {
  kind: SourceKind;
  name: string;
  url?: string;
  interval: string;
  config?: string;
}): Promise<void> {
  const mod = sourceRegistry[o.kind];
  const cfg = mod.config.safeParse(parseJson(o.config));
  if (!cfg.success)
    throw new Error(`--config: ${cfg.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (mod.polled && !o.url) throw new Error(`a ${mod.label} needs --url`);
  const ctx = await openContext({ boss: false });
  try {
    const ws = await ensureWorkspace(ctx.db);
    const secret = o.kind === 'webhook' ? randomBytes(32).toString('base64url') : null;
    const { demo: _demo, ...config } = cfg.data as Record<string, unknown>;
    const row = (await one(
      ctx.db,
      insertSource(ws.id, {
        kind: o.kind,
        name: o.name,
        url: o.url ? (mod.normalizeUrl ? mod.normalizeUrl(o.url) : o.url) : null,
        config,
        secretEnc: secret ? ctx.secrets.seal(secret) : null,
        pollIntervalMinutes: Math.max(5, Number.parseInt(o.interval, 10) || 60),
      }),
    ))!;
    out(`source ${row.id} added: ${row.name} (${mod.label})${row.url ? ` ${row.url}` : ''}`);
    if (secret)
      out(
        `webhook secret (shown once): ${secret}\n` +
          `POST /api/signals with X-Prospector-Source: ${row.id} and X-Prospector-Signature: sha256=<HMAC-SHA256 of the body, hex>`,
      );
  } finally {
    await ctx.stop();
  }
}

async function sourceList(o: { json?: boolean }): Promise<void> {
  const ctx = await openContext({ boss: false });
  try {
    const ws = await ensureWorkspace(ctx.db);
    const rows = await run(ctx.db, listSources(ws.id));
    if (o.json)
      out(
        JSON.stringify(
          rows.map(({ secret_enc: _s, snapshot: _p, ...r }) => r),
          null,
          2,
        ),
      );
    else
      for (const r of rows) {
        const state = !r.enabled
          ? 'disabled'
          : r.flagged_at
            ? `FLAGGED after ${r.consecutive_failures} failures`
            : r.consecutive_failures
              ? `${r.consecutive_failures} failure(s)`
              : 'ok';
        out(
          `${String(r.id).padStart(4)}  ${r.kind.padEnd(10)} ${state.padEnd(24)} ${r.name}` +
            (r.last_error ? `\n      last error ${r.last_error_at?.toISOString()}: ${r.last_error}` : ''),
        );
      }
  } finally {
    await ctx.stop();
  }
}

async function signalsPoll(o: { source?: string; json?: boolean }): Promise<void> {
  const ctx = await openContext({ supervise: false });
  try {
    const ictx = { ...ctx, enqueueResearch: researchEnqueuer(ctx.boss) };
    const ws = await ensureWorkspace(ctx.db);
    const ids = o.source
      ? [Number.parseInt(o.source, 10)]
      : (await run(ctx.db, listSources(ws.id)))
          .filter((s) => s.enabled && POLLED_KINDS.includes(s.kind as SourceKind))
          .map((s) => s.id);
    let failed = 0;
    const results = [];
    for (const id of ids) {
      const r = await pollSource(ictx, id, new Date());
      results.push(r);
      if (!r.ok) failed++;
      if (!o.json)
        out(
          r.ok
            ? `source ${id}: ` +
                (r.notModified
                  ? 'not modified'
                  : `${r.items} item(s), ${r.ingest?.created ?? 0} new signal(s), ${r.ingest?.merged ?? 0} merged, ` +
                    `${r.ingest?.researchQueued ?? 0} research job(s)`)
            : `source ${id}: FAILED ${r.error}${r.flagged ? ' (flagged)' : ''}`,
        );
    }
    const changes = await processContactChanges(ictx, new Date());
    if (o.json) out(JSON.stringify({ sources: results, contactChanges: changes }, null, 2));
    else if (changes.changes) out(`contact changes: ${changes.changes}, ${changes.created} job-change signal(s)`);
    if (failed) process.exitCode = 3;
  } finally {
    await ctx.stop();
  }
}

/** Adds `source …` and `signals …` to the program. */
export function registerSignalCommands(program: Command): void {
  const source = program.command('source').description('Signal sources: try one, add one, list them.');
  source
    .command('test')
    .description('Fetch a source once and print each item with its type, facts and matched account; stores nothing.')
    .argument('<url>', 'feed, page or job-board URL')
    .addOption(new Option('--kind <kind>', 'source kind').choices(POLLED_KINDS).default('feed'))
    .option('--config <json>', 'source settings as JSON, e.g. {"mode":"people"}')
    .option('--json', 'print items as JSON')
    .action(async (url: string, o: { kind: SourceKind; json?: boolean; config?: string }) => sourceTest(url, o));
  source
    .command('add')
    .description('Save a source; webhook sources print their signing secret once.')
    .addOption(
      new Option('--kind <kind>', 'source kind')
        .choices(SOURCE_KINDS.filter((k) => k !== 'manual'))
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'a label RevOps will recognise')
    .option('--url <url>', 'what to poll (not for webhooks)')
    .option('--interval <minutes>', 'poll interval in minutes (at least 5)', '60')
    .option('--config <json>', 'source settings as JSON (keywords, selectors, accountId, …)')
    .action(async (o: { kind: SourceKind; name: string; url?: string; interval: string; config?: string }) =>
      sourceAdd(o),
    );
  source
    .command('list')
    .description('List sources with their health.')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => sourceList(o));

  const signals = program.command('signals').description('Signals.');
  signals
    .command('poll')
    .description(
      'Poll every enabled source now (or one), then turn re-imported contact changes into job-change signals.',
    )
    .option('--source <id>', 'only this source')
    .option('--json', 'print the outcome as JSON')
    .action(async (o: { source?: string; json?: boolean }) => signalsPoll(o));
}
