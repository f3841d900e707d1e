// The inbound-mail webhook secret of a mailbox: derived from APP_SECRET until an admin rotates
// it, then a random secret sealed in the row. Shown to admins (mailbox page, `prospector
// inbound-secret`); rotating makes the previous secret stop verifying at once.
import { randomBytes } from 'node:crypto';
import { run, type Database, type Queryable } from '../db/index.js';
import { insertAudit } from '../db/queries/audit.js';
import { mailboxInboundSecrets, setMailboxInboundSecret, type InboundSecretRow } from '../db/queries/inbound-secret.js';
import { AppError } from '../errors.js';
import type { SecretBox } from '../secret-box.js';
import { inboundWebhookSecret } from './tracking.js';

/** The secret `/api/inbound` checks for this mailbox. */
export const mailboxInboundSecret = (
  secrets: Pick<SecretBox, 'sign' | 'open'>,
  m: { id: number; inbound_secret_enc?: string | null },
) => (m.inbound_secret_enc ? secrets.open(m.inbound_secret_enc) : inboundWebhookSecret(secrets, m.id));

const inboundWebhookUrl = (publicUrl: string, mailboxId: number) => `${publicUrl}/api/inbound?mailbox=${mailboxId}`;

export interface InboundSecretView {
  mailboxId: number;
  fromEmail: string;
  url: string;
  secret: string;
  rotated: boolean;
}

const inboundSecretView = (
  secrets: Pick<SecretBox, 'sign' | 'open'>,
  publicUrl: string,
  m: InboundSecretRow,
): InboundSecretView => ({
  mailboxId: m.id,
  fromEmail: m.from_email,
  url: inboundWebhookUrl(publicUrl, m.id),
  secret: mailboxInboundSecret(secrets, m),
  rotated: m.inbound_secret_enc !== null,
});

/** The workspace's mailboxes (or one of them) with their webhook URL and secret. */
export async function inboundSecretViews(
  db: Queryable,
  secrets: Pick<SecretBox, 'sign' | 'open'>,
  publicUrl: string,
  workspaceId: number,
  mailboxId?: number,
): Promise<InboundSecretView[]> {
  const rows = await run(db, mailboxInboundSecrets(workspaceId, mailboxId));
  return rows.map((m) => inboundSecretView(secrets, publicUrl, m));
}

/** Replaces the mailbox's secret with a new random one (the audit row never holds the secret). */
export async function rotateInboundSecret(
  db: Database,
  secrets: Pick<SecretBox, 'seal'>,
  a: { workspaceId: number; mailboxId: number; userId: number | null; ip?: string },
): Promise<void> {
  const sealed = secrets.seal(randomBytes(32).toString('base64url'));
  await db.transaction(async (tx) => {
    const [row] = await run(tx, setMailboxInboundSecret(a.workspaceId, a.mailboxId, sealed));
    if (!row) throw new AppError('NOT_FOUND', 'No such mailbox.');
    await run(
      tx,
      insertAudit({
        workspaceId: a.workspaceId,
        userId: a.userId,
        action: 'mailbox.inbound_secret.rotated',
        entityType: 'mailbox',
        entityId: a.mailboxId,
        ip: a.ip,
      }),
    );
  });
}
