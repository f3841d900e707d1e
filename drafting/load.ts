// What a draft is written from, read from the database: the sequences a researched signal gets
// (one per dossier contact, from the play's template, with owner, mailbox, approval mode and
// experiment arm) and, for one sequence, the drafter's input (signal, account, contact, sender,
// playbook, unflagged facts, steps). The writer (service.ts) prompts, parses, gates and saves.
import { one, run, type Database, type Queryable } from '../db/index.js';
import * as q from '../db/queries/drafting.js';
import { dossiersOfSignal, factsOfDossier } from '../db/queries/research.js';
import { findSequence, listSteps, type SequenceRow, type StepRow } from '../db/queries/sequencing.js';
import { findSignalInAnyWorkspace } from '../db/queries/signals.js';
import { workspaceSettings } from '../db/queries/step-approval.js';
import { AppError } from '../errors.js';
import { applyExperiment, assignerFor } from '../experiments/service.js';
import { resolveApprovalMode } from '../plays/approval-mode.js';
import type { DraftInput, Playbook } from './schema.js';

/** What preparing a signal came to: sequences to draft, a wait for a contact, or nothing to do. */
export type PrepareStatus = 'needs_contact' | 'drafted' | 'skipped';

const DRAFTABLE = ['researched', 'drafting', 'drafted'];

/** Creates (once) the sequence for every dossier contact of a signal. */
export async function prepareSequences(
  db: Database,
  signalId: number,
): Promise<{ status: PrepareStatus; sequences: SequenceRow[] }> {
  return db.transaction(async (tx) => {
    const signal = await one(tx, q.lockSignal(signalId));
    if (!signal) throw new AppError('NOT_FOUND', `signal ${signalId} not found`);
    if (!DRAFTABLE.includes(signal.status)) return { status: 'skipped' as const, sequences: [] };
    const dossiers = (await run(tx, dossiersOfSignal(signalId))).filter((d) => d.contact_id != null);
    if (!dossiers.length) {
      const anyDossier = (await run(tx, dossiersOfSignal(signalId))).length > 0;
      if (!anyDossier) throw new AppError('STATE', `signal ${signalId} has no dossier yet; research it first`);
      await run(tx, q.setSignalStatus(signalId, DRAFTABLE, 'needs_contact'));
      return { status: 'needs_contact' as const, sequences: [] };
    }
    const template = await one(tx, q.templateForPlay(signal.workspace_id, signal.play_id ?? null));
    if (!template) throw new AppError('STATE', `workspace ${signal.workspace_id} has no sequence template`);
    const wsSettings = (await one(tx, workspaceSettings(signal.workspace_id)))?.settings;
    // Hold-out arm and variant are drawn here, once per new sequence, before any drafting.
    const assigner = await assignerFor(tx, signal, template.steps);
    const sequences: SequenceRow[] = [];
    for (const d of dossiers) {
      const existing = await one(tx, q.findSequenceForSignalContact(signalId, d.contact_id!));
      if (existing) {
        sequences.push(existing);
        continue;
      }
      const accountId = d.account_id ?? signal.account_id;
      const ownerId = accountId ? ((await one(tx, q.accountOwner(accountId)))?.owner_id ?? null) : null;
      const owner = await one(tx, q.pickOwner(signal.workspace_id, ownerId));
      const mailbox = owner ? await one(tx, q.firstMailboxOf(owner.id)) : undefined;
      const assigned = assigner.next();
      const heldOutEmpty = assigned.arm === 'holdout' && assigner.experiment?.holdoutGets === 'nothing';
      const seq = (await one(
        tx,
        q.insertSequence({
          workspaceId: signal.workspace_id,
          signalId,
          accountId: d.account_id ?? signal.account_id,
          contactId: d.contact_id!,
          templateId: template.id,
          ownerId: owner?.id ?? null,
          mailboxId: mailbox?.id ?? null,
          approvalMode: resolveApprovalMode(template.play_approval_mode, template.approval_mode, wsSettings),
          playId: signal.play_id ?? null,
          persona: d.persona ?? null,
          staggerHours: d.stagger_hours ?? 0,
          experiment: assigned,
          stoppedAs: heldOutEmpty ? 'holdout' : undefined,
        }),
      ))!;
      if (!heldOutEmpty)
        for (const [i, step] of template.steps.entries()) await run(tx, q.insertStep(seq.id, i + 1, step));
      sequences.push(seq);
    }
    await run(tx, q.setSignalStatus(signalId, ['researched'], 'drafting'));
    // Everyone held out with nothing to send: there is nothing left to draft for this signal.
    if (sequences.every((s) => s.status !== 'drafting') && sequences.some((s) => s.stop_reason === 'holdout'))
      await run(tx, q.setSignalStatus(signalId, ['drafting'], 'drafted'));
    return { status: 'drafted' as const, sequences };
  });
}

/** Loads what the drafter and the gates may know about one sequence. */
export async function loadDraftInput(
  db: Queryable,
  sequenceId: number,
): Promise<{ input: DraftInput; sequence: SequenceRow; steps: StepRow[] }> {
  const sequence = await one(db, findSequence(sequenceId));
  if (!sequence) throw new AppError('NOT_FOUND', `sequence ${sequenceId} not found`);
  const ctx = await one(db, q.draftContext(sequenceId));
  const signal = sequence.signal_id ? await one(db, findSignalInAnyWorkspace(sequence.signal_id)) : undefined;
  if (!ctx || !signal) throw new AppError('STATE', `sequence ${sequenceId} has no contact or signal to draft from`);
  const dossier = await one(db, q.findDossier(signal.id, ctx.contact_id));
  const facts = dossier ? await run(db, factsOfDossier(dossier.id)) : [];
  const steps = await run(db, listSteps(sequenceId));
  const settings = (ctx.workspace_settings ?? {}) as {
    playbook?: Playbook;
    signature?: string;
    physicalAddress?: string;
  };
  const input: DraftInput = {
    signal: {
      id: signal.id,
      type: signal.type,
      subtype: signal.subtype,
      title: signal.title,
      summary: signal.summary,
      url: signal.url,
      facts: signal.facts ?? {},
    },
    account: {
      id: ctx.account_id ?? 0,
      name: ctx.account_name ?? '',
      domain: ctx.account_domain ?? null,
      aliases: ctx.account_aliases ?? [],
      country: ctx.account_country ?? null,
    },
    contact: {
      id: ctx.contact_id,
      firstName: ctx.first_name,
      lastName: ctx.last_name,
      title: ctx.contact_title,
      email: ctx.contact_email,
      persona: ctx.persona ?? null,
    },
    sender: {
      name: ctx.owner_sender_name?.trim() || (ctx.owner_name ?? ''),
      emails: [ctx.owner_email, ctx.mailbox_email].filter((e): e is string => !!e),
      bookingUrl: ctx.booking_url ?? null,
    },
    playbook: settings.playbook ?? {},
    footer: {
      signature: ctx.owner_signature?.trim() || (settings.signature ?? ''),
      physicalAddress: settings.physicalAddress ?? '',
    },
    organization: dossier?.organization ?? {},
    // A flagged fact (research marks text that reads like instructions) never reaches the model
    // or a draft; leaving it out of the input also leaves it out of what the gates accept.
    facts: facts
      .filter((f) => !(f.flags ?? []).length)
      .map((f) => ({
        id: f.id,
        kind: f.kind,
        text: f.text,
        sourceUrl: f.source_url,
        quote: f.quote,
        flags: f.flags ?? [],
      })),
    steps: steps.map((s) => ({ kind: s.kind, delayDays: s.delay_days, newThread: s.new_thread })),
  };
  await applyExperiment(db, sequenceId, input);
  return { input, sequence, steps };
}
