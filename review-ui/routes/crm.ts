// Settings → CRM (issue 14), RevOps and admins only: the connection (HubSpot private-app token;
// disconnect), the field mapping, target filter and hold-out rules with a dry-run preview, and the
// status page (last run each way, failed records with Retry, Sync now). The core does the work.
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { Queues } from '../../agents/queues.js';
import { connectWithToken, openCrm } from '../../crm/connection.js';
import { effectiveMapping } from '../../crm/mapping.js';
import { CRM_NAMES } from '../../crm/provider.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { disconnectCrm, findCrmConnection, saveCrmSettings, type CrmConnectionRow } from '../../db/queries/crm.js';
import {
  lastCrmRuns,
  markCrmFailureRetrying,
  openCrmFailures,
  retryCrmWrite,
  type CrmFailureRow,
  type CrmRunRow,
} from '../../db/queries/crm-runs.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { auditRequest } from '../audit.js';
import { inZone, intParam } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { crmOAuthRoutes, oauthConnectForms } from './crm-oauth.js';
import { parseSettings, previewBlock, settingsForm } from './crm-settings.js';

const str = (b: Record<string, unknown>, k: string) => (typeof b[k] === 'string' ? b[k] : '');

function runsTable(runs: CrmRunRow[], tz: string | null): Html {
  if (!runs.length) return html`<p class="empty">No sync has run yet.</p>`;
  return html`<table class="crm-runs">
    <thead>
      <tr>
        <th>Direction</th>
        <th>Status</th>
        <th>Started</th>
        <th>Read</th>
        <th>Written</th>
        <th>Failed</th>
        <th>Error</th>
      </tr>
    </thead>
    <tbody>
      ${runs.map(
        (r) =>
          html`<tr data-direction="${r.direction}">
            <td>${r.direction === 'in' ? 'CRM → Prospector' : 'Prospector → CRM'}</td>
            <td>${r.status}</td>
            <td>${inZone(r.started_at, tz)}</td>
            <td>${r.records_in}</td>
            <td>${r.records_out}</td>
            <td>${r.failed}</td>
            <td>${r.error ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function crmRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use(crmOAuthRoutes(ctx));
  const revops = requireRole('revops');
  const ws = (req: AuthedRequest) => req.user.workspaceId;
  const connection = (req: AuthedRequest) => one<CrmConnectionRow>(ctx.db, findCrmConnection(ws(req)));
  const audit = (req: Request, action: string, id: number, data: Record<string, unknown> = {}) =>
    auditRequest(ctx.db, req, action, { type: 'crm_connection', id }, data);

  const render = async (req: AuthedRequest, extra: Html = html``) => {
    const open = await openCrm(ctx, ws(req));
    const c = open?.connection;
    const live = c && c.status !== 'disconnected';
    const runs = c ? await run<CrmRunRow>(ctx.db, lastCrmRuns(ws(req))) : [];
    const saved = req.query.saved === '1' ? html`<p class="flash ok" role="status">Saved.</p>` : '';
    return page(
      req,
      'CRM',
      html`${saved} ${extra}
        <section class="card crm-connection" aria-label="Connection">
          ${
            c
              ? html`<p>
                  <strong>${CRM_NAMES[c.kind]}</strong>${c.external_account ? ` (account ${c.external_account})` : ''}:
                  <span class="${c.status === 'connected' ? 'ok' : 'bad'}">${c.status}</span>
                  ${c.status_reason ? html`— <span class="bad">${c.status_reason}</span>` : ''}
                </p>`
              : html`<p class="empty">No CRM connected.</p>`
          }
          ${
            live
              ? html`<form method="post" action="/settings/crm/disconnect">
                  ${csrfField(req)}<button type="submit" class="secondary">Disconnect</button>
                </form>`
              : ''
          }
          <form method="post" action="/settings/crm/connect/hubspot" class="crm-token">
            ${csrfField(req)}
            <label
              >HubSpot private app token
              <input type="password" name="token" autocomplete="off" required maxlength="512"
            /></label>
            <button type="submit">${c?.kind === 'hubspot' && live ? 'Replace token' : 'Connect HubSpot'}</button>
          </form>
          ${oauthConnectForms(ctx, req)}
          <p><a href="${safeUrl('/settings/crm/status')}">Sync status, failed records, Sync now</a></p>
        </section>
        ${c && open ? runsTable(runs, req.user.timeZone) : ''}
        ${c && open && live ? settingsForm(req, c, effectiveMapping(open.provider.defaultMapping(), c.mapping)) : ''}`,
    );
  };

  r.get('/settings/crm', revops, async (req, res) => {
    res.type('html').send(await render(req));
  });

  r.post('/settings/crm/connect/hubspot', revops, async (req, res, user) => {
    const who = await connectWithToken(ctx, {
      workspaceId: ws(req),
      userId: user.id,
      kind: 'hubspot',
      token: str(req.body ?? {}, 'token'),
    });
    const c = (await connection(req))!;
    await audit(req, 'crm.connected', c.id, { kind: 'hubspot', account: who.account });
    res.redirect(303, '/settings/crm?saved=1');
  });

  r.post('/settings/crm/disconnect', revops, async (req, res, user) => {
    const c = await connection(req);
    if (!c) throw new AppError('NOT_FOUND', 'No CRM is connected.');
    await run(ctx.db, disconnectCrm(ws(req), `Disconnected by ${user.email}`));
    await audit(req, 'crm.disconnected', c.id, { kind: c.kind });
    res.redirect(303, '/settings/crm');
  });

  r.post('/settings/crm/settings', revops, async (req, res) => {
    const c = await connection(req);
    if (!c || c.status === 'disconnected') throw new AppError('NOT_FOUND', 'No CRM is connected.');
    const b = (req.body ?? {}) as Record<string, unknown>;
    const s = parseSettings(c.kind, b);
    await run(ctx.db, saveCrmSettings({ workspaceId: ws(req), ...s }));
    await audit(req, 'crm.settings_saved', c.id, { filter: s.targetFilter.type });
    if (b.action !== 'preview') return res.redirect(303, '/settings/crm?saved=1');
    const preview = await syncIn(ctx, ws(req), { dryRun: true, full: true });
    res.type('html').send(await render(req, previewBlock(preview)));
  });

  r.get('/settings/crm/status', revops, async (req, res, user) => {
    const c = await connection(req);
    const runs = c ? await run<CrmRunRow>(ctx.db, lastCrmRuns(ws(req))) : [];
    const failures = c ? await run<CrmFailureRow>(ctx.db, openCrmFailures(ws(req), 200)) : [];
    const tz = user.timeZone;
    const flash =
      req.query.queued === '1'
        ? html`<p class="flash ok" role="status">Sync queued.</p>`
        : req.query.retried === '1'
          ? html`<p class="flash ok" role="status">Queued for another try.</p>`
          : '';
    res.type('html').send(
      page(
        req,
        'CRM sync status',
        html`${flash}
          <p>
            ${c ? html`${CRM_NAMES[c.kind]}: ${c.status} ${c.status_reason ? html`— ${c.status_reason}` : ''}` : 'No CRM connected.'}
            · <a href="${safeUrl('/settings/crm')}">Settings → CRM</a>
          </p>
          ${
            c
              ? html`<form method="post" action="/settings/crm/sync">
                  ${csrfField(req)}<button type="submit">Sync now</button>
                </form>`
              : ''
          }
          <h2>Last run each way</h2>
          ${runsTable(runs, tz)}
          <h2>Failed records</h2>
          ${
            failures.length
              ? html`<table class="crm-failures">
                  <thead>
                    <tr>
                      <th>Record</th>
                      <th>Direction</th>
                      <th>The CRM said</th>
                      <th>Attempts</th>
                      <th>Last</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${failures.map(
                      (f) =>
                        html`<tr data-failure="${f.id}">
                          <td>${f.object}: ${f.label}</td>
                          <td>${f.direction}</td>
                          <td>${f.error}</td>
                          <td>${f.attempts}</td>
                          <td>${inZone(f.last_at, tz)}</td>
                          <td>
                            ${
                              f.status === 'open'
                                ? html`<form method="post" action="/settings/crm/failures/${f.id}/retry">
                                    ${csrfField(req)}<button type="submit" class="secondary">Retry</button>
                                  </form>`
                                : 'retrying'
                            }
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">No failed records.</p>`
          }`,
      ),
    );
  });

  r.post('/settings/crm/sync', revops, async (req, res) => {
    const c = await connection(req);
    if (!c) throw new AppError('NOT_FOUND', 'No CRM is connected.');
    await ctx.boss.send(Queues.crmSync.name, { workspaceId: ws(req) }, { singletonKey: `crm-sync-${ws(req)}` });
    await ctx.boss.send(Queues.crmOut.name, { workspaceId: ws(req) }, { singletonKey: `crm-out-${ws(req)}` });
    await audit(req, 'crm.sync_requested', c.id);
    res.redirect(303, '/settings/crm/status?queued=1');
  });

  r.post('/settings/crm/failures/:id/retry', revops, async (req, res) => {
    const f = await one<Pick<CrmFailureRow, 'id' | 'direction' | 'record_key'>>(
      ctx.db,
      markCrmFailureRetrying(ws(req), intParam(req.params.id) ?? 0),
    );
    if (!f) throw new AppError('NOT_FOUND', 'No such open failure (already retried or resolved).');
    if (f.direction === 'out') {
      await run(ctx.db, retryCrmWrite(ws(req), f.record_key));
      await ctx.boss.send(Queues.crmOut.name, { workspaceId: ws(req) });
    } else await ctx.boss.send(Queues.crmSync.name, { workspaceId: ws(req) });
    await audit(req, 'crm.failure_retried', f.id, { direction: f.direction });
    res.redirect(303, '/settings/crm/status?retried=1');
  });
  return r.router;
}
