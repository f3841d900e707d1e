// Creating and editing plays. Every save bumps the version and keeps the definition.
import type { Database, Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { findPlay, insertPlay, insertPlayVersion, listPlays, updatePlay, type PlayRow } from '../db/queries/plays.js';
import { AppError } from '../errors.js';
import { issues } from '../zod-message.js';
import { labelClash } from '../experiments/schema.js';
import { DEFAULT_PLAYS } from './defaults.js';
import { PlayDefinition } from './schema.js';

export function toDefinition(p: PlayRow): PlayDefinition {
  return PlayDefinition.parse({
    name: p.name,
    description: p.description,
    trigger: p.trigger,
    personas: p.personas,
    templateId: p.template_id,
    approvalMode: p.approval_mode,
    limits: p.limits,
    enabled: p.enabled,
    experiment: p.experiment ?? null,
  });
}

/** A play definition, or a VALIDATION error in words ("Name must not be empty; Limits max contacts per account must be at most 10"). */
function definitionOf(input: unknown): PlayDefinition {
  const parsed = PlayDefinition.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION', issues(parsed.error));
  // Checked on save, not in the schema: a stored experiment is read as it is (toDefinition never throws).
  const clash = labelClash('Experiment variants', parsed.data.experiment?.variants ?? []);
  if (clash) throw new AppError('VALIDATION', clash);
  return parsed.data;
}

const row = (d: PlayDefinition) => ({
  name: d.name,
  description: d.description,
  trigger: d.trigger,
  personas: d.personas,
  templateId: d.templateId,
  approvalMode: d.approvalMode,
  limits: d.limits,
  enabled: d.enabled,
  experiment: d.experiment,
});

export async function createPlay(
  db: Queryable,
  workspaceId: number,
  input: unknown,
  userId: number | null,
): Promise<PlayRow> {
  const def = definitionOf(input);
  const p = (await one(db, insertPlay(workspaceId, row(def))))!;
  await run(db, insertPlayVersion(p.id, p.version, def, userId));
  return p;
}

export async function editPlay(
  db: Database,
  workspaceId: number,
  id: number,
  expectedVersion: number,
  input: unknown,
  userId: number | null,
): Promise<PlayRow> {
  // A definition without `experiment` (the play form, an older API client) keeps the play's own;
  // the version check below still refuses a save over someone else's.
  if (input && typeof input === 'object' && !('experiment' in input)) {
    const current = await one(db, findPlay(workspaceId, id));
    input = { ...input, experiment: current?.experiment ?? null };
  }
  const def = definitionOf(input);
  return db.transaction(async (tx) => {
    const p = await one(tx, updatePlay(workspaceId, id, expectedVersion, row(def)));
    if (!p) {
      const current = await one(tx, findPlay(workspaceId, id));
      if (!current) throw new AppError('NOT_FOUND', `No play ${id}.`);
      throw new AppError(
        'CONFLICT',
        `Play ${id} was changed by someone else (now version ${current.version}); reload and apply your change again.`,
      );
    }
    await run(tx, insertPlayVersion(p.id, p.version, def, userId));
    return p;
  });
}

/** Gives a workspace the default plays, once. */
export async function seedDefaultPlays(
  db: Queryable,
  workspaceId: number,
  templateId: number | null = null,
): Promise<number> {
  if ((await run(db, listPlays(workspaceId))).length) return 0;
  for (const d of DEFAULT_PLAYS) await createPlay(db, workspaceId, { ...d, templateId }, null);
  return DEFAULT_PLAYS.length;
}
