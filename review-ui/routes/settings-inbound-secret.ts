// Admin: "rotate" a mailbox's inbound-mail webhook secret (the section showing URL and secret is in
// views/settings-mailboxes.ts); rotating needs an explicit confirmation (the old one stops at once).
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { rotateInboundSecret } from '../../sequencing/inbound-secret.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';

export function settingsInboundSecretRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.post('/settings/mailboxes/:id/inbound-secret/rotate', requireRole('admin'), async (req, res, user) => {
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'rotate')
      throw new AppError('VALIDATION', 'Tick the box to confirm: the old secret stops working at once.');
    const mailboxId = intParam(req.params.id) ?? 0;
    await rotateInboundSecret(ctx.db, ctx.secrets, {
      workspaceId: user.workspaceId,
      mailboxId,
      userId: user.id,
      ip: req.ip,
    });
    ctx.log.info({ mailboxId, userId: user.id }, 'mailbox.inbound_secret.rotated');
    res.redirect(303, '/settings/mailboxes#inbound-webhook');
  });
  return r.router;
}
