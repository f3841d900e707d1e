// Sending benchmark: messages/s through the whole claim → build → send → record path to a
// local SMTP server, against plain pooled nodemailer sending the same messages in the same run.
//
//   npx tsx bench/sending.ts [postgres|pglite] [messages=300] [concurrency=4] [rounds=6]
//
// The messages are split into rounds; each round sends its share through the baseline and through
// ours, one after the other (which goes first alternates), and the ratio is taken inside each
// round: a burst of load from elsewhere on a shared machine then hits one round's pair, not one
// side of the whole run. The median of the rounds' ratios is the figure.
//
// PostgreSQL comes from TEST_DATABASE_URL (a scratch database is created and dropped). The
// mailbox has no gap or cap here, so the numbers measure our overhead, not the pacing policy.
// Both sides build and compile each message inside the timed part.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { approveSequence } from '../sequencing/approve.js';
import { messageFor, sendStep } from '../sequencing/send.js';
import { claimStep, type ClaimedStep } from '../sequencing/claim.js';
import { compileMessage, TransportPool, transportDeps } from '../sequencing/transport.js';
import { buildWorkspace } from '../test/support/builders.js';
import { createTestContext } from '../test/support/context.js';
import { createTestDb, type Backend } from '../test/support/db.js';
import { startSmtp } from '../test/support/smtp.js';
import { ALWAYS, buildSequence } from '../test/sequencing/builders.js';

const backend = (process.argv[2] ?? 'postgres') as Backend;
const N = Number(process.argv[3] ?? 300);
const CONCURRENCY = Number(process.argv[4] ?? 4);
const ROUNDS = Number(process.argv[5] ?? 6);
// PROFILE=1: the server's per-function times (track_functions, triggers included) after the run.
if (process.env.PROFILE) process.env.PGOPTIONS = `${process.env.PGOPTIONS ?? ''} -c track_functions=all`;

/**
 * CPU used so far, ms: this process, and each server process serving this database (from /proc),
 * the one answering this query included (it is one of the pool's, and may serve the send path).
 */
async function cpuMs(db: { kind: string; query: <R>(q: string) => Promise<{ rows: R[] }> }) {
  const server = new Map<number, number>();
  if (db.kind === 'postgres') {
    const r = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of r.rows) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        server.set(pid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, USER_HZ = 100
      } catch {
        // gone already
      }
    }
  }
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1000, server };
}
/** Server CPU between two samples: per process, so a connection of the pool seen in one sample only adds its own. */
const serverMs = (a: Map<number, number>, b: Map<number, number>) =>
  [...b].reduce((sum, [pid, ms]) => sum + ms - (a.get(pid) ?? 0), 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

const t = await createTestDb(backend, { label: 'bench-sending' });
const ctx = await createTestContext(t);
const smtp = await startSmtp();
try {
  const ws = await buildWorkspace(t.db);
  const mailboxId = (
    await buildSequence(t.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, dailyCap: 1_000_000 },
    })
  ).mailboxId;
  // Two sets of one-step sequences: one to build the baseline's messages, one for the real path.
  const build = async () => {
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const b = await buildSequence(t.db, {
        workspaceId: ws.id,
        ownerId: ws.users.rep.id,
        mailbox: null,
        window: ALWAYS,
        fallback: null,
        steps: [{ delayDays: 0 }],
      });
      await t.db.query(`UPDATE sequences SET mailbox_id = $2 WHERE id = $1`, [b.sequenceId, mailboxId]);
      await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, random: () => 0 });
      ids.push(b.stepIds[0]!);
    }
    return ids;
  };
  const baselineSteps = await build();
  const pathSteps = await build();

  // Baseline: the same messages, built and compiled the same way inside the timed part (as ours
  // does), sent by one pooled nodemailer transport. The claims only gather the messages' inputs.
  const inputs: ClaimedStep[] = [];
  for (const id of baselineSteps) {
    inputs.push((await t.db.transaction((tx) => claimStep(tx, ctx.secrets, id, new Date()))).claimed!);
  }
  const plain = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
  });
  const transports = new TransportPool(transportDeps(ctx));
  const cpu = { baseline: { self: 0, server: 0 }, ours: { self: 0, server: 0 } };
  const timed = async (side: 'baseline' | 'ours', fn: () => Promise<number>) => {
    const a = await cpuMs(t.db);
    const ms = await fn();
    const b = await cpuMs(t.db);
    cpu[side].self += b.self - a.self;
    cpu[side].server += serverMs(a.server, b.server);
    return ms;
  };
  const baseline = async (batch: ClaimedStep[]) => {
    const t0 = performance.now();
    await pool(batch, CONCURRENCY, async (c) =>
      plain.sendMail({
        envelope: { from: c.mailbox.from_email, to: c.facts.contact_email },
        raw: await compileMessage(messageFor(ctx, c)),
      }),
    );
    return performance.now() - t0;
  };
  let sent = 0;
  const ours = async (batch: number[]) => {
    const t0 = performance.now();
    await pool(batch, CONCURRENCY, async (id) => {
      if ((await sendStep(ctx, id, { transports })).status === 'sent') sent++;
    });
    return performance.now() - t0;
  };
  const per = Math.ceil(N / ROUNDS);
  const ratios: number[] = [];
  let baselineMs = 0;
  let pathMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const b = inputs.slice(r * per, (r + 1) * per);
    const o = pathSteps.slice(r * per, (r + 1) * per);
    if (!b.length) break;
    let bm: number;
    let om: number;
    if (r % 2) {
      om = await timed('ours', () => ours(o));
      bm = await timed('baseline', () => baseline(b));
    } else {
      bm = await timed('baseline', () => baseline(b));
      om = await timed('ours', () => ours(o));
    }
    baselineMs += bm;
    pathMs += om;
    ratios.push(bm / om);
  }
  plain.close();
  await transports.close();

  const rate = (ms: number) => (N / (ms / 1000)).toFixed(1);
  process.stdout.write(`backend ${backend}, ${N} messages, concurrency ${CONCURRENCY}, ${ratios.length} rounds\n`);
  process.stdout.write(`plain pooled nodemailer:        ${rate(baselineMs)} msg/s\n`);
  process.stdout.write(`claim → send → record (ours):   ${rate(pathMs)} msg/s (${sent} sent)\n`);
  process.stdout.write(
    `ratio ours / plain:             median ${median(ratios).toFixed(2)} of rounds ${ratios.map((x) => x.toFixed(2)).join(', ')}` +
      ` (whole run ${(baselineMs / pathMs).toFixed(2)})\n`,
  );
  const perMsg = (ms: number) => (ms / N).toFixed(2);
  process.stdout.write(
    `CPU per message, ms: plain ${perMsg(cpu.baseline.self)} node + ${perMsg(cpu.baseline.server)} server; ` +
      `ours ${perMsg(cpu.ours.self)} node + ${perMsg(cpu.ours.server)} server (this process includes the SMTP sink)\n`,
  );
  if (process.env.PROFILE && t.db.kind === 'postgres') {
    await new Promise((r) => setTimeout(r, 1500)); // backends flush their function counters at most once a second
    const f = await t.db.query<{ funcname: string; calls: number; total: number; self: number }>(
      `SELECT funcname, calls::int, total_time::float AS total, self_time::float AS self
          FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 15`,
    );
    for (const x of f.rows)
      process.stdout.write(
        `  ${x.funcname.padEnd(40)} calls ${String(x.calls).padStart(6)}` +
          `  self ${x.self.toFixed(0).padStart(6)} ms  total ${x.total.toFixed(0).padStart(6)} ms\n`,
      );
  }
} finally {
  await smtp.close();
  await ctx.stop();
  await t.dispose();
}
