// An operator's deployment on one machine: the test PostgreSQL, `prospector web` and N
// `prospector worker` processes, the fake Messages API, a local SMTP server as the rep's mailbox
// and Dovecot as its IMAP, a loopback news site and company sites. The workspace is seeded the
// way RevOps would set it up: accounts, contacts, a template whose window is open now, the default
// plays, the SMTP/IMAP mailbox and the feed source.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type PgBoss from 'pg-boss';
import { startBoss } from '../../agents/boss.js';
import { Queues } from '../../agents/queues.js';
import { one, run } from '../../db/index.js';
import { insertSource } from '../../db/queries/signal-sources.js';
import { insertWorkspace } from '../../db/queries/workspaces.js';
import { seedDefaultPlays } from '../../plays/service.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { addUser } from '../../review-ui/auth/users.js';
import { createSecretBox } from '../../secret-box.js';
import { TEST_SECRET } from '../support/context.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { DOVECOT_PASSWORD, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { eventually } from '../support/eventually.js';
import { cleanEnv, startProcess, type Proc } from '../support/process.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { freePort } from './helpers.js';
import { answer, startWorld, type Company, type World } from './world.js';

const ALWAYS = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
export const REP_ADDRESS = 'riley@sender.test';

export interface Stack {
  t: TestDb;
  world: World;
  smtp: TestSmtp;
  dovecot: TestDovecot;
  fake: FakeAnthropic;
  /** The test's own pg-boss client (no workers, no maintenance): it only enqueues. */
  boss: PgBoss;
  web: Proc;
  workers: Proc[];
  base: string;
  env: NodeJS.ProcessEnv;
  workspaceId: number;
  sourceId: number;
  mailboxId: number;
  repToken: string;
  managerToken: string;
  contacts: Record<string, number>;
  api<T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown; token?: string },
  ): Promise<{ status: number; body: T }>;
  close(failed: boolean): Promise<void>;
}

export async function startStack(opts: {
  label: string;
  companies: (Company & { contact: { first: string; last: string; title: string } })[];
  workers?: number;
  siteDelayMs?: number;
  /** The companies whose sites are slow (default: all). */
  slowDomains?: string[];
  smtpDelayMs?: number;
  /** A cluster of the test's own (test/support/pg-cluster.ts) instead of the shared one. */
  adminUrl?: string;
  /** The SMTP server copies what it accepts to the rep's IMAP Sent folder, as hosted providers do. */
  sentCopies?: boolean;
  env?: Record<string, string>;
  /** How long web and workers may take to start (a loaded machine compiles slowly). */
  startTimeoutMs?: number;
}): Promise<Stack> {
  const t = await createTestDb('postgres', { label: opts.label, adminUrl: opts.adminUrl });
  const [world, smtp, dovecot, fake] = await Promise.all([
    startWorld(opts.companies, { delayMs: opts.siteDelayMs, slowDomains: opts.slowDomains }),
    startSmtp({ delayMs: opts.smtpDelayMs }),
    startDovecot(),
    startFakeAnthropic({ fallback: answer }),
  ]);
  if (opts.sentCopies) smtp.onAccepted = (r) => dovecot.append(REP_ADDRESS, r.raw, 'Sent');
  const secrets = createSecretBox(TEST_SECRET);
  const siteMap = Object.fromEntries(opts.companies.map((c) => [c.domain, world.siteBase(c.domain)]));
  const ws = (await one(
    t.db,
    insertWorkspace('E2E workspace', {
      researchSiteMap: siteMap,
      approvalMode: 'sequence',
      signature: 'Riley Rep\nLoopback Co',
      physicalAddress: 'Loopback Co, 1 Test Street, Springfield',
    }),
  ))!;
  const rep = await addUser(t.db, {
    workspaceId: ws.id,
    email: 'rep@e2e.test',
    name: 'Riley Rep',
    role: 'rep',
    timeZone: 'UTC',
  });
  const manager = await addUser(t.db, {
    workspaceId: ws.id,
    email: 'manager@e2e.test',
    name: 'Mo Manager',
    role: 'manager',
    timeZone: 'UTC',
  });
  const template = (await one<{ id: number }>(t.db, {
    text:
      `INSERT INTO sequence_templates (workspace_id, name, steps, sending_window, fallback_window, ` +
      `is_default) VALUES ($1, 'Open now, 2 steps', $2, $3, NULL, true) RETURNING id`,
    values: [
      ws.id,
      JSON.stringify([
        { kind: 'opener', delayDays: 0 },
        { kind: 'follow_up', delayDays: 2 },
      ]),
      JSON.stringify(ALWAYS),
    ],
  }))!;
  const contacts: Record<string, number> = {};
  for (const c of opts.companies) {
    const acc = (await one<{ id: number }>(t.db, {
      text:
        `INSERT INTO accounts (workspace_id, name, domain, owner_id, time_zone, country) ` +
        `VALUES ($1, $2, $3, $4, 'America/Denver', 'US') RETURNING id`,
      values: [ws.id, c.name, c.domain, rep.user.id],
    }))!;
    const email = `${c.contact.first}.${c.contact.last}@${c.domain}`.toLowerCase();
    contacts[email] = (await one<{ id: number }>(t.db, {
      text:
        `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title, time_zone) ` +
        `VALUES ($1, $2, $3, $4, $5, $6, 'Pacific/Auckland') RETURNING id`,
      values: [ws.id, acc.id, c.contact.first, c.contact.last, email, c.contact.title],
    }))!.id;
  }
  const mailbox = (await one<{ id: number }>(t.db, {
    text:
      `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email, smtp_host, smtp_port, ` +
      `smtp_secure, imap_host, imap_port, imap_secure, imap_user, imap_pass_enc, daily_cap, min_gap_seconds, max_gap_seconds)
           VALUES ($1, $2, 'smtp', 'Riley Rep', $3, '127.0.0.1', $4, false, '127.0.0.1', $5, false, $3, $6, 500, 0, 0) RETURNING id`,
    values: [ws.id, rep.user.id, REP_ADDRESS, smtp.port, dovecot.port, secrets.seal(DOVECOT_PASSWORD)],
  }))!;
  await seedDefaultPlays(t.db, ws.id, template.id);
  const source = (await one(
    t.db,
    insertSource(ws.id, {
      kind: 'feed',
      name: 'Loopback Venture News',
      url: `${world.base}/feed.xml`,
      config: {},
      secretEnc: null,
      pollIntervalMinutes: 60,
    }),
  ))!;
  const repToken = await createApiToken(t.db, rep.user.id, 'e2e');
  const managerToken = await createApiToken(t.db, manager.user.id, 'e2e');

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    DATABASE_URL: t.url!,
    APP_SECRET: TEST_SECRET,
    ANTHROPIC_API_KEY: 'sk-ant-fake-e2e',
    ANTHROPIC_BASE_URL: fake.url,
    ALLOW_PRIVATE_FETCH: '1',
    PUBLIC_URL: base,
    PORT: String(port),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-e2e-')),
    LOG_LEVEL: 'info',
    DB_POOL_MAX: '4',
    ...opts.env,
  });
  const web = startProcess(['web'], env);
  const workers = Array.from({ length: opts.workers ?? 2 }, () =>
    startProcess(['worker'], { ...env, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'prospector-e2e-w-')) }),
  );
  try {
    await web.waitFor(/running at/, opts.startTimeoutMs ?? 60_000);
    await Promise.all(workers.map((w) => started(() => /agents\.started/.test(w.stderr()), w, opts.startTimeoutMs)));
  } catch (err) {
    // No orphans: the processes and servers go; the database is kept and named for inspection.
    await Promise.all([web, ...workers].map((p) => p.stop('SIGKILL')));
    await Promise.allSettled([world.close(), smtp.close(), dovecot.stop(), fake.close()]);
    await t.dispose(true);
    throw err;
  }

  const boss = await startBoss(t.db, { databaseUrl: t.url, supervise: false, poolMax: 1 });

  const api: Stack['api'] = async (p, init = {}) => {
    const res = await fetch(base + p, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? repToken}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as never };
  };
  return {
    t,
    world,
    smtp,
    dovecot,
    fake,
    boss,
    web,
    workers,
    base,
    env,
    workspaceId: ws.id,
    sourceId: source.id,
    mailboxId: mailbox.id,
    repToken,
    managerToken,
    contacts,
    api,
    async close(failed) {
      await Promise.all([web, ...workers].map((p) => p.stop('SIGKILL')));
      await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
      // Whatever fails to close, the database is still dropped (or kept when the test failed).
      await Promise.allSettled([world.close(), smtp.close(), dovecot.stop(), fake.close()]);
      await t.dispose(failed);
    },
  };
}

/** Until `ok()`; a worker that exits first fails at once. Either way the error carries what it printed. */
const started = (ok: () => boolean, p: Proc, timeout = 60_000) =>
  eventually('the worker to start', ok, {
    timeout,
    every: 200,
    abortIf: () => (p.child.exitCode !== null ? 'the worker exited' : undefined),
  }).catch((err) => {
    throw new Error(`${String(err)}: ${p.stderr().slice(-2000)}`);
  });

/** `prospector signals poll --source ID` as its own process, as an operator would run it. */
export async function pollNow(s: Stack): Promise<string> {
  const p = startProcess(['signals', 'poll', '--source', String(s.sourceId)], s.env);
  const code = await p.exit();
  if (code !== 0) throw new Error(`signals poll exited ${code}: ${p.stderr()}`);
  return p.stdout();
}

export async function rows<T>(s: Stack, text: string, values: unknown[] = []): Promise<T[]> {
  return run<T>(s.t.db, { text, values });
}

/**
 * Approval jitters the opener inside its window (minutes to hours ahead). The suites cannot wait
 * that long, so they bring the planned time forward to now — the only clock shortcut they take;
 * the dispatcher, claim (window, caps, re-checks) and send run as they would. The dispatcher's
 * next tick is brought forward too (`dispatchNow`): its cron fires once a minute, which a suite
 * would otherwise wait out (up to 60 s) after every `dueNow`.
 */
export async function dueNow(s: Stack, sequenceIds: number[]): Promise<void> {
  await s.t.db.query(
    `UPDATE sequence_steps SET scheduled_at = now() WHERE position = 1 AND status = 'scheduled' AND sequence_id = ANY($1::bigint[])`,
    [sequenceIds],
  );
  await dispatchNow(s);
}

/**
 * One dispatch job, as the cron would enqueue it; the job's NOTIFY wakes a worker's dispatch loop
 * at once. The tick it runs is the workers' own (due steps become send jobs, stuck ones are reconciled).
 */
async function dispatchNow(s: Stack): Promise<void> {
  await s.boss.send(Queues.dispatch.name, {});
}
