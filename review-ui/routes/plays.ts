// Plays: RevOps configure them (versioned), reps enroll contacts by hand, and our own product
// posts signed inbound events (trial signup, download, demo attended) that start one.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findContactByEmail } from '../../db/queries/contacts.js';
import { findPlay, listPlays, listPlayVersions } from '../../db/queries/plays.js';
import { listTemplates } from '../../db/queries/templates.js';
import { AppError } from '../../errors.js';
import {
  enrollContacts,
  existingInboundSecret,
  inboundSecret,
  InboundEvent,
  recordInboundEvent,
} from '../../plays/enroll.js';
import { parsePersonaLines } from '../../plays/persona-lines.js';
import { PlayDefinition } from '../../plays/schema.js';
import { createPlay, editPlay, toDefinition } from '../../plays/service.js';
import { verifySignature } from '../../signals/sources/webhook.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { queueViewer } from '../access.js';
import { isHexSignature, signedBody } from '../webhook-guard.js';
import { requireRole } from '../auth/roles.js';
import { page } from '../layout.js';
import { enrolled, playDetail, playForm, playsList } from '../views/plays.js';
import { auditRequest } from '../audit.js';
import { answerRefused } from '../error-handler.js';
import { refusedForm, withBanner, type Refused } from '../views/refused.js';
import { parseInput, parseJsonBody } from '../openapi.js';

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
    const e = parseJsonBody(InboundEvent, body);
    const out = await recordInboundEvent(ctx.db, workspaceId, e, researchEnqueuer(ctx.boss));
    ctx.log.info({ workspaceId, event: e.event, ...out }, 'plays.inbound.received');
    res.status(out.signalId ? 202 : 200).json(out);
  });
  return r;
}

export function playRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const templates = (wsId: number) => run(ctx.db, listTemplates(wsId));
  const load = async (req: AuthedRequest) => {
    const p = await one(ctx.db, findPlay(req.user.workspaceId, idOf(req)));
    if (!p) throw new AppError('NOT_FOUND', 'No such play.');
    return p;
  };
  /** Create (no id) or edit a play, audited: the page and the JSON API both go through here. */
  const save = async (req: AuthedRequest, def: unknown, edit?: { id: number; version: number }) => {
    // The service parses it, refusing in words (zod-message.ts) as every other form and API does.
    const u = req.user;
    if (!edit) {
      const p = await createPlay(ctx.db, u.workspaceId, def, u.id);
      await auditRequest(ctx.db, req, 'play.created', { type: 'play', id: p.id });
      return p;
    }
    const p = await editPlay(ctx.db, u.workspaceId, edit.id, edit.version, def, u.id);
    await auditRequest(ctx.db, req, 'play.edited', { type: 'play', id: p.id }, { version: p.version });
    return p;
  };

  r.get('/plays', async (req, res, user) => {
    const plays = await run(ctx.db, listPlays(user.workspaceId));
    res.type('html').send(page(req, 'Plays', playsList(plays, ['admin', 'revops'].includes(user.role))));
  });

  /** The new-play form; after a refusal, the reason above it and the fields as they were sent. */
  const newPlay = async (req: AuthedRequest, refused?: Refused) =>
    page(
      req,
      'New play',
      withBanner(
        refused?.why,
        playForm(
          req,
          {
            ...PlayDefinition.parse({ name: 'New play', trigger: { kind: 'signal', signalType: 'funding' } }),
            name: '',
          },
          await templates(req.user.workspaceId),
          '/plays',
          undefined,
          refused?.sent,
        ),
      ),
    );

  r.get('/plays/new', requireRole('revops'), async (req, res) => {
    res.type('html').send(await newPlay(req));
  });

  r.post('/plays', requireRole('revops'), async (req, res) => {
    try {
      const p = await save(req, fromForm(req.body ?? {}));
      res.redirect(303, `/plays/${p.id}`);
    } catch (err) {
      await answerRefused(ctx.log, req, res, err, (why) =>
        newPlay(req, refusedForm(req, 'The play was not created', why, 'play-form')),
      );
    }
  });

  /** One play's page; after a refused edit, the reason above it and the edit form as it was sent. */
  const detail = async (req: AuthedRequest, refused?: Refused) => {
    const user = req.user;
    const p = await load(req);
    const versions = await run(ctx.db, listPlayVersions(p.id));
    const d = toDefinition(p);
    const canEdit = ['admin', 'revops'].includes(user.role);
    const showSecret = canEdit && d.trigger.kind === 'inbound';
    // Read only: a GET never writes, so a workspace without a secret yet gets a button to make one.
    const secret = showSecret ? await existingInboundSecret(ctx.db, ctx.secrets, user.workspaceId) : undefined;
    return page(
      req,
      `Play: ${p.name}`,
      playDetail(req, {
        play: p,
        def: d,
        versions,
        canEdit,
        canEnroll: ['admin', 'revops', 'rep'].includes(user.role),
        templates: canEdit ? await templates(user.workspaceId) : [],
        showSecret,
        secret,
        publicUrl: ctx.config.publicUrl,
        workspaceId: user.workspaceId,
        zone: user.timeZone,
        now: new Date(),
        refused,
      }),
    );
  };

  r.get('/plays/:id', async (req, res) => {
    res.type('html').send(await detail(req));
  });

  r.post('/plays/:id', requireRole('revops'), async (req, res) => {
    try {
      const p = await save(req, fromForm(req.body ?? {}), { id: idOf(req), version: Number(req.body?.version) });
      res.redirect(303, `/plays/${p.id}`);
    } catch (err) {
      await answerRefused(ctx.log, req, res, err, (why) =>
        detail(req, refusedForm(req, 'The play was not saved', why, 'play-form')),
      );
    }
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
      const c = await one(ctx.db, findContactByEmail(user.workspaceId, e));
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
    res.type('html').send(page(req, `Play: ${p.name}`, enrolled(p.id, ids.length, out.signalIds)));
  });

  // JSON API
  r.get('/api/plays', async (req, res, user) => {
    res.json({
      items: (await run(ctx.db, listPlays(user.workspaceId))).map((p) => ({
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
  r.post('/api/plays', requireRole('revops'), async (req, res) => {
    const p = await save(req, req.body);
    res.status(201).json({ id: p.id, version: p.version, ...toDefinition(p) });
  });
  r.put('/api/plays/:id', requireRole('revops'), async (req, res) => {
    const { version, ...def } = (req.body ?? {}) as { version?: number };
    const p = await save(req, def, { id: idOf(req), version: Number(version) });
    res.json({ id: p.id, version: p.version, ...toDefinition(p) });
  });
  r.post('/api/plays/:id/enroll', requireRole('rep', 'revops'), async (req, res, user) => {
    const b = parseInput(
      z.object({
        contactIds: z.array(z.number().int().positive()).min(1).max(50),
        note: z.string().max(2000).optional(),
      }),
      req.body ?? {},
    );
    const out = await enrollContacts(
      ctx.db,
      {
        workspaceId: user.workspaceId,
        playId: idOf(req),
        contactIds: b.contactIds,
        userId: user.id,
        onlyOwnerId: queueViewer(user),
        note: b.note,
      },
      researchEnqueuer(ctx.boss),
    );
    res.status(202).json(out);
  });
  return r.router;
}
