// Builders for sequencing tests: an account, a contact, a template, an owner mailbox and a
// sequence with its steps in the state a reviewer finds them; the send path against an SMTP sink.
import { afterAll, beforeAll } from 'vitest';
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../db/index.js';
import { one, run } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import type { TestWorkspace } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

export interface BuiltSequence {
  sequenceId: number;
  stepIds: number[];
  contactId: number;
  accountId: number;
  mailboxId: number | null;
  templateId: number;
}

export interface SequenceSpec {
  workspaceId: number;
  ownerId: number;
  email?: string;
  contactTz?: string | null;
  accountTz?: string | null;
  country?: string | null;
  status?: string;
  steps?: { delayDays: number; subject?: string; body?: string; newThread?: boolean; branch?: unknown }[];
  mailbox?: {
    kind: 'smtp' | 'outbox';
    host?: string;
    port?: number;
    fromEmail?: string;
    dailyCap?: number;
    minGap?: number;
    maxGap?: number;
  } | null;
  window?: { days: number[]; start: string; end: string };
  fallback?: { days: number[]; start: string; end: string } | null;
  /** Give the sequence its mailbox up front (default); false leaves the choice to rotation. */
  bindMailbox?: boolean;
}

export const ALWAYS = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };

let n = 0;
export async function buildSequence(db: Queryable, s: SequenceSpec): Promise<BuiltSequence> {
  const tag = `${Date.now().toString(36)}${(n++).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const domain = s.email ? s.email.split('@')[1]! : `acme-${tag}.test`;
  const account = (await one<{ id: number }>(db, {
    text: `INSERT INTO accounts (workspace_id, name, domain, owner_id, time_zone, country) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    values: [s.workspaceId, `Acme ${tag}`, domain, s.ownerId, s.accountTz ?? null, s.country ?? null],
  }))!;
  const contact = (await one<{ id: number }>(db, {
    text:
      `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, time_zone) ` +
      `VALUES ($1, $2, 'Dana', 'Prospect', $3, $4) RETURNING id`,
    values: [
      s.workspaceId,
      account.id,
      s.email ?? `dana@${domain}`,
      s.contactTz === undefined ? 'America/New_York' : s.contactTz,
    ],
  }))!;
  const template = (await one<{ id: number }>(db, {
    text:
      `INSERT INTO sequence_templates (workspace_id, name, steps, sending_window, fallback_window) ` +
      `VALUES ($1, $2, '[]', $3, $4) RETURNING id`,
    values: [
      s.workspaceId,
      `t-${tag}`,
      JSON.stringify(s.window ?? { days: [2, 3, 4], start: '09:00', end: '11:00' }),
      s.fallback === null
        ? null
        : JSON.stringify(s.fallback ?? { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' }),
    ],
  }))!;
  let mailboxId: number | null = null;
  if (s.mailbox !== null) {
    const m = s.mailbox ?? { kind: 'outbox' as const };
    mailboxId = (await one<{ id: number }>(db, {
      text:
        `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email, smtp_host, smtp_port, ` +
        `daily_cap, min_gap_seconds, max_gap_seconds)
             VALUES ($1, $2, $3, 'Riley Rep', $4, $5, $6, $7, $8, $9) RETURNING id`,
      values: [
        s.workspaceId,
        s.ownerId,
        m.kind,
        m.fromEmail ?? `rep-${tag}@sender.test`,
        m.host ?? null,
        m.port ?? null,
        m.dailyCap ?? 30,
        m.minGap ?? 0,
        m.maxGap ?? 0,
      ],
    }))!.id;
  }
  const seq = (await one<{ id: number }>(db, {
    text:
      `INSERT INTO sequences (workspace_id, account_id, contact_id, template_id, owner_id, status, ` +
      `mailbox_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    values: [
      s.workspaceId,
      account.id,
      contact.id,
      template.id,
      s.ownerId,
      s.status ?? 'pending_review',
      s.bindMailbox === false ? null : mailboxId,
    ],
  }))!;
  const steps = s.steps ?? [{ delayDays: 0 }, { delayDays: 3 }, { delayDays: 4 }];
  const stepIds: number[] = [];
  for (const [i, st] of steps.entries()) {
    const row = (await one<{ id: number }>(db, {
      text: `INSERT INTO sequence_steps (sequence_id, position, kind, delay_days, new_thread, branch, subject, body, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft') RETURNING id`,
      values: [
        seq.id,
        i,
        i === 0 ? 'opener' : 'follow_up',
        st.delayDays,
        st.newThread ?? false,
        st.branch === undefined ? null : JSON.stringify(st.branch),
        st.subject ?? (i === 0 ? 'Congrats on the Series B' : ''),
        st.body ?? `Hi Dana,\n\nStep ${i + 1} body. See https://example.com/case-study?x=1 for details.\n`,
      ],
    }))!;
    stepIds.push(row.id);
  }
  return {
    sequenceId: seq.id,
    stepIds,
    contactId: contact.id,
    accountId: account.id,
    mailboxId,
    templateId: template.id,
  };
}

export async function stepRows(db: Queryable, sequenceId: number) {
  return run<{
    id: number;
    position: number;
    status: string;
    scheduled_at: Date | null;
    sent_at: Date | null;
    message_id: string | null;
    attempts: number;
    last_error: string | null;
  }>(db, { text: `SELECT * FROM sequence_steps WHERE sequence_id = $1 ORDER BY position`, values: [sequenceId] });
}

/** The status of a sequence or a contact. */
export const statusOf = async (db: Queryable, table: 'sequences' | 'contacts', id: number) =>
  (await one<{ status: string }>(db, { text: `SELECT status FROM ${table} WHERE id = $1`, values: [id] }))!.status;

/** Approves a built sequence at `now` and sends its opener then (it must go out): with its contact's address and Message-ID. */
export async function sendOpener(
  ctx: AppContext,
  transports: TransportPool,
  b: BuiltSequence,
  userId: number,
  now: Date,
): Promise<BuiltSequence & { email: string; messageId: string }> {
  await approveSequence(ctx, { sequenceId: b.sequenceId, userId, now, random: () => 0 });
  const r = await sendStep(ctx, b.stepIds[0]!, { transports, now: () => now });
  if (r.status !== 'sent') throw new Error(`opener not sent: ${JSON.stringify(r)}`);
  const email = (await one<{ email: string }>(ctx.db, {
    text: 'SELECT email FROM contacts WHERE id = $1',
    values: [b.contactId],
  }))!.email;
  return { ...b, email, messageId: r.messageId };
}

export interface SmtpSending {
  smtp: TestSmtp;
  transports: TransportPool;
  /** A sequence of the workspace's rep on a mailbox of the sink, sending at any hour (`spec` overrides). */
  sequence(spec?: Partial<SequenceSpec>): Promise<BuiltSequence>;
  /** Sends a step through the real send path, `at` being the time. */
  send(stepId: number, at: Date): ReturnType<typeof sendStep>;
}

/**
 * The send path against an SMTP sink for a `describeEachBackend` block: call it after the hooks that make
 * the block's context and workspace (`app()` is read in hooks and tests); closed before them.
 */
export function useSmtpSending(app: () => { ctx: AppContext; ws: TestWorkspace }): SmtpSending {
  const s: SmtpSending = {
    sequence: (spec = {}) =>
      buildSequence(app().ctx.db, {
        workspaceId: app().ws.id,
        ownerId: app().ws.users.rep.id,
        window: ALWAYS,
        fallback: null,
        mailbox: { kind: 'smtp', host: '127.0.0.1', port: s.smtp.port },
        ...spec,
      }),
    send: (stepId, at) => sendStep(app().ctx, stepId, { transports: s.transports, now: () => at }),
  } as SmtpSending;
  beforeAll(async () => {
    s.smtp = await startSmtp();
    s.transports = new TransportPool(transportDeps(app().ctx));
  });
  afterAll(async () => {
    await s.transports?.close();
    await s.smtp?.close();
  });
  return s;
}
