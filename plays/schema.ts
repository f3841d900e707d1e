// A play: which trigger reaches whom, with which sequence. Stored as jsonb on `plays`, each
// saved version kept in `play_versions`.
import { z } from 'zod';
import { Persona } from './personas.js';
import { PlayExperiment } from '../experiments/schema.js';

export const FUNDING_ROUNDS = [
  'pre_seed',
  'seed',
  'series_a',
  'series_b',
  'series_c',
  'series_d',
  'series_e',
  'series_f',
  'series_g',
  'series_h',
  'growth',
  'debt',
  'grant',
] as const;
/** The account's side of an acquisition: buying, being bought, or using the competitor being bought. */
const ACQUISITION_ROLES = ['acquirer', 'target', 'competitor'] as const;
export const INBOUND_EVENTS = ['trial_signup', 'resource_download', 'demo_attended'] as const;

export const Trigger = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('signal'),
    signalType: z.enum(['funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual']),
    /** Signal subtypes accepted (news: launch, leadership_change…; job_change: new_hire, champion_moved); empty = any. */
    subtypes: z.array(z.string()).default([]),
    /** Funding only: the earliest round that counts (e.g. series_a → Series A or later). */
    minRound: z.enum(FUNDING_ROUNDS).optional(),
    /** Hiring only: the role must contain one of these words. */
    roleKeywords: z.array(z.string()).default([]),
    /** Job change only: true = a champion who moved, false = someone new to us; absent = either. */
    champion: z.boolean().optional(),
    /** Acquisition only: the account's side of the deal (buying, being bought); empty = either. */
    acquisitionRoles: z.array(z.enum(ACQUISITION_ROLES)).default([]),
  }),
  z.object({ kind: z.literal('manual') }),
  z.object({ kind: z.literal('inbound'), event: z.enum(INBOUND_EVENTS) }),
]);
export type Trigger = z.infer<typeof Trigger>;

export const Limits = z.object({
  maxContactsPerAccount: z.number().int().min(1).max(10).default(2),
  contactCooldownDays: z.number().int().min(0).max(365).default(90),
  /** Hours between the first sends to the second, third… contact at one account. */
  staggerHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 14)
    .default(24),
});
export type Limits = z.infer<typeof Limits>;

export const PlayDefinition = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  trigger: Trigger,
  personas: z.array(Persona).default([]),
  templateId: z.number().int().positive().nullable().default(null),
  approvalMode: z.enum(['sequence', 'each_step']).nullable().default(null),
  limits: Limits.default(Limits.parse({})),
  enabled: z.boolean().default(true),
  /** Variants and the hold-out group (experiments/); null = neither. */
  experiment: PlayExperiment.nullable().default(null),
});
export type PlayDefinition = z.infer<typeof PlayDefinition>;

interface SignalLike {
  type: string;
  subtype: string | null;
  facts: Record<string, unknown>;
}

const roundIndex = (r: unknown) =>
  FUNDING_ROUNDS.indexOf(
    String(r ?? '')
      .toLowerCase()
      .replace(/[\s-]+/g, '_') as (typeof FUNDING_ROUNDS)[number],
  );

/** Does this trigger fire for this signal? Pure. */
export function triggerMatches(trigger: Trigger, signal: SignalLike): boolean {
  if (trigger.kind === 'manual') return false;
  if (trigger.kind === 'inbound') return signal.type === 'inbound' && signal.subtype === trigger.event;
  if (signal.type !== trigger.signalType) return false;
  if (trigger.subtypes.length && !trigger.subtypes.includes(signal.subtype ?? '')) return false;
  if (trigger.minRound) {
    const i = roundIndex(signal.facts.round);
    // Debt and grants are not "later rounds" of equity: they only match when asked for by name.
    if (
      i < 0 ||
      i < roundIndex(trigger.minRound) ||
      (['debt', 'grant'].includes(FUNDING_ROUNDS[i]!) && FUNDING_ROUNDS[i] !== trigger.minRound)
    )
      return false;
  }
  if (trigger.champion !== undefined && Boolean(signal.facts.champion) !== trigger.champion) return false;
  if (trigger.acquisitionRoles.length && !trigger.acquisitionRoles.includes(signal.facts.accountRole as never))
    return false;
  if (trigger.roleKeywords.length) {
    const role = ` ${String(signal.facts.role ?? signal.facts.title ?? '').toLowerCase()} `;
    if (
      !trigger.roleKeywords.some((k) =>
        new RegExp(`\\b${k.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(role),
      )
    )
      return false;
  }
  return true;
}
