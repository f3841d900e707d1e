// RevOps: the settings index, and workspace settings — the drafting playbook, signature,
// physical address for the footer, cooldown between sequences to one account, and whether a
// champion's move to an unknown company creates the account.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { updateWorkspaceSettings } from '../../db/queries/settings.js';
import { findWorkspace } from '../../db/queries/workspaces.js';
import { parseCompetitors } from '../../signals/competitors.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { page } from '../layout.js';
import { settingsIndex, workspaceForm } from '../views/settings.js';
import { auditRequest } from '../audit.js';
import { parseInput } from '../openapi.js';

const lines = z.preprocess(
  (v) =>
    String(v ?? '')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  z.array(z.string().max(500)).max(50),
);
const line = z.preprocess((v) => String(v ?? '').trim(), z.string().max(2000));

const WorkspaceSettings = z.object({
  name: z.string().trim().min(1).max(200),
  playbook: z.object({
    company: line,
    whoWeAre: line,
    valueProps: lines,
    proofPoints: lines,
    tone: line,
    bannedPhrases: lines,
    callToAction: line,
    senderPersona: line,
  }),
  signature: z.string().max(2000),
  physicalAddress: z
    .string()
    .trim()
    .min(1, 'a physical postal address is required in commercial email footers')
    .max(500),
  cooldownDays: z.coerce.number().int().min(0).max(365),
  autoCreateAccountsFromChampions: z.boolean(),
  // Per-step approval (sequencing/step-approval-rules.ts); absent from a form that does not show them, so kept as they are.
  approvalMode: z.enum(['sequence', 'each_step']).optional(),
  stepApprovalLeadHours: z.coerce.number().min(0).max(336).optional(),
  maxMissedWindows: z.coerce.number().int().min(1).max(20).optional(),
  staleFactDays: z.coerce.number().int().min(1).max(3650).optional(),
  // Absent from a form that does not show them: kept as they are (settings are merged).
  competitors: z.array(z.object({ name: z.string(), aliases: z.array(z.string()) })).optional(),
});
type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;

function settingsFromForm(b: Record<string, unknown>): WorkspaceSettings {
  return parseInput(WorkspaceSettings, {
    name: b.name,
    playbook: {
      company: b.pb_company,
      whoWeAre: b.pb_whoWeAre,
      valueProps: b.pb_valueProps,
      proofPoints: b.pb_proofPoints,
      tone: b.pb_tone,
      bannedPhrases: b.pb_bannedPhrases,
      callToAction: b.pb_callToAction,
      senderPersona: b.pb_senderPersona,
    },
    signature: String(b.signature ?? ''),
    physicalAddress: String(b.physicalAddress ?? ''),
    cooldownDays: b.cooldownDays ?? 30,
    autoCreateAccountsFromChampions: !!b.autoCreateAccountsFromChampions,
    approvalMode: b.approvalMode || undefined,
    stepApprovalLeadHours: b.stepApprovalLeadHours || undefined,
    maxMissedWindows: b.maxMissedWindows || undefined,
    staleFactDays: b.staleFactDays || undefined,
    competitors:
      typeof b.competitors === 'string'
        ? parseCompetitors(b.competitors).map(({ name, aliases }) => ({ name, aliases }))
        : undefined,
  });
}

export function settingsWorkspaceRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/settings', requireRole('revops'), (req, res) => {
    res.type('html').send(page(req, 'Settings', settingsIndex()));
  });

  r.get('/settings/workspace', requireRole('revops'), async (req, res, user) => {
    const w = (await one(ctx.db, findWorkspace(user.workspaceId)))!;
    res.type('html').send(page(req, 'Workspace settings', workspaceForm(req, w)));
  });

  r.post('/settings/workspace', requireRole('revops'), async (req, res, user) => {
    const { name, ...settings } = settingsFromForm(req.body ?? {});
    await run(ctx.db, updateWorkspaceSettings(user.workspaceId, name, settings));
    await auditRequest(ctx.db, req, 'workspace.settings_updated', { type: 'workspace', id: user.workspaceId });
    res.redirect(303, '/settings/workspace?saved=1');
  });
  return r.router;
}
