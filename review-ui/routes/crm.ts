// Settings → CRM (issue 14), RevOps and admins only: the connection (HubSpot private-app token;
// disconnect), the field mapping, target filter and hold-out rules with a dry-run preview, and the
// status page (last run each way, failed records with Retry, Sync now). The core does the work.
import { Router, type Request } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../../context.js';
import { Queues } from '../../agents/queues.js';
import { connectWithToken, openCrm } from '../../crm/connection.js';
import {
  COMPANY_FIELDS,
  CONTACT_FIELDS,
  MappingInput,
  RulesInput,
  TargetFilterInput,
  effectiveMapping,
} from '../../crm/mapping.js';
import { SoqlFilterError, fieldEqualsClause, safeWhereClause } from '../../db/soql/salesforce.js';
import type { CrmKind } from '../../crm/provider.js';
import { crmKind } from '../../crm/registry.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { disconnectCrm, findCrmConnection, saveCrmSettings } from '../../db/queries/crm.js';
import { lastCrmRuns, markCrmFailureRetrying, openCrmFailures, retryCrmWrite } from '../../db/queries/crm-runs.js';
import { AppError } from '../../errors.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { auditRequest } from '../audit.js';
import { intParam } from '../format.js';
import type { Html } from '../html.js';
import { page } from '../layout.js';
import {
  crmPage,
  crmStatusPage,
  previewBlock,
  savedSettingsForm,
  settingsRefused,
  type CrmSettingsForm,
} from '../views/crm.js';
import { clip, fieldLabel, issueText } from '../../zod-message.js';
import { answerRefused } from '../error-handler.js';
import { refusedBanner } from '../views/refused.js';
import { crmOAuthRoutes } from './crm-oauth.js';

const str = (b: Record<string, unknown>, k: string) => (typeof b[k] === 'string' ? b[k] : '');
const list = (s: string) =>
  s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The settings form as it was sent: shown again beside the reason when it is refused. */
function typedSettings(b: Record<string, unknown>): CrmSettingsForm {
  const fields = <K extends string>(keys: readonly K[], object: string) =>
    Object.fromEntries(keys.map((k) => [k, str(b, `${object}.${k}`)])) as Record<K, string>;
  return {
    mapping: { company: fields(COMPANY_FIELDS, 'company'), contact: fields(CONTACT_FIELDS, 'contact') },
    filter: {
      type: str(b, 'filter.type') || 'all',
      property: str(b, 'filter.property'),
      value: str(b, 'filter.value'),
    },
    heldStages: str(b, 'rules.heldStages'),
    heldTypes: str(b, 'rules.heldTypes'),
    holdCustomers: b['rules.holdCustomers'] === '1',
    createContacts: b.createContacts === '1',
  };
}

/** A refused field in words, with what was sent: 'Filter value must be at most 500 characters, not "…"'. */
const refused = (issue: z.core.$ZodIssue, label: string, given: string) =>
  new AppError('VALIDATION', `${issueText(issue, label)}, not "${clip(given)}"`);

/** Parses the settings form; a bad field or filter is a VALIDATION error in words. */
function parseSettings(kind: CrmKind, form: CrmSettingsForm) {
  const mapping = MappingInput.safeParse(form.mapping);
  if (!mapping.success) {
    const issue = mapping.error.issues[0]!;
    const [object, field] = issue.path as ['company' | 'contact', string];
    const given = (form.mapping[object] as Record<string, string>)[field] ?? '';
    throw refused(issue, `Mapping for ${fieldLabel(issue.path).toLowerCase()}`, given);
  }
  if (!mapping.data.company.name && !mapping.data.company.domain)
    throw new AppError('VALIDATION', 'Mapping: a company needs the property for its name or its domain');
  const { type, property, value } = form.filter;
  const filter = TargetFilterInput.safeParse({ type, property: property || undefined, value: value || undefined });
  if (!filter.success) {
    const issue = filter.error.issues[0]!;
    const given = String(form.filter[issue.path[0] as keyof CrmSettingsForm['filter']] ?? '');
    throw refused(issue, `Filter ${fieldLabel(issue.path).toLowerCase()}`, given);
  }
  const t = filter.data;
  if (t.type === 'where' && kind !== 'salesforce')
    throw new AppError('VALIDATION', 'A where-clause filter is for Salesforce only');
  if ((t.type === 'property' && !t.property) || ((t.type === 'list' || t.type === 'where') && !t.value))
    throw new AppError('VALIDATION', 'Filter: say which property and value, list, or where-clause');
  if (kind === 'salesforce') {
    try {
      if (t.type === 'where') safeWhereClause(t.value!);
      if (t.type === 'property') fieldEqualsClause(t.property!, t.value);
    } catch (err) {
      if (err instanceof SoqlFilterError) throw new AppError('VALIDATION', `Filter refused: ${err.message}`);
      throw err;
    }
  }
  const rules = RulesInput.safeParse({
    heldStages: list(form.heldStages),
    heldTypes: list(form.heldTypes),
    holdCustomers: form.holdCustomers,
  });
  if (!rules.success) {
    const issue = rules.error.issues[0]!;
    const [field, i] = issue.path as ['heldStages' | 'heldTypes', number];
    const what = field === 'heldStages' ? 'deal stage' : 'deal type';
    throw refused(issue, `Hold-out rules: a ${what}`, list(form[field])[i] ?? '');
  }
  return { mapping: mapping.data, targetFilter: t, rules: rules.data, createContacts: form.createContacts };
}

export function crmRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.use(crmOAuthRoutes(ctx));
  const revops = requireRole('revops');
  const ws = (req: AuthedRequest) => req.user.workspaceId;
  const connection = (req: AuthedRequest) => one(ctx.db, findCrmConnection(ws(req)));
  const audit = (req: Request, action: string, id: number, data: Record<string, unknown> = {}) =>
    auditRequest(ctx.db, req, action, { type: 'crm_connection', id }, data);

  /** The page; the settings form shows `typed` (what was sent) when given, else what is saved. */
  const render = async (req: AuthedRequest, extra?: Html, typed?: CrmSettingsForm) => {
    const open = await openCrm(ctx, ws(req));
    const c = open?.connection;
    const runs = c ? await run(ctx.db, lastCrmRuns(ws(req))) : [];
    const settings =
      typed ??
      (open &&
        savedSettingsForm(open.connection, effectiveMapping(open.provider.defaultMapping(), open.connection.mapping)));
    const oauthOn = (k: CrmKind) => Boolean(crmKind(k)?.oauthConfigured(ctx));
    return page(req, 'CRM', crmPage(req, c, runs, settings, oauthOn, extra));
  };

  r.get('/settings/crm', revops, async (req, res) => {
    res.type('html').send(await render(req));
  });

  r.post('/settings/crm/connect/hubspot', revops, async (req, res, user) => {
    let who: Awaited<ReturnType<typeof connectWithToken>>;
    try {
      who = await connectWithToken(ctx, {
        workspaceId: ws(req),
        userId: user.id,
        kind: 'hubspot',
        token: str(req.body ?? {}, 'token'),
      });
    } catch (err) {
      // The token is a credential: never written back into the page; the reason says what to paste.
      return answerRefused(ctx.log, req, res, err, (why) =>
        render(req, refusedBanner('HubSpot was not connected', why, 'crm-token', 'Paste a token below')),
      );
    }
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
    const typed = typedSettings(b);
    let s: ReturnType<typeof parseSettings>;
    try {
      s = parseSettings(c.kind, typed);
    } catch (err) {
      // Refused input: the page again, with the reason and the form as it was sent; nothing saved.
      return answerRefused(ctx.log, req, res, err, (why) => render(req, settingsRefused(why), typed));
    }
    await run(ctx.db, saveCrmSettings({ workspaceId: ws(req), ...s }));
    await audit(req, 'crm.settings_saved', c.id, { filter: s.targetFilter.type });
    if (b.action !== 'preview') return res.redirect(303, '/settings/crm?saved=1');
    const preview = await syncIn(ctx, ws(req), { dryRun: true, full: true });
    res.type('html').send(await render(req, previewBlock(preview)));
  });

  r.get('/settings/crm/status', revops, async (req, res, user) => {
    const c = await connection(req);
    const runs = c ? await run(ctx.db, lastCrmRuns(ws(req))) : [];
    const failures = c ? await run(ctx.db, openCrmFailures(ws(req), 200)) : [];
    const tz = user.timeZone;
    res.type('html').send(page(req, 'CRM sync status', crmStatusPage(req, c, runs, failures, tz)));
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
    const f = await one(ctx.db, markCrmFailureRetrying(ws(req), intParam(req.params.id) ?? 0));
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
