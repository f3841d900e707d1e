// Plays: RevOps configure them (versioned), reps enroll contacts by hand, and our own product
// posts signed inbound events (trial signup, download, demo attended) that start one.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findContactByEmail } from '../../db/queries/contacts.js';
import { findPlay, listPlays, listPlayVersions, type PlayRow } from '../../db/queries/plays.js';
import { listTemplates } from '../../db/queries/templates.js';
import { AppError } from '../../errors.js';
import {
  enrollContacts,
  existingInboundSecret,
  inboundSecret,
  InboundEvent,
  recordInboundEvent,
} from '../../plays/enroll.js';
import { parsePersonaLines, personaLines } from '../../plays/persona-lines.js';
import { FUNDING_ROUNDS, INBOUND_EVENTS, PlayDefinition } from '../../plays/schema.js';
import { createPlay, editPlay, toDefinition } from '../../plays/service.js';
import { verifySignature } from '../../signals/sources/webhook.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { queueViewer } from '../access.js';
import { isHexSignature, signedBody } from '../webhook-guard.js';
import { requireRole } from '../auth/roles.js';
import { html, safeUrl } from '../html.js';
import { csrfField, page } from '../layout.js';
import { when } from '../views/time.js';
import { auditRequest } from '../audit.js';

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || 'play'}: ${i.message}`).join('; ');
const idOf = (req: Request) => Number.parseInt(String(req.params.id), 10) || 0;
const words = (s: unknown) =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The HTML form's fields → a play definition (personas written one per line). */
function fromForm(b: Record<string, string | undefined>): unknown {
  const { personas, errors } = parsePersonaLines(b.personas ?? '');
  if (errors.length) throw new AppError('VALIDATION', errors.join('; '));
  const kind = b.triggerKind;
  const trigger =
    kind === 'inbound'
      ? { kind, event: b.event }
      : kind === 'manual'
        ? { kind }
        : {
            kind: 'signal',
            signalType: b.signalType,
            subtypes: words(b.subtypes),
            roleKeywords: words(b.roleKeywords),
            ...(b.minRound ? { minRound: b.minRound } : {}),
            ...(b.champion === 'yes' ? { champion: true } : b.champion === 'no' ? { champion: false } : {}),
            acquisitionRoles: words(b.acquisitionRoles),
          };
  return {
    name: b.name,
    description: b.description ?? '',
    trigger,
    personas,
    templateId: b.templateId ? Number(b.templateId) : null,
    approvalMode: b.approvalMode || null,
    enabled: b.enabled === 'on',
    limits: {
      maxContactsPerAccount: Number(b.maxContacts || 2),
      contactCooldownDays: Number(b.cooldownDays ?? 90),
      staggerHours: Number(b.staggerHours ?? 24),
    },
  };
}

function describeTrigger(t: PlayDefinition['trigger']): string {
  if (t.kind === 'manual') return 'manual enrollment only';
  if (t.kind === 'inbound') return `inbound event: ${t.event}`;
  const extra = [
    t.subtypes.length ? `subtypes ${t.subtypes.join(', ')}` : '',
    t.minRound ? `${t.minRound} or later` : '',
    t.roleKeywords.length ? `roles with ${t.roleKeywords.join(', ')}` : '',
    t.champion === true ? 'champions only' : t.champion === false ? 'not champions' : '',
    t.acquisitionRoles.length ? `account as ${t.acquisitionRoles.join(' or ')}` : '',
  ].filter(Boolean);
  return `${t.signalType} signal${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

function playForm(
  req: Request,
  d: PlayDefinition,
  templates: { id: number; name: string }[],
  action: string,
  version?: number,
) {
  const t = d.trigger;
  const sel = (a: unknown, b: unknown) => (a === b ? html`selected` : '');
  return html`<form method="post" action="${safeUrl(action)}" class="stack wide">
    ${csrfField(req)} ${version ? html`<input type="hidden" name="version" value="${version}" />` : ''}
    <label>Name <input name="name" required value="${d.name}" /></label>
    <label>Description <textarea name="description" rows="2">${d.description}</textarea></label>
    <fieldset>
      <legend>Trigger</legend>
      <label
        >Kind
        <select name="triggerKind">
          ${['signal', 'manual', 'inbound'].map((k) => html`<option ${sel(k, t.kind)}>${k}</option>`)}
        </select></label
      >
      <label
        >Signal type
        <select name="signalType">
          ${['funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual'].map((k) => html`<option ${sel(k, t.kind === 'signal' ? t.signalType : '')}>${k}</option>`)}
        </select></label
      >
      <label
        >Subtypes (comma-separated, empty = any)
        <input name="subtypes" value="${t.kind === 'signal' ? t.subtypes.join(', ') : ''}"
      /></label>
      <label
        >Funding: earliest round
        <select name="minRound">
          <option value="">any</option>
          ${FUNDING_ROUNDS.map((r) => html`<option ${sel(r, t.kind === 'signal' ? t.minRound : '')}>${r}</option>`)}
        </select></label
      >
      <label
        >Hiring: role keywords
        <input name="roleKeywords" value="${t.kind === 'signal' ? t.roleKeywords.join(', ') : ''}"
      /></label>
      <label
        >Job change: champions
        <select name="champion">
          <option value="">either</option>
          <option value="yes" ${sel(t.kind === 'signal' && t.champion, true)}>only champions who moved</option>
          <option value="no" ${sel(t.kind === 'signal' && t.champion, false)}>only people new to us</option>
        </select></label
      >
      <label
        >Acquisition: the account's side (acquirer, target; empty = any)
        <input name="acquisitionRoles" value="${t.kind === 'signal' ? t.acquisitionRoles.join(', ') : ''}"
      /></label>
      <label
        >Inbound event
        <select name="event">
          ${INBOUND_EVENTS.map((e) => html`<option ${sel(e, t.kind === 'inbound' ? t.event : '')}>${e}</option>`)}
        </select></label
      >
    </fieldset>
    <label
      >Personas, best first, one per line
      <textarea
        name="personas"
        rows="4"
        placeholder="Sales leadership: sales, revenue; exclude: engineer; seniority: vp, head, director"
      >
${personaLines(d.personas)}</textarea>
    </label>
    <p class="muted">
      Seniorities: c_level, vp, head, director, manager, individual. Empty: the most senior contacts. For a job change
      the person who moved is the contact.
    </p>
    <label
      >Sequence template
      <select name="templateId">
        <option value="">workspace default</option>
        ${templates.map((x) => html`<option value="${x.id}" ${sel(x.id, d.templateId)}>${x.name}</option>`)}
      </select></label
    >
    <label
      >Approval
      <select name="approvalMode">
        <option value="">template's setting</option>
        <option value="sequence" ${sel('sequence', d.approvalMode)}>approve the sequence once</option>
        <option value="each_step" ${sel('each_step', d.approvalMode)}>approve each step</option>
      </select></label
    >
    <label
      >Contacts per account per signal
      <input name="maxContacts" type="number" min="1" max="10" value="${d.limits.maxContactsPerAccount}"
    /></label>
    <label
      >Skip people contacted in the last (days)
      <input name="cooldownDays" type="number" min="0" max="365" value="${d.limits.contactCooldownDays}"
    /></label>
    <label
      >Hours between first sends at one account
      <input name="staggerHours" type="number" min="0" value="${d.limits.staggerHours}"
    /></label>
    <label
      ><span><input type="checkbox" name="enabled" ${d.enabled ? html`checked` : ''} /> Enabled</span></label
    >
    <button type="submit">Save</button>
  </form>`;
}

export function playWebhookRoutes(ctx: AppContext): Router {
  const r = Router();
  // Signed by the workspace's inbound secret: `X-Prospector-Workspace: <id>`, `X-Prospector-Signature: sha256=<hex of HMAC-SHA256(body)>`.
  const precheck = (req: Request) =>
    /^[1-9]\d{0,15}$/.test(req.get('x-prospector-workspace') ?? '') && isHexSignature(req.get('x-prospector-signature'))
      ? undefined
      : 'Missing or wrong signature for this workspace.';
  r.post('/api/events', signedBody(256 * 1024, precheck), async (req, res) => {
    const workspaceId = Number.parseInt(req.get('x-prospector-workspace') ?? '', 10);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // Read only: an anonymous request never creates the secret (RevOps do, from the settings).
    const secret = await existingInboundSecret(ctx.db, ctx.secrets, workspaceId);
    if (!secret || !verifySignature(secret, body, req.get('x-prospector-signature'))) {
      ctx.log.warn({ workspaceId }, 'plays.inbound.bad_signature');
      res
        .status(401)
        .json({ error: { code: 'UNAUTHENTICATED', message: 'Missing or wrong signature for this workspace.' } });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AppError('VALIDATION', 'The body is not JSON.');
    }
    const e = InboundEvent.safeParse(json);
    if (!e.success) throw new AppError('VALIDATION', issues(e.error));
    const out = await recordInboundEvent(ctx.db, workspaceId, e.data, researchEnqueuer(ctx.boss));
    ctx.log.info({ workspaceId, event: e.data.event, ...out }, 'plays.inbound.received');
    res.status(out.signalId ? 202 : 200).json(out);
  });
  return r;
}

export function playRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const templates = (wsId: number) => run<{ id: number; name: string }>(ctx.db, listTemplates(wsId));
  const load = async (req: AuthedRequest) => {
    const p = await one<PlayRow>(ctx.db, findPlay(req.user.workspaceId, idOf(req)));
    if (!p) throw new AppError('NOT_FOUND', 'No such play.');
    return p;
  };

  r.get('/plays', async (req, res, user) => {
    const plays = await run<PlayRow>(ctx.db, listPlays(user.workspaceId));
    const canEdit = ['admin', 'revops'].includes(user.role);
    res.type('html').send(
      page(
        req,
        'Plays',
        html` <p class="muted">
            A play decides which signal reaches whom, with which sequence. The first enabled play whose trigger fires
            takes the signal.
          </p>
          ${canEdit ? html`<p><a href="/plays/new">New play</a></p>` : ''}
          <table>
            <thead>
              <tr>
                <th>Play</th>
                <th>Trigger</th>
                <th>Personas</th>
                <th>Version</th>
                <th>Enabled</th>
              </tr>
            </thead>
            <tbody>
              ${plays.map((p) => {
                const d = toDefinition(p);
                return html`<tr>
                  <td><a href="/plays/${p.id}">${p.name}</a></td>
                  <td>${describeTrigger(d.trigger)}</td>
                  <td>${d.personas.map((x) => x.name).join(', ') || '—'}</td>
                  <td>${p.version}</td>
                  <td>${p.enabled ? 'yes' : 'no'}</td>
                </tr>`;
              })}
            </tbody>
          </table>`,
      ),
    );
  });

  r.get('/plays/new', requireRole('revops'), async (req, res, user) => {
    res.type('html').send(
      page(
        req,
        'New play',
        playForm(
          req,
          {
            ...PlayDefinition.parse({ name: 'New play', trigger: { kind: 'signal', signalType: 'funding' } }),
            name: '',
          },
          await templates(user.workspaceId),
          '/plays',
        ),
      ),
    );
  });

  r.post('/plays', requireRole('revops'), async (req, res, user) => {
    const p = await createPlay(ctx.db, user.workspaceId, fromForm(req.body ?? {}), user.id);
    await auditRequest(ctx.db, req, 'play.created', { type: 'play', id: p.id });
    res.redirect(303, `/plays/${p.id}`);
  });

  r.get('/plays/:id', async (req, res, user) => {
    const p = await load(req);
    const versions = await run<{ version: number; created_at: Date; created_by_email: string | null }>(
      ctx.db,
      listPlayVersions(p.id),
    );
    const d = toDefinition(p);
    const canEdit = ['admin', 'revops'].includes(user.role);
    const canEnroll = ['admin', 'revops', 'rep'].includes(user.role);
    const showSecret = canEdit && d.trigger.kind === 'inbound';
    // Read only: a GET never writes, so a workspace without a secret yet gets a button to make one.
    const secret = showSecret ? await existingInboundSecret(ctx.db, ctx.secrets, user.workspaceId) : undefined;
    res.type('html').send(
      page(
        req,
        `Play: ${p.name}`,
        html` <p>${d.description}</p>
          <p><b>Trigger:</b> ${describeTrigger(d.trigger)}</p>
          ${
            secret
              ? html`<details>
                  <summary>How our product posts ${d.trigger.kind === 'inbound' ? d.trigger.event : ''} events</summary>
                  <p>
                    POST JSON to <code>${ctx.config.publicUrl}/api/events</code> with headers
                    <code>X-Prospector-Workspace: ${user.workspaceId}</code> and
                    <code>X-Prospector-Signature: sha256=HMAC_SHA256_HEX(body)</code>, signed with this workspace's
                    secret: <code>${secret}</code>. Body:
                    <code
                      >{"id": "evt_1", "event": "trial_signup", "email": "…", "firstName": "…", "company": "…",
                      "detail": "…"}</code
                    >.
                  </p>
                </details>`
              : showSecret
                ? html`<form method="post" action="/plays/${p.id}/inbound-secret">
                    ${csrfField(req)}<span>This workspace has no inbound-event secret yet.</span>
                    <button type="submit" class="secondary">Create the secret</button>
                  </form>`
                : ''
          }
          ${
            canEnroll && p.enabled
              ? html`<h2>Enroll contacts</h2>
                  <form method="post" action="/plays/${p.id}/enroll" class="stack">
                    ${csrfField(req)}
                    <label>Contact emails, one per line <textarea name="emails" rows="3" required></textarea></label>
                    <label>Why now (shown to the drafter and the reviewer) <input name="note" /></label>
                    <button type="submit">Enroll</button>
                  </form>`
              : ''
          }
          ${
            canEdit
              ? html`<p><a href="/plays/${p.id}/experiment">Experiment: variants and hold-out</a></p>
                  <h2>Edit (saves version ${p.version + 1})</h2>
                  ${playForm(req, d, await templates(user.workspaceId), `/plays/${p.id}`, p.version)}`
              : ''
          }
          <h2>Versions</h2>
          <ul>
            ${versions.map((v) => html`<li>v${v.version} · ${when(v.created_at, user.timeZone, new Date())} · ${v.created_by_email ?? 'default'}</li>`)}
          </ul>`,
      ),
    );
  });

  r.post('/plays/:id', requireRole('revops'), async (req, res, user) => {
    const p = await editPlay(
      ctx.db,
      user.workspaceId,
      idOf(req),
      Number(req.body?.version),
      fromForm(req.body ?? {}),
      user.id,
    );
    await auditRequest(ctx.db, req, 'play.edited', { type: 'play', id: p.id }, { version: p.version });
    res.redirect(303, `/plays/${p.id}`);
  });

  r.post('/plays/:id/inbound-secret', requireRole('revops'), async (req, res, user) => {
    const p = await load(req);
    await inboundSecret(ctx.db, ctx.secrets, user.workspaceId); // made once; a second POST keeps it
    res.redirect(303, `/plays/${p.id}`);
  });

  r.post('/plays/:id/enroll', requireRole('rep', 'revops'), async (req, res, user) => {
    const p = await load(req);
    const emails = String(req.body?.emails ?? '')
      .split(/[\s,;]+/)
      .filter(Boolean);
    if (!emails.length) throw new AppError('VALIDATION', 'Give at least one contact email.');
    const ids: number[] = [];
    for (const e of emails) {
      const c = await one<{ id: number }>(ctx.db, findContactByEmail(user.workspaceId, e));
      if (!c) throw new AppError('NOT_FOUND', `No contact with email ${e}. Add them on the Contacts page first.`);
      ids.push(c.id);
    }
    const out = await enrollContacts(
      ctx.db,
      {
        workspaceId: user.workspaceId,
        playId: p.id,
        contactIds: ids,
        userId: user.id,
        onlyOwnerId: queueViewer(user),
        note: String(req.body?.note ?? ''),
      },
      researchEnqueuer(ctx.boss),
    );
    res.type('html').send(
      page(
        req,
        `Play: ${p.name}`,
        html`<p class="flash ok" role="status">
            Enrolled ${ids.length} contact(s): research has started (signal ${out.signalIds.join(', ')}); drafts will
            reach the review queue.
          </p>
          <p><a href="/plays/${p.id}">Back to the play</a></p>`,
      ),
    );
  });

  // JSON API
  r.get('/api/plays', async (req, res, user) => {
    res.json({
      items: (await run<PlayRow>(ctx.db, listPlays(user.workspaceId))).map((p) => ({
        id: p.id,
        version: p.version,
        ...toDefinition(p),
      })),
    });
  });
  r.get('/api/plays/:id', async (req, res) => {
    const p = await load(req);
    res.json({
      id: p.id,
      version: p.version,
      ...toDefinition(p),
      versions: await run(ctx.db, listPlayVersions(p.id)),
    });
  });
  r.post('/api/plays', requireRole('revops'), async (req, res, user) => {
    const p = await createPlay(ctx.db, user.workspaceId, req.body, user.id);
    res.status(201).json({ id: p.id, version: p.version, ...toDefinition(p) });
  });
  r.put('/api/plays/:id', requireRole('revops'), async (req, res, user) => {
    const { version, ...def } = (req.body ?? {}) as { version?: number };
    const p = await editPlay(ctx.db, user.workspaceId, idOf(req), Number(version), def, user.id);
    res.json({ id: p.id, version: p.version, ...toDefinition(p) });
  });
  r.post('/api/plays/:id/enroll', requireRole('rep', 'revops'), async (req, res, user) => {
    const b = z
      .object({
        contactIds: z.array(z.number().int().positive()).min(1).max(50),
        note: z.string().max(2000).optional(),
      })
      .safeParse(req.body ?? {});
    if (!b.success) throw new AppError('VALIDATION', issues(b.error));
    const out = await enrollContacts(
      ctx.db,
      {
        workspaceId: user.workspaceId,
        playId: idOf(req),
        contactIds: b.data.contactIds,
        userId: user.id,
        onlyOwnerId: queueViewer(user),
        note: b.data.note,
      },
      researchEnqueuer(ctx.boss),
    );
    res.status(202).json(out);
  });
  return r.router;
}
