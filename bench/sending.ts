// Sending benchmark: messages/s through the whole claim → build → send → record path to a
// local SMTP server, against plain pooled nodemailer sending the same messages in the same run.
//
//   npx tsx bench/sending.ts [postgres|pglite] [messages=300] [concurrency=4]
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
  let t0 = performance.now();
  await pool(inputs, CONCURRENCY, async (c) =>
    plain.sendMail({
      envelope: { from: c.mailbox.from_email, to: c.facts.contact_email },
      raw: await compileMessage(messageFor(ctx, c)),
    }),
  );
  const baselineMs = performance.now() - t0;
  plain.close();

  const transports = new TransportPool(transportDeps(ctx));
  t0 = performance.now();
  let sent = 0;
  await pool(pathSteps, CONCURRENCY, async (id) => {
    if ((await sendStep(ctx, id, { transports })).status === 'sent') sent++;
  });
  const pathMs = performance.now() - t0;
  await transports.close();

  const rate = (ms: number) => (N / (ms / 1000)).toFixed(1);
  process.stdout.write(`backend ${backend}, ${N} messages, concurrency ${CONCURRENCY}\n`);
  process.stdout.write(`plain pooled nodemailer:        ${rate(baselineMs)} msg/s\n`);
  process.stdout.write(`claim → send → record (ours):   ${rate(pathMs)} msg/s (${sent} sent)\n`);
  process.stdout.write(`ratio ours / plain:             ${(baselineMs / pathMs).toFixed(2)}\n`);
} finally {
  await smtp.close();
  await ctx.close();
  await t.dispose();
}
