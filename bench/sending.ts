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
      om = await ours(o);
      bm = await baseline(b);
    } else {
      bm = await baseline(b);
      om = await ours(o);
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
} finally {
  await smtp.close();
  await ctx.stop();
  await t.dispose();
}
