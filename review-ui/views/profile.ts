// The sender name and signature form, as a pure function of the user's profile.
import type { Request } from 'express';
import type { SenderProfile } from '../../db/queries/user-profile.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';

export function profilePage(
  req: Request,
  p: SenderProfile,
  opts: { saved?: boolean; error?: string; status?: number } = {},
) {
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
