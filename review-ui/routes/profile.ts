// Each user's own sender name and signature: what their sequences' mail and their answers go out
// with. Empty means the default: the mailbox's From name, the workspace signature (Settings).
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findSenderProfile, updateSenderProfile } from '../../db/queries/user-profile.js';
import { authedRouter } from '../authed.js';
import { auditRequest } from '../audit.js';
import { profilePage } from '../views/profile.js';
import { issues } from '../../zod-message.js';

const ProfileForm = z.object({
  senderName: z
    .string()
    .trim()
    .max(200)
    .refine((s) => !/[\r\n<>"]/.test(s), 'sender name must not hold line breaks, quotes or angle brackets'),
  signature: z.string().max(2000),
});

export function profileRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  r.get('/profile', async (req, res, user) => {
    const p = (await one(ctx.db, findSenderProfile(user.id)))!;
    res.type('html').send(profilePage(req, p, { saved: !!req.query.saved }));
  });
  r.post('/profile', async (req, res, user) => {
    const parsed = ProfileForm.safeParse({
      senderName: req.body?.senderName ?? '',
      signature: req.body?.signature ?? '',
    });
    if (!parsed.success) {
      const p = (await one(ctx.db, findSenderProfile(user.id)))!;
      const given = {
        ...p,
        sender_name: String(req.body?.senderName ?? ''),
        signature: String(req.body?.signature ?? ''),
      };
      return res
        .status(400)
        .type('html')
        .send(profilePage(req, given, { error: issues(parsed.error), status: 400 }));
    }
    const name = parsed.data.senderName || null;
    const signature = parsed.data.signature.replace(/\r\n/g, '\n').trim() || null;
    await ctx.db.transaction(async (tx) => {
      await run(tx, updateSenderProfile(user.id, name, signature));
      await auditRequest(
        tx,
        req,
        'user.profile_updated',
        { type: 'user', id: user.id },
        {
          senderName: name !== null,
          signature: signature !== null,
        },
      );
    });
    res.redirect(303, '/profile?saved=1');
  });
  return r.router;
}
