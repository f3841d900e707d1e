// `prospector draft --signal ID [--json]`: drafts (or redrafts) one researched signal and prints
// each step, the facts it cites and every gate's verdict. Uses Claude when ANTHROPIC_API_KEY is
// set, the offline drafter otherwise (and says so).
import { one, run } from '../db/index.js';
import { findDossier } from '../db/queries/drafting.js';
import { factsOfDossier, type FactRow } from '../db/queries/research.js';
import { findSequence } from '../db/queries/sequencing.js';
import { draftSignal, type SignalDraftResult } from '../drafting/service.js';
import { isAppError } from '../errors.js';
import { openContext } from './context.js';

function formatDrafts(result: SignalDraftResult, facts: Map<number, FactRow>): string {
  if (result.status === 'needs_contact')
    return `Signal ${result.signalId}: no contact in its dossier; marked needs_contact, nothing drafted.`;
  if (result.status === 'skipped')
    return `Signal ${result.signalId}: not in a state that can be drafted (research it first); nothing done.`;
  if (!result.drafts.length) return `Signal ${result.signalId}: every sequence is past review; nothing to redraft.`;
  const out: string[] = [];
  for (const d of result.drafts) {
    const o = d.outcome;
    const calls = `${o.attempts} call${o.attempts === 1 ? '' : 's'}, $${o.usage.reduce((n, u) => n + u.costUsd, 0).toFixed(4)}`;
    // An offline draft after model calls is the fallback for answers that never fit the schema.
    const label =
      o.source === 'llm'
        ? `Claude draft, ${calls}`
        : o.attempts > 0
          ? `model answer failed twice, offline draft kept (${calls})`
          : 'offline draft (no API key)';
    out.push(
      `Sequence ${d.sequenceId}, version ${d.version}: ${label}` +
        (d.applied ? '' : ' (kept as a version only: the sequence changed meanwhile)'),
    );
    o.draft.steps.forEach((s, i) => {
      out.push(
        '',
        `— Step ${i + 1}${s.subject ? `: ${s.subject}` : ' (same thread)'}`,
        ...s.body.split('\n').map((l) => `  ${l}`),
      );
      for (const id of s.citedFactIds) {
        const f = facts.get(id);
        out.push(f ? `  [cites ${id}] ${f.text} (${f.source_url})` : `  [cites ${id}] (not in the dossier)`);
      }
    });
    out.push('', 'Gates:');
    for (const g of o.gateResults) {
      out.push(`  ${g.ok ? 'pass' : 'FAIL'}  ${g.gate}`);
      for (const p of g.problems) out.push(`        ${p.step ? `step ${p.step}: ` : ''}${p.message}`);
    }
    for (const f of o.failures.filter((x) => x.gate === 'schema')) out.push(`  FAIL  schema: ${f.message}`);
    out.push('');
  }
  return out.join('\n');
}

export async function draftCommand(o: { signal: string; json?: boolean }): Promise<void> {
  const signalId = Number(o.signal);
  if (!Number.isInteger(signalId) || signalId <= 0) {
    process.stderr.write(`prospector: --signal expects a signal id, got ${o.signal}\n`);
    process.exitCode = 1;
    return;
  }
  const ctx = await openContext({ boss: false });
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const result = await draftSignal(
      { db: ctx.db, config: ctx.config, log: ctx.log, llm: ctx.llm, signal: abort.signal },
      signalId,
      { redraft: true },
    );
    const facts = new Map<number, FactRow>();
    for (const d of result.drafts) {
      const seq = await one(ctx.db, findSequence(d.sequenceId));
      const dossier = seq ? await one(ctx.db, findDossier(seq.signal_id!, seq.contact_id!)) : undefined;
      if (dossier) for (const f of await run(ctx.db, factsOfDossier(dossier.id))) facts.set(f.id, f);
    }
    if (o.json) {
      process.stdout.write(
        JSON.stringify(
          {
            signalId,
            status: result.status,
            drafts: result.drafts.map((d) => ({
              sequenceId: d.sequenceId,
              version: d.version,
              applied: d.applied,
              drafter: d.outcome.source,
              promptVersion: d.outcome.promptVersion,
              steps: d.outcome.draft.steps.map((s) => ({
                ...s,
                citations: s.citedFactIds.map((id) =>
                  facts.get(id)
                    ? { id, text: facts.get(id)!.text, sourceUrl: facts.get(id)!.source_url }
                    : { id, missing: true },
                ),
              })),
              gates: d.outcome.gateResults,
              failures: d.outcome.failures,
              usage: d.outcome.usage,
            })),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      process.stdout.write(formatDrafts(result, facts) + '\n');
    }
    if (result.drafts.some((d) => d.outcome.failures.length)) process.exitCode = 3;
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`prospector: ${err.message} (${err.code})\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await ctx.stop();
  }
}
