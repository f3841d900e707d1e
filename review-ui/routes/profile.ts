// Each user's own sender name and signature: what their sequences' mail and their answers go out
// with. Empty means the default: the mailbox's From name, the workspace signature (Settings).
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { findSenderProfile, updateSenderProfile, type SenderProfile } from '../../db/queries/user-profile.js';
import { authedRouter } from '../authed.js';
import { auditRequest } from '../audit.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';

const ProfileForm = z.object({
  senderName: z
    .string()
    .trim()
    .max(200, 'a sender name of at most 200 characters')
    .refine((s) => !/[\r\n<>"]/.test(s), 'a sender name without line breaks, quotes or angle brackets'),
  signature: z.string().max(2000, 'a signature of at most 2,000 characters'),
});

function profilePage(req: Request, p: SenderProfile, opts: { saved?: boolean; error?: string; status?: number } = {}) {
  return page(
    req,
    'Your sender name and signature',
    html`${opts.saved ? html`<p class="flash ok" role="status">Saved. Mail from your sequences and your answers use it from now on.</p>` : ''}
      ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
      <form method="post" action="/profile" class="stack">
        ${csrfField(req)}
        <label
          >Sender name
          <input
            name="senderName"
            value="${p.sender_name ?? ''}"
            maxlength="200"
            placeholder="The mailbox's From name"
          />
        </label>
        <label
          >Signature
          <textarea name="signature" rows="5" placeholder="${p.workspace_signature ?? ''}">
${p.signature ?? ''}</textarea>
        </label>
        <p class="muted">
          Leave empty to use the defaults: the mailbox's From name and the workspace
          signature${p.workspace_signature ? html` (shown greyed above)` : ' (none is set)'}.
        </p>
        <button type="submit">Save</button>
      </form>`,
    { status: opts.status },
  );
}

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
        .send(profilePage(req, given, { error: parsed.error.issues.map((i) => i.message).join('; '), status: 400 }));
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
