// `prospector inbox classify FILE.eml [--json]` and `prospector sequence show ID`.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { one, run } from '../db/index.js';
import { findSequence, listSteps } from '../db/queries/sequencing.js';
import { classifyReplyByRules } from '../sequencing/inbox/reply-intent.js';
import { loadSchedulePolicy } from '../sequencing/approve.js';
import { classifyRaw } from '../sequencing/inbox/classify.js';
import { formatLocal } from '../sequencing/schedule.js';
import { openContext } from './context.js';

async function classifyCommand(file: string, o: { json?: boolean }): Promise<void> {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    process.stderr.write(`prospector: cannot read ${file}: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const { parsed, classification: c } = await classifyRaw(raw);
  // Offline and free: the rules behind classifyReply; the running system may also ask the model.
  const intent = c.kind === 'reply' && c.visibleText ? classifyReplyByRules(c.visibleText) : null;
  const out = {
    kind: c.kind,
    reason: c.reason,
    from: parsed.from,
    subject: parsed.subject,
    returnDate: c.returnDate ?? null,
    bounce: c.bounce
      ? { recipient: c.bounce.recipient, status: c.bounce.status, hard: c.bounce.hard, diagnostic: c.bounce.diagnostic }
      : null,
    intent: intent ? { intent: intent.intent, confidence: intent.confidence } : null,
    visibleText: c.visibleText,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const lines = [`kind:        ${out.kind} (${out.reason})`, `from:        ${out.from}`, `subject:     ${out.subject}`];
  if (c.kind === 'auto_reply')
    lines.push(`return date: ${out.returnDate ?? 'not stated (remaining steps move a week)'}`);
  if (out.bounce)
    lines.push(
      `recipient:   ${out.bounce.recipient ?? '?'}`,
      `status:      ${out.bounce.status ?? '?'}`,
      `hard:        ${out.bounce.hard ? 'yes (address suppressed)' : 'no'}`,
    );
  if (out.intent) lines.push(`intent:      ${out.intent.intent} (${out.intent.confidence})`);
  if (out.visibleText) lines.push('visible text:', ...out.visibleText.split('\n').map((l) => `  ${l}`));
  process.stdout.write(lines.join('\n') + '\n');
}

async function sequenceShowCommand(id: string): Promise<void> {
  const sequenceId = Number(id);
  if (!Number.isInteger(sequenceId) || sequenceId <= 0) {
    process.stderr.write(`prospector: not a sequence id: ${id}\n`);
    process.exitCode = 1;
    return;
  }
  const ctx = await openContext({ boss: false });
  try {
    const seq = await one(ctx.db, findSequence(sequenceId));
    if (!seq) {
      process.stderr.write(`prospector: sequence ${sequenceId} not found\n`);
      process.exitCode = 1;
      return;
    }
    const { zone } = await loadSchedulePolicy(ctx.db, sequenceId);
    const steps = await run(ctx.db, listSteps(sequenceId));
    const lines = [
      `sequence ${seq.id}: ${seq.status}${seq.stop_reason ? ` (${seq.stop_reason})` : ''}; recipient time zone ${zone}`,
    ];
    // Numbered by rank: the opener is 1 whatever its stored position.
    for (const [i, s] of steps.entries()) {
      const at = s.sent_at ?? s.scheduled_at;
      const when = at ? `${s.sent_at ? 'sent' : 'at'} ${formatLocal(at, zone)}` : '-';
      const note = s.last_error ?? s.skip_reason ?? '';
      lines.push(
        `  ${String(i + 1).padStart(2)}. ${s.kind.padEnd(9)} ${s.status.padEnd(10)} ${when}${note ? `  (${note})` : ''}`,
      );
      if (s.subject) lines.push(`      ${s.subject}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await ctx.stop();
  }
}

export function registerSequencingCommands(program: Command): void {
  program
    .command('inbox')
    .description('Inbound mail tools.')
    .command('classify')
    .description(
      'Classify a raw message (.eml): reply, auto_reply, bounce or unsubscribe, with return date, bounce details, visible text and intent.',
    )
    .argument('<file>', 'raw MIME message')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => classifyCommand(file, o));
  program
    .command('sequence')
    .description('Sequences.')
    .command('show')
    .description("Print each step with its time in the recipient's time zone.")
    .argument('<id>', 'sequence id')
    .action(async (id: string) => sequenceShowCommand(id));
}
