// `prospector inbound-secret [--mailbox ID] [--rotate]`: each mailbox's inbound-mail webhook URL
// and secret, for the operator configuring the provider. Runs through the embedded app when it
// holds DATA_DIR (see admin.ts), so a rotation is what the running app verifies against.
import type { AppContext } from '../context.js';
import type { AdminReply } from '../db/data-dir-lock.js';
import { inboundSecretViews, rotateInboundSecret } from '../sequencing/inbound-secret.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';

export interface InboundSecretArgs {
  mailbox?: number;
  rotate?: boolean;
}

export async function inboundSecret(
  ctx: Pick<AppContext, 'db' | 'secrets' | 'config' | 'log'>,
  o: InboundSecretArgs,
): Promise<AdminReply> {
  const ws = await ensureWorkspace(ctx.db);
  const list = () => inboundSecretViews(ctx.db, ctx.secrets, ctx.config.publicUrl, ws.id, o.mailbox);
  const before = await list();
  if (!before.length) {
    const what = o.mailbox ? `no mailbox ${o.mailbox} in this workspace` : 'no mailboxes yet';
    return { stdout: '', stderr: `prospector: ${what}\n`, exitCode: 1 };
  }
  if (o.rotate) {
    for (const v of before) {
      await rotateInboundSecret(ctx.db, ctx.secrets, { workspaceId: ws.id, mailboxId: v.mailboxId, userId: null });
      ctx.log.info({ mailboxId: v.mailboxId }, 'mailbox.inbound_secret.rotated');
    }
  }
  const views = o.rotate ? await list() : before;
  const stdout = views
    .map(
      (v) =>
        `mailbox ${v.mailboxId} <${v.fromEmail}>${o.rotate ? ' (rotated)' : ''}\n  url: ${v.url}\n  secret: ${v.secret}\n`,
    )
    .join('');
  return { stdout, stderr: '', exitCode: 0 };
}
