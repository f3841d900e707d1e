// What a drafter returns, and everything it is given. The zod schema and its type share a name.
import type { Angle } from './offline-plan.js';
import { z } from 'zod';
import type { TemplateStep } from '../db/queries/templates.js';

export const DraftedStep = z.object({
  subject: z.string().describe('Subject line; empty for a follow-up that stays in the same thread'),
  body: z
    .string()
    .min(1)
    .describe('Plain-text body: greeting and message only, no signature, footer or unsubscribe line'),
  citedFactIds: z.array(z.number().int()).describe('Ids of the research facts this step relies on'),
});
export type DraftedStep = z.infer<typeof DraftedStep>;

export const DraftedSequence = z.object({
  steps: z.array(DraftedStep).min(1),
});
export type DraftedSequence = z.infer<typeof DraftedSequence>;

export interface Playbook {
  company?: string;
  whoWeAre?: string;
  valueProps?: string[];
  proofPoints?: string[];
  tone?: string;
  bannedPhrases?: string[];
  callToAction?: string;
  senderPersona?: string;
}

export interface DraftFact {
  id: number;
  kind: string;
  text: string;
  sourceUrl: string;
  quote: string;
  flags: string[];
}

/** Everything a drafter and the gates may know. Only `signal`, `facts` and `organization` are untrusted. */
export interface DraftInput {
  signal: {
    id: number;
    type: string;
    subtype: string | null;
    title: string;
    summary: string;
    url: string | null;
    facts: Record<string, unknown>;
  };
  account: { id: number; name: string; domain: string | null; aliases: string[]; country: string | null };
  /** `persona`: the play persona this contact was chosen as; the draft takes an angle for that role. */
  contact: { id: number; firstName: string; lastName: string; title: string; email: string; persona?: string | null };
  /** `emails`: the rep's own addresses (user and mailbox), the only ones besides the contact's a draft may write. */
  sender: { name: string; emails: string[]; bookingUrl: string | null };
  playbook: Playbook;
  /** Text the sender appends (signature, address); the model must not write it. */
  footer: { signature: string; physicalAddress: string };
  organization: Record<string, unknown>;
  facts: DraftFact[];
  steps: TemplateStep[];
  /**
   * Set by experiments (experiments/assign.ts): the variant's directions, or `evergreen` for a
   * held-out contact, whose draft is written without the signal or its research.
   */
  experiment?: {
    instruction?: string;
    stepInstructions?: (string | undefined)[];
    angle?: Angle;
    evergreen?: boolean;
  };
}
