// RevOps: signal sources — list with last success, last error and next poll, add,
// enable/disable (enabling starts afresh), "poll now" (queues a real poll at once) and
// "test now", which polls once through the signals registry and shows the parsed items
// without storing anything.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import {
  findSource,
  insertSource,
  listSources,
  updateSourceSettings,
  type SignalSourceRow,
  type SourceListRow,
} from '../../db/queries/signal-sources.js';
import { Queues } from '../../agents/queues.js';
import { AppError } from '../../errors.js';
import { fetchOptionsFor } from '../../signals/poll.js';
import { sourceRegistry } from '../../signals/registry.js';
import { SOURCE_KINDS, type RawItem, type SourceKind } from '../../signals/types.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { inZone, intParam } from '../format.js';
import { html, type Html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { issues } from '../openapi.js';
import { extLink } from '../views/draft.js';
import { when as timeAt } from '../views/time.js';
import { auditRequest } from '../audit.js';

export const NewSource = z.object({
  kind: z.enum(SOURCE_KINDS),
  name: z.string().trim().min(1).max(200),
  url: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((s) => s || null),
  pollIntervalMinutes: z.coerce.number().int().min(5).max(10_080).default(60),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type NewSource = z.infer<typeof NewSource>;

/** Validates a new source against its kind's module (URL shape, config schema) and stores it. */
export async function createSource(
  ctx: Pick<AppContext, 'db'>,
  workspaceId: number,
  userId: number,
  input: NewSource,
): Promise<SignalSourceRow> {
  const mod = sourceRegistry[input.kind];
  const cfg = mod.config.safeParse(input.config);
  if (!cfg.success) throw new AppError('VALIDATION', `config: ${issues(cfg.error)}`);
  let url = input.url;
  if (mod.polled) {
    if (!url) throw new AppError('VALIDATION', `url: a ${mod.label} needs the address to poll`);
    if (!/^https?:\/\//i.test(url)) throw new AppError('VALIDATION', 'url: an http(s) address');
    url = mod.normalizeUrl ? mod.normalizeUrl(url) : url;
  }
  const row = (await one(
    ctx.db,
    insertSource(workspaceId, {
      kind: input.kind,
      name: input.name,
      url,
      config: cfg.data as Record<string, unknown>,
      pollIntervalMinutes: input.pollIntervalMinutes,
    }),
  ))!;
  await auditRequest(
    ctx.db,
    { workspaceId, id: userId },
    'source.created',
    { type: 'signal_source', id: row.id },
    {
      kind: input.kind,
    },
  );
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

const when = (d: Date | null, tz: string) => (d ? inZone(d, tz) : 'never');

function nextPoll(s: SignalSourceRow, tz: string): Html | string {
  if (!s.enabled) return '—';
  if (!sourceRegistry[s.kind as SourceKind]?.polled) return 'pushed to us';
  if (!s.next_poll_at || s.next_poll_at.getTime() <= Date.now()) return 'within a minute';
  return html`${inZone(s.next_poll_at, tz)}${s.consecutive_failures ? html`<div class="muted">backing off after failures</div>` : ''}`;
}

function list(req: AuthedRequest, rows: SourceListRow[], extra: Html = html``): string {
  const tz = req.user.timeZone;
  return page(
    req,
    'Signal sources',
    html`${extra}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>URL</th>
            <th>State</th>
            <th>Last success</th>
            <th>Last error</th>
            <th>Next poll</th>
            <th>Signals seen</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (s) =>
              html`<tr data-source-id="${s.id}">
                <td>${s.name}</td>
                <td>${sourceRegistry[s.kind as SourceKind]?.label ?? s.kind}</td>
                <td>${s.url ? extLink(s.url) : '—'}</td>
                <td>
                  ${s.enabled ? 'enabled' : html`<span class="bad">disabled</span>`}${s.consecutive_failures ? html` · ${s.consecutive_failures} failures in a row` : ''}
                </td>
                <td>${when(s.last_success_at, tz)}</td>
                <td>
                  ${
                    s.last_error
                      ? html`<span class="bad">${s.last_error}</span>
                          <div class="muted">${when(s.last_error_at, tz)}</div>`
                      : '—'
                  }
                </td>
                <td>${nextPoll(s, tz)}</td>
                <td>${s.observations}</td>
                <td class="row-actions">
                  <form method="post" action="/settings/sources/${s.id}/${s.enabled ? 'disable' : 'enable'}">
                    ${csrfField(req)}<button type="submit" class="secondary">
                      ${s.enabled ? 'Disable' : 'Enable'}
                    </button>
                  </form>
                  ${sourceRegistry[s.kind as SourceKind]?.polled ? html`<form method="post" action="/settings/sources/${s.id}/test">${csrfField(req)}<button type="submit">Test now</button></form>` : ''}
                  ${s.enabled && sourceRegistry[s.kind as SourceKind]?.polled ? html`<form method="post" action="/settings/sources/${s.id}/poll">${csrfField(req)}<button type="submit" class="secondary">Poll now</button></form>` : ''}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${rows.length ? '' : html`<p class="empty">No sources yet. Add a news or funding feed, a company page or a job board.</p>`}
      <h2>Add a source</h2>
      <form method="post" action="/settings/sources" class="stack wide">
        ${csrfField(req)}
        <label
          >Kind
          <select name="kind">
            ${SOURCE_KINDS.map((k) => html`<option value="${k}">${sourceRegistry[k].label}</option>`)}
          </select></label
        >
        <label>Name <input name="name" required maxlength="200" /></label>
        <label>URL <input name="url" type="url" placeholder="https://example.com/feed.xml" /></label>
        <label>Poll every (minutes) <input name="pollIntervalMinutes" type="number" min="5" value="60" /></label>
        <label
          >Settings (JSON, optional) <textarea name="config" rows="2" placeholder='{"maxAgeDays": 30}'></textarea>
        </label>
        <button type="submit">Add source</button>
      </form>`,
  );
}

function testResult(s: SignalSourceRow, r: SourceTestResult): Html {
  return html`<section class="card" role="status" aria-labelledby="test-h">
    <h2 id="test-h">Test of “${s.name}”</h2>
    ${
      r.ok
        ? html`<p>
              ${r.items.length} item${r.items.length === 1 ? '' : 's'}
              parsed${r.finalUrl && r.finalUrl !== s.url ? html` from ${r.finalUrl}` : ''}. Nothing was stored.
            </p>
            <ol class="test-items">
              ${r.items.map(
                (i) =>
                  html`<li>
                    ${extLink(i.url, i.title || i.url || i.key)}${i.type ? html` <span class="badge t-${i.type}">${i.type}</span>` : ''}
                    ${i.publishedAt ? html` <span class="muted">published ${timeAt(i.publishedAt, 'UTC', new Date())}</span>` : ''}
                    <div class="muted">${i.summary.slice(0, 240)}</div>
                  </li>`,
              )}
            </ol>`
        : html`<p class="error">${r.error}</p>`
    }
  </section>`;
}

export function settingsSourceRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use('/settings/sources', requireRole('revops'));
  const rows = (req: AuthedRequest) => run(ctx.db, listSources(req.user.workspaceId, 'enabled'));
  const load = async (req: AuthedRequest) => {
    const s = await one(ctx.db, findSource(req.user.workspaceId, intParam(req.params.id) ?? 0));
    if (!s) throw new AppError('NOT_FOUND', 'No such source.');
    return s;
  };

  r.get('/settings/sources', async (req, res) => {
    res.type('html').send(list(req, await rows(req)));
  });

  r.post('/settings/sources', async (req, res, user) => {
    let config: unknown = {};
    const raw = String(req.body?.config ?? '').trim();
    if (raw) {
      try {
        config = JSON.parse(raw);
      } catch {
        throw new AppError('VALIDATION', 'Settings must be a JSON object, e.g. {"maxAgeDays": 30}.');
      }
    }
    const parsed = NewSource.safeParse({ ...req.body, config });
    if (!parsed.success) throw new AppError('VALIDATION', issues(parsed.error));
    const s = await createSource(ctx, user.workspaceId, user.id, parsed.data);
    res
      .type('html')
      .send(
        list(
          req,
          await rows(req),
          html`<p class="flash ok" role="status">Added “${s.name}”. Use Test now to see what it parses.</p>`,
        ),
      );
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    r.post(`/settings/sources/:id/${action}`, async (req, res, user) => {
      const s = await load(req);
      await run(ctx.db, updateSourceSettings(user.workspaceId, s.id, { enabled }));
      await auditRequest(ctx.db, req, `source.${action}d`, { type: 'signal_source', id: s.id });
      res.redirect(303, '/settings/sources');
    });
  }

  r.post('/settings/sources/:id/poll', async (req, res) => {
    const s = await load(req);
    if (!s.enabled) throw new AppError('STATE', 'Enable the source first.');
    if (!sourceRegistry[s.kind as SourceKind]?.polled)
      throw new AppError('STATE', 'This source is pushed to us, not polled.');
    // The same job the tick queues; singleton so a double click polls once.
    await ctx.boss.send(
      Queues.pollSource.name,
      { sourceId: s.id },
      { singletonKey: `source:${s.id}`, singletonSeconds: 60 },
    );
    res
      .type('html')
      .send(
        list(
          req,
          await rows(req),
          html`<p class="flash ok" role="status">Polling “${s.name}” now; reload in a moment for the result.</p>`,
        ),
      );
  });

  r.post('/settings/sources/:id/test', async (req, res) => {
    const s = await load(req);
    const result = await testSource(ctx, s);
    res.type('html').send(list(req, await rows(req), testResult(s, result)));
  });
  return r.router;
}
