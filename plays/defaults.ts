// The plays every new workspace starts with. RevOps edit them; each save is a new version.
import { Persona } from './personas.js';
import { PlayDefinition } from './schema.js';

const salesLeaders = Persona.parse({
  name: 'Sales leadership',
  titleKeywords: ['sales', 'revenue', 'commercial', 'business development', 'growth'],
  exclusions: ['engineer', 'intern', 'assistant', 'coordinator'],
  seniorities: ['c_level', 'vp', 'head', 'director'],
});
const revops = Persona.parse({
  name: 'Revenue operations',
  titleKeywords: ['revenue operations', 'sales operations'],
  seniorities: ['vp', 'head', 'director', 'manager'],
});
const sdrLeaders = Persona.parse({
  name: 'SDR leadership',
  titleKeywords: ['sales development', 'business development representative'],
  seniorities: ['head', 'director', 'manager'],
});
const founders = Persona.parse({
  name: 'Founders and CEOs',
  titleKeywords: ['chief executive officer', 'founder', 'co founder'],
  seniorities: ['c_level'],
});

export const DEFAULT_PLAYS: PlayDefinition[] = [
  PlayDefinition.parse({
    name: 'Funding: Series A or later',
    description:
      'New money means new hiring plans and pipeline targets: reach sales leadership while plans are being made.',
    trigger: { kind: 'signal', signalType: 'funding', minRound: 'series_a' },
    personas: [salesLeaders, revops, founders],
  }),
  PlayDefinition.parse({
    name: 'Job change: new leader at a target account',
    description: 'A new sales leader reviews tools in their first 90 days. The person who changed jobs is the contact.',
    trigger: { kind: 'signal', signalType: 'job_change', champion: false },
    limits: { maxContactsPerAccount: 1 },
  }),
  PlayDefinition.parse({
    name: 'Job change: a champion moved',
    description: 'Someone who already knows us arrived at a new company.',
    trigger: { kind: 'signal', signalType: 'job_change', champion: true },
    limits: { maxContactsPerAccount: 1 },
  }),
  PlayDefinition.parse({
    name: 'News: launch, expansion or leadership change',
    trigger: {
      kind: 'signal',
      signalType: 'news',
      subtypes: ['launch', 'expansion', 'leadership_change', 'acquisition', 'partnership'],
    },
    personas: [salesLeaders, founders],
  }),
  PlayDefinition.parse({
    name: 'Acquisition: an account is buying',
    description:
      'An acquirer has two sales teams, two stacks and a board expecting the deal to pay off: ' +
      'reach sales leadership while integration plans are drawn.',
    trigger: { kind: 'signal', signalType: 'acquisition', acquisitionRoles: ['acquirer'] },
    personas: [salesLeaders, revops],
  }),
  PlayDefinition.parse({
    name: 'Acquisition: an account was bought',
    description:
      'A company being bought will review its tools against the new owner’s within months: reach the leaders who will defend theirs.',
    trigger: { kind: 'signal', signalType: 'acquisition', acquisitionRoles: ['target'] },
    personas: [salesLeaders, founders],
  }),
  PlayDefinition.parse({
    name: 'Acquisition: a competitor was bought',
    description:
      'Accounts that use a competitor (tagged competitor:<name>) will hear about new owners, roadmaps and prices: ' +
      'reach the people who chose the tool before the renewal comes up.',
    trigger: { kind: 'signal', signalType: 'acquisition', acquisitionRoles: ['competitor'] },
    personas: [salesLeaders, revops],
  }),
  PlayDefinition.parse({
    name: 'Hiring: building a sales team',
    description: 'Hiring SDRs or sales leaders means a pipeline problem to solve now.',
    trigger: {
      kind: 'signal',
      signalType: 'hiring',
      roleKeywords: ['sdr', 'bdr', 'sales', 'revops', 'revenue', 'account executive'],
    },
    personas: [sdrLeaders, salesLeaders, revops],
  }),
  PlayDefinition.parse({
    name: 'Onboarding: trial signup',
    description: 'Help a new trial user reach their first result.',
    trigger: { kind: 'inbound', event: 'trial_signup' },
    limits: { maxContactsPerAccount: 1, contactCooldownDays: 0 },
  }),
  PlayDefinition.parse({
    name: 'Nurture: resource download',
    description: 'Follow up on what they read with what it means for them.',
    trigger: { kind: 'inbound', event: 'resource_download' },
    limits: { maxContactsPerAccount: 1, contactCooldownDays: 30 },
  }),
  PlayDefinition.parse({
    name: 'Post-demo follow-up',
    description: 'Recap the demo and agree the next step while it is fresh.',
    trigger: { kind: 'inbound', event: 'demo_attended' },
    limits: { maxContactsPerAccount: 1, contactCooldownDays: 0 },
  }),
  PlayDefinition.parse({
    name: 'Re-engagement (manual)',
    description: 'A rep picks contacts who went quiet and writes to them with something new.',
    trigger: { kind: 'manual' },
    limits: { maxContactsPerAccount: 3, contactCooldownDays: 60 },
  }),
];
