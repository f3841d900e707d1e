// `prospector source test|add|list` and `prospector signals poll`: try a source before saving
// it, save it, and poll now instead of waiting for the tick.
import { Option, type Command } from 'commander';
import { researchEnqueuer } from '../agents/signal-jobs.js';
import { run } from '../db/index.js';
import { listSources } from '../db/queries/signal-sources.js';
import { isAppError } from '../errors.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';
import { createSource, pollUrl } from '../review-ui/source-actions.js';
import { accountIndex, prepareItems, type Prepared } from '../signals/ingest.js';
import { processContactChanges } from '../signals/job-changes.js';
import { fetchOptionsFor, fetchSource, pollSource } from '../signals/poll.js';
import { POLLED_KINDS, sourceRegistry } from '../signals/registry.js';
import { SOURCE_KINDS, type SourceKind } from '../signals/types.js';
import { EXIT_BAD_INPUT, openContext } from './context.js';

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
    const target = pollUrl(sourceRegistry[o.kind], url, ctx.config.allowPrivateFetch);
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

/** Saves a source through the use case the settings page and the API use: the same checks, words and audit. */
async function sourceAdd(o: {
  kind: SourceKind;
  name: string;
  url?: string;
  interval: string;
  config?: string;
}): Promise<void> {
  const ctx = await openContext({ boss: false });
  try {
    const ws = await ensureWorkspace(ctx.db);
    const body = { kind: o.kind, name: o.name, url: o.url, pollIntervalMinutes: o.interval, config: o.config };
    const { source, secret } = await createSource(ctx, { workspaceId: ws.id, id: null }, ws.id, body);
    const label = sourceRegistry[o.kind].label;
    out(`source ${source.id} added: ${source.name} (${label})${source.url ? ` ${source.url}` : ''}`);
    if (secret)
      out(
        `webhook secret (shown once): ${secret}\n` +
          `POST /api/signals with X-Prospector-Source: ${source.id} and X-Prospector-Signature: sha256=<HMAC-SHA256 of the body, hex>`,
      );
  } finally {
    await ctx.stop();
  }
}

/**
 * A refused input (VALIDATION) ends the command with its words on one line of stderr and EXIT_BAD_INPUT,
 * where the API answers 400 with the same words.
 */
async function refusingBadInput(command: () => Promise<void>): Promise<void> {
  try {
    await command();
  } catch (err) {
    if (!isAppError(err, 'VALIDATION')) throw err;
    process.stderr.write(`prospector: ${err.message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
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
    .action(async (url: string, o: { kind: SourceKind; json?: boolean; config?: string }) =>
      refusingBadInput(() => sourceTest(url, o)),
    );
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
      refusingBadInput(() => sourceAdd(o)),
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
