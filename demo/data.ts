// The fictional demo workspace. Every company, person and domain here is invented; domains use
// the reserved `.example` TLD so nothing can ever be sent to a real address.
import type { SendingWindow, TemplateStep } from '../db/queries/templates.js';

export interface DemoAccount {
  name: string;
  domain: string;
  timeZone: string;
  country: string;
  tags: string[];
  aliases?: string[];
  contacts: { first: string; last: string; title: string; timeZone?: string; champion?: boolean }[];
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    name: 'Northwind Analytics',
    domain: 'northwind-analytics.example',
    timeZone: 'America/New_York',
    country: 'US',
    tags: ['saas', 'mid-market'],
    contacts: [
      { first: 'Dana', last: 'Whitfield', title: 'VP of Sales' },
      { first: 'Omar', last: 'Haddad', title: 'Head of RevOps' },
    ],
  },
  {
    name: 'Brightpath Logistics',
    domain: 'brightpath-logistics.example',
    timeZone: 'America/Chicago',
    country: 'US',
    tags: ['logistics'],
    contacts: [{ first: 'Priya', last: 'Raman', title: 'Chief Revenue Officer' }],
  },
  {
    name: 'Kestrel Robotics',
    domain: 'kestrel-robotics.example',
    timeZone: 'America/Los_Angeles',
    country: 'US',
    tags: ['hardware', 'series-b'],
    contacts: [
      { first: 'Marcus', last: 'Lee', title: 'Director of Sales Development' },
      { first: 'Jenna', last: 'Ortiz', title: 'CEO' },
    ],
  },
  {
    name: 'Lumen Health GmbH',
    domain: 'lumen-health.example',
    timeZone: 'Europe/Berlin',
    country: 'DE',
    tags: ['health'],
    aliases: ['Lumen Health'],
    contacts: [{ first: 'Katrin', last: 'Vogel', title: 'Head of Sales DACH' }],
  },
  {
    name: 'Fjord Payments',
    domain: 'fjord-payments.example',
    timeZone: 'Europe/Oslo',
    country: 'NO',
    tags: ['fintech'],
    contacts: [{ first: 'Henrik', last: 'Solberg', title: 'VP Revenue' }],
  },
  {
    name: 'Tessellate Data',
    domain: 'tessellate-data.example',
    timeZone: 'Europe/London',
    country: 'GB',
    tags: ['data', 'enterprise'],
    contacts: [
      { first: 'Amelia', last: 'Clarke', title: 'Sales Director EMEA' },
      { first: 'Ravi', last: 'Patel', title: 'RevOps Manager' },
    ],
  },
  {
    name: 'Orchid Bio',
    domain: 'orchid-bio.example',
    timeZone: 'America/New_York',
    country: 'US',
    tags: ['biotech'],
    contacts: [{ first: 'Grace', last: 'Kim', title: 'Head of Business Development' }],
  },
  {
    name: 'Quarry Security',
    domain: 'quarry-security.example',
    timeZone: 'America/Denver',
    country: 'US',
    tags: ['security', 'series-a'],
    contacts: [
      { first: 'Luis', last: 'Moreno', title: 'VP Sales' },
      { first: 'Tom', last: 'Becker', title: 'SDR Manager' },
    ],
  },
  {
    name: 'Sakura Commerce',
    domain: 'sakura-commerce.example',
    timeZone: 'Asia/Tokyo',
    country: 'JP',
    tags: ['ecommerce'],
    contacts: [{ first: 'Yuki', last: 'Tanaka', title: 'Head of Growth' }],
  },
  {
    name: 'Banyan Learning',
    domain: 'banyan-learning.example',
    timeZone: 'Asia/Kolkata',
    country: 'IN',
    tags: ['edtech'],
    contacts: [{ first: 'Ananya', last: 'Iyer', title: 'Chief Commercial Officer' }],
  },
  {
    name: 'Coral Reef Energy',
    domain: 'coral-reef-energy.example',
    timeZone: 'Australia/Sydney',
    country: 'AU',
    tags: ['energy'],
    contacts: [{ first: 'Jack', last: 'Murray', title: 'National Sales Manager' }],
  },
  {
    name: 'Pinecrest Software',
    domain: 'pinecrest-software.example',
    timeZone: 'America/Toronto',
    country: 'CA',
    tags: ['saas'],
    contacts: [{ first: 'Sophie', last: 'Tremblay', title: 'VP of Revenue Operations' }],
  },
  {
    name: 'Atlas Freight',
    domain: 'atlas-freight.example',
    timeZone: 'America/Sao_Paulo',
    country: 'BR',
    tags: ['logistics'],
    contacts: [{ first: 'Beatriz', last: 'Souza', title: 'Diretora Comercial' }],
  },
  {
    name: 'Meridian Insurance',
    domain: 'meridian-insurance.example',
    timeZone: 'Europe/Paris',
    country: 'FR',
    tags: ['insurance', 'enterprise'],
    contacts: [{ first: 'Camille', last: 'Durand', title: 'Head of Sales' }],
  },
  {
    name: 'Helix Materials',
    domain: 'helix-materials.example',
    timeZone: 'Europe/Amsterdam',
    country: 'NL',
    tags: ['manufacturing'],
    contacts: [{ first: 'Daan', last: 'de Vries', title: 'Commercial Director' }],
  },
  {
    name: 'Vantage Cloud',
    domain: 'vantage-cloud.example',
    timeZone: 'America/Los_Angeles',
    country: 'US',
    tags: ['infrastructure', 'series-c'],
    contacts: [
      { first: 'Nina', last: 'Park', title: 'VP Sales', champion: true },
      { first: 'Eli', last: 'Goldberg', title: 'Sales Engineer' },
    ],
  },
  {
    name: 'Cobalt Media',
    domain: 'cobalt-media.example',
    timeZone: 'Europe/Madrid',
    country: 'ES',
    tags: ['media'],
    contacts: [{ first: 'Lucía', last: 'Fernández', title: 'Directora de Ventas' }],
  },
  {
    name: 'Summit Outdoor Co',
    domain: 'summit-outdoor.example',
    timeZone: 'America/Denver',
    country: 'US',
    tags: ['retail'],
    contacts: [{ first: 'Ben', last: 'Carter', title: 'Head of Partnerships' }],
  },
  {
    name: 'Nimbus AI',
    domain: 'nimbus-ai.example',
    timeZone: 'America/New_York',
    country: 'US',
    tags: ['ai', 'seed'],
    contacts: [{ first: 'Zoe', last: 'Adams', title: 'Co-founder & CEO' }],
  },
  {
    name: 'Granite Legal',
    domain: 'granite-legal.example',
    timeZone: 'Europe/Dublin',
    country: 'IE',
    tags: ['legaltech'],
    contacts: [{ first: 'Aoife', last: 'Byrne', title: 'Head of Revenue' }],
  },
];

/** Known-good shape: opener, three follow-ups, break-up on days 0, 3, 7, 12, 18. */
export const DEFAULT_TEMPLATE_STEPS: TemplateStep[] = [
  { kind: 'opener', delayDays: 0 },
  { kind: 'follow_up', delayDays: 3 },
  { kind: 'follow_up', delayDays: 4 },
  { kind: 'follow_up', delayDays: 5 },
  { kind: 'breakup', delayDays: 6 },
];
export const DEFAULT_WINDOW: SendingWindow = { days: [2, 3, 4], start: '09:00', end: '11:00' };
export const FALLBACK_WINDOW: SendingWindow = { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' };

export const DEMO_PLAYBOOK = {
  company: 'Prospector Demo Co',
  whoWeAre: 'We help revenue teams turn buying signals into timely, relevant outreach.',
  valueProps: [
    'Reps spend their time on accounts that are in motion now',
    'Every email cites a verifiable reason to write',
  ],
  proofPoints: ['A 40-rep team cut research time per account from 20 minutes to 3'],
  tone: 'plain, specific, brief; no hype',
  bannedPhrases: ['just following up', 'touching base', 'circle back', 'synergy'],
  callToAction: 'a 20-minute call next week',
  senderPersona: 'an account executive who has done the homework',
};
