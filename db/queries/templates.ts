import type { Sql } from '../types.js';

export interface TemplateStep {
  kind: 'opener' | 'follow_up' | 'breakup';
  delayDays: number;
  newThread?: boolean;
  branch?: { when: 'clicked' | 'not_clicked'; tag?: string } | null;
  /** A/B variants of this step (experiments/schema.ts `Variant`): 2–4, the same count on every step that has them. */
  variants?: { label: string; instruction: string; angle?: string }[];
}
export interface SendingWindow {
  days: number[];
  start: string;
  end: string;
}

/** A row of sequence_templates. */
export interface SequenceTemplateRow {
  id: number;
  workspace_id: number;
  name: string;
  description: string;
  steps: TemplateStep[];
  sending_window: SendingWindow;
  fallback_window: SendingWindow | null;
  fallback_after_days: number;
  approval_mode: 'sequence' | 'each_step' | null;
  is_default: boolean;
  version: number;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface TemplateInput {
  name: string;
  description: string;
  steps: unknown[];
  window: unknown;
  fallback: unknown;
  fallbackAfterDays: number;
  isDefault: boolean;
}

/** A template's fields as query values, in column order: name through is_default. */
const templateValues = (t: TemplateInput) => [
  t.name,
  t.description,
  JSON.stringify(t.steps),
  JSON.stringify(t.window),
  t.fallback ? JSON.stringify(t.fallback) : null,
  t.fallbackAfterDays,
  t.isDefault,
];

export const insertTemplateRow = (workspaceId: number, t: TemplateInput): Sql<SequenceTemplateRow> => ({
  text: `INSERT INTO sequence_templates
           (workspace_id, name, description, steps, sending_window, fallback_window, fallback_after_days, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
  values: [workspaceId, ...templateValues(t)],
});

/** Bumps the template's version so sequences drafted from the old one can tell. */
export const updateTemplateRow = (workspaceId: number, id: number, t: TemplateInput): Sql<SequenceTemplateRow> => ({
  text: `UPDATE sequence_templates SET name = $3, description = $4, steps = $5, sending_window = $6, fallback_window = $7,
                fallback_after_days = $8, is_default = $9, version = version + 1, updated_at = now()
          WHERE workspace_id = $1 AND id = $2 RETURNING *`,
  values: [workspaceId, id, ...templateValues(t)],
});

export const listTemplates = (workspaceId: number): Sql<{ id: number; name: string }> => ({
  text: `SELECT * FROM sequence_templates WHERE workspace_id = $1 AND archived_at IS NULL ORDER BY is_default DESC, name`,
  values: [workspaceId],
});
