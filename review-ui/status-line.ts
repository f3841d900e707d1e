// The one-line message after an action (approved, rejected, snoozed, regenerating), shown on
// whichever page the action lands on, in space reserved for it so nothing below moves.
import type { Request } from 'express';
import type { AppContext } from '../context.js';
import { firstSendOf } from './draft-actions.js';
import { inZone, intParam } from './format.js';
import { html, type Html } from './html.js';

async function message(ctx: Pick<AppContext, 'db'>, req: Request): Promise<Html> {
  const u = req.user!;
  const approvedId = intParam(req.query.approved);
  if (approvedId) {
    const at = await firstSendOf(ctx, approvedId);
    return html`Approved draft <a href="/drafts/${approvedId}">#${approvedId}</a>.
      ${at ? html`The first email goes ${inZone(at, u.timeZone)} (your time).` : 'No send time could be planned; check the sending window.'}`;
  }
  if (intParam(req.query.rejected)) return html`Rejected draft #${intParam(req.query.rejected)}.`;
  if (intParam(req.query.snoozed))
    return html`Snoozed draft #${intParam(req.query.snoozed)}; it comes back to the queue when the time is up.`;
  if (req.query.regenerating) return html`Asked the drafter for a new version; this page tells you when it is ready.`;
  if (req.query.saved) return html`Saved.`;
  return html``;
}

export async function statusLine(ctx: Pick<AppContext, 'db'>, req: Request): Promise<Html> {
  return html`<p class="status-line" role="status" aria-live="polite" id="status-line">${await message(ctx, req)}</p>`;
}
