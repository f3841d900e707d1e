// RevOps: mailboxes — SMTP/IMAP settings (passwords sealed with APP_SECRET, never shown again),
// "test connection" (SMTP login via nodemailer's verify, IMAP login via imapflow), daily cap,
// gap between sends, paused state and why.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { one, run, type Queryable } from '../../db/index.js';
import { listOwners } from '../../db/queries/review.js';
import {
  findActiveMailbox,
  insertMailbox,
  listMailboxRows,
  setMailboxPaused,
  updateMailbox,
  type MailboxInput,
} from '../../db/queries/mailboxes.js';
import type { MailboxRow } from '../../db/queries/sending.js';
import { AppError } from '../../errors.js';
import type { SecretBox } from '../../secret-box.js';
import { authedRouter, type AuthedRequest } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { intParam } from '../format.js';
import { auditRequest } from '../audit.js';
import type { Html } from '../html.js';
import { answerRefused } from '../error-handler.js';
import { refusedBanner, withBanner, type SentForm } from '../views/refused.js';
import { page } from '../layout.js';
import { testConnection, UNTESTED } from './mailbox-connection.js';
import { PROVIDERS, isConfigured } from '../../mailboxes/oauth/providers.js';
import { inboundSecretViews } from '../../sequencing/inbound-secret.js';
import { deletedFlash } from '../views/mailbox-delete.js';
import { connectionResult, mailboxForm } from '../views/mailboxes.js';
import { mailboxSettingsPage } from '../views/settings-mailboxes.js';
import { parseInput } from '../openapi.js';

const port = z.preprocess(
  (v) => (v === '' || v === undefined ? null : Number(v)),
  z.number().int().min(1).max(65535).nullable(),
);
const text = z.preprocess((v) => (typeof v === 'string' && v.trim() ? v.trim() : null), z.string().max(300).nullable());
const flag = z.preprocess((v) => v === '1' || v === 'on' || v === true, z.boolean());
export { UNTESTED };

const MailboxForm = z
  .object({
    kind: z.enum(['smtp', 'outbox']),
    user_id: z.preprocess((v) => (v ? Number(v) : null), z.number().int().positive().nullable()),
    from_name: z.string().trim().min(1).max(200),
    from_email: z.email(),
    smtp_host: text,
    smtp_port: port,
    smtp_secure: flag,
    smtp_user: text,
    smtp_pass: z.string().max(500).optional(),
    imap_host: text,
    imap_port: port,
    imap_secure: flag,
    imap_user: text,
    imap_pass: z.string().max(500).optional(),
    daily_cap: z.coerce.number().int().min(1).max(2000),
    min_gap_seconds: z.coerce.number().int().min(0).max(86_400),
    max_gap_seconds: z.coerce.number().int().min(0).max(86_400),
  })
  .refine((m) => m.max_gap_seconds >= m.min_gap_seconds, 'max gap must be at least the min gap')
  .refine((m) => m.kind === 'outbox' || (m.smtp_host && m.smtp_port), 'an SMTP mailbox needs a host and port');

function mailboxInput(b: Record<string, unknown>, secrets: Pick<SecretBox, 'seal'>): MailboxInput {
  const m = parseInput(MailboxForm, b);
  return {
    userId: m.user_id,
    kind: m.kind,
    fromName: m.from_name,
    fromEmail: m.from_email,
    smtpHost: m.smtp_host,
    smtpPort: m.smtp_port,
    smtpSecure: m.smtp_secure,
    smtpUser: m.smtp_user,
    smtpPassEnc: m.smtp_pass ? secrets.seal(m.smtp_pass) : null,
    imapHost: m.imap_host,
    imapPort: m.imap_port,
    imapSecure: m.imap_secure,
    imapUser: m.imap_user,
    imapPassEnc: m.imap_pass ? secrets.seal(m.imap_pass) : null,
    dailyCap: m.daily_cap,
    minGapSeconds: m.min_gap_seconds,
    maxGapSeconds: m.max_gap_seconds,
  };
}

/** Whether a save changes where or as whom the mailbox logs in: then it sends nothing until a test passes again. */
function connectionChanged(before: MailboxRow, after: MailboxInput): boolean {
  return (
    before.kind !== after.kind ||
    before.smtp_host !== after.smtpHost ||
    before.smtp_port !== after.smtpPort ||
    before.smtp_secure !== after.smtpSecure ||
    before.smtp_user !== after.smtpUser ||
    after.smtpPassEnc !== null
  );
}

/** RevOps and admins manage every mailbox; anyone manages the mailbox that is theirs. */
export const managesAll = (req: AuthedRequest) => ['admin', 'revops'].includes(req.user.role);
function assertMayManage(req: AuthedRequest, m: { user_id: number | null }): void {
  if (!managesAll(req) && m.user_id !== req.user.id)
    throw new AppError('FORBIDDEN', 'Only RevOps, an admin or the mailbox’s own rep may change it.');
}

/** The active mailbox at :id, if the person may manage it. */
export async function loadMailbox(db: Queryable, req: AuthedRequest): Promise<MailboxRow> {
  const m = await one(db, findActiveMailbox(req.user.workspaceId, intParam(req.params.id) ?? 0));
  if (!m) throw new AppError('NOT_FOUND', 'No such mailbox.');
  assertMayManage(req, m);
  return m;
}

/** Google and Microsoft mailboxes are set up by their sign-in, not by this form. */
function editable(m: MailboxRow): MailboxRow {
  if (m.kind !== 'smtp' && m.kind !== 'outbox')
    throw new AppError('STATE', 'A Google or Microsoft mailbox is managed on the Mailboxes page.');
  return m;
}

export function settingsMailboxRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  // The list and adding are RevOps'; a mailbox's own page, test, pause and delete are also its rep's.
  const revops = requireRole('revops');
  const owners = (req: AuthedRequest) => run(ctx.db, listOwners(req.user.workspaceId));
  const load = (req: AuthedRequest) => loadMailbox(ctx.db, req);
  const audit = (req: Request, action: string, id: number, data: Record<string, unknown> = {}) =>
    auditRequest(ctx.db, req, action, { type: 'mailbox', id }, data);

  const list = async (req: AuthedRequest, extra?: Html | string, sent?: SentForm) =>
    page(
      req,
      'Mailboxes',
      mailboxSettingsPage(
        req,
        {
          rows: await run(ctx.db, listMailboxRows(req.user.workspaceId)),
          configured: PROVIDERS.filter((p) => isConfigured(ctx.config, p)),
          inbound:
            req.user.role === 'admin'
              ? await inboundSecretViews(ctx.db, ctx.secrets, ctx.config.publicUrl, req.user.workspaceId)
              : [],
          owners: managesAll(req) ? await owners(req) : null,
        },
        extra,
        sent,
      ),
    );
  /** Passwords are not shown again, so the banner asks for them when one was typed. */
  const refused = (req: AuthedRequest, notDone: string, why: string) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const fix = b.smtp_pass || b.imap_pass ? 'Correct it and type the password again below' : 'Correct it below';
    return refusedBanner(notDone, why, 'mailbox-form', fix);
  };

  r.get('/settings/mailboxes', revops, async (req, res) => {
    const deleted = typeof req.query.deleted === 'string' ? req.query.deleted.slice(0, 300) : '';
    res.type('html').send(await list(req, deletedFlash(deleted)));
  });
  // A new mailbox sends nothing until a connection test passes: it is stored paused with
  // UNTESTED, tested on save (and on every later save or test), and released by a passing test.
  const testAndRelease = async (req: AuthedRequest, m: MailboxRow) => {
    const c = await testConnection(m, ctx.secrets, { allowPrivate: ctx.config.allowPrivateFetch });
    if ((c.smtp === 'ok' || m.kind === 'outbox') && m.pause_reason === UNTESTED)
      await run(ctx.db, setMailboxPaused(req.user.workspaceId, m.id, null));
    return c;
  };
  r.post('/settings/mailboxes', revops, async (req, res, user) => {
    let input: MailboxInput;
    try {
      input = mailboxInput(req.body ?? {}, ctx.secrets);
    } catch (err) {
      return answerRefused(ctx.log, req, res, err, (why) =>
        list(req, refused(req, 'The mailbox was not added', why), req.body ?? {}),
      );
    }
    const m = await ctx.db.transaction(async (tx) => {
      const row = (await one(tx, insertMailbox(user.workspaceId, input)))!;
      return row.kind === 'outbox' ? row : (await one(tx, setMailboxPaused(user.workspaceId, row.id, UNTESTED)))!;
    });
    await audit(req, 'mailbox.created', m.id);
    await testAndRelease(req, m);
    res.redirect(303, '/settings/mailboxes');
  });
  r.get('/settings/mailboxes/:id', async (req, res) => {
    const m = editable(await load(req));
    res
      .type('html')
      .send(page(req, `Mailbox: ${m.from_email}`, mailboxForm(req, m, managesAll(req) ? await owners(req) : null)));
  });
  // An edit that changes where or as whom it logs in pauses it as untested (unless someone paused
  // it for another reason, which stays); the test run on save releases it, as for a new mailbox.
  r.post('/settings/mailboxes/:id', async (req, res, user) => {
    const m = editable(await load(req));
    let input: MailboxInput;
    try {
      input = mailboxInput(req.body ?? {}, ctx.secrets);
    } catch (err) {
      return answerRefused(ctx.log, req, res, err, async (why) =>
        page(
          req,
          `Mailbox: ${m.from_email}`,
          withBanner(
            refused(req, 'The mailbox was not saved', why),
            mailboxForm(req, m, managesAll(req) ? await owners(req) : null, req.body ?? {}),
          ),
        ),
      );
    }
    if (!managesAll(req)) input.userId = m.user_id;
    const retest =
      connectionChanged(m, input) && input.kind !== 'outbox' && (!m.paused_at || m.pause_reason === UNTESTED);
    const saved = await ctx.db.transaction(async (tx) => {
      const row = await one(tx, updateMailbox(user.workspaceId, m.id, input));
      return row && retest ? await one(tx, setMailboxPaused(user.workspaceId, m.id, UNTESTED)) : row;
    });
    await audit(req, 'mailbox.updated', m.id, { retest });
    if (saved) await testAndRelease(req, saved);
    res.redirect(303, managesAll(req) ? '/settings/mailboxes' : '/mailboxes');
  });
  r.post('/settings/mailboxes/:id/test', async (req, res) => {
    const m = await load(req);
    const c = await testAndRelease(req, m);
    if (!managesAll(req)) return res.type('html').send(page(req, `Mailbox: ${m.from_email}`, connectionResult(m, c)));
    res.type('html').send(await list(req, connectionResult(m, c)));
  });
  r.post('/settings/mailboxes/:id/pause', async (req, res, user) => {
    const m = await load(req);
    const reason = String(req.body?.reason ?? '')
      .trim()
      .slice(0, 300);
    if (!reason) throw new AppError('VALIDATION', 'Say why the mailbox is paused; the team sees it.');
    await run(ctx.db, setMailboxPaused(user.workspaceId, m.id, reason));
    await audit(req, 'mailbox.paused', m.id, { reason });
    res.redirect(303, '/settings/mailboxes');
  });
  r.post('/settings/mailboxes/:id/resume', async (req, res, user) => {
    const m = await load(req);
    // Resuming is no way round the connection test.
    if (m.pause_reason === UNTESTED) throw new AppError('STATE', 'This mailbox sends once a connection test passes.');
    await run(ctx.db, setMailboxPaused(user.workspaceId, m.id, null));
    await audit(req, 'mailbox.resumed', m.id);
    res.redirect(303, managesAll(req) ? '/settings/mailboxes' : '/mailboxes');
  });
  return r.router;
}
