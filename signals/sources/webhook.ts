// Pushed signals: providers POST /api/signals with the body signed by the source's secret
//   X-Prospector-Source: <source id>
//   X-Prospector-Signature: sha256=<hex HMAC-SHA256 of the raw body>
// Body: one event or { "events": [...] } (at most 500), each either
//   { "type": "job_change", "person": { "name", "email"?, "linkedinUrl"? }, "newTitle"?,
//     "newCompany": { "name", "domain"? }, "previousCompany"?: { "name", "domain"? },
//     "startDate"?: "YYYY-MM-DD", "url"? }
//   { "type": "funding" | "news" | "hiring", "title", "summary"?, "url"?,
//     "company"?: { "name", "domain"? }, "occurredAt"?, "facts"? }
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RawItem, SourceModule } from '../types.js';

const Company = z.object({ name: z.string().trim().min(1).max(300), domain: z.string().trim().max(253).optional() });

export const JobChangeEvent = z.object({
  type: z.literal('job_change'),
  id: z.string().max(200).optional(),
  person: z.object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().max(254).optional(),
    linkedinUrl: z.string().max(500).optional(),
  }),
  newTitle: z.string().trim().max(300).optional(),
  newCompany: Company,
  previousCompany: Company.optional(),
  startDate: z.string().max(40).optional(),
  url: z.string().max(2000).optional(),
});
export type JobChangeEvent = z.infer<typeof JobChangeEvent>;

export const ItemEvent = z.object({
  type: z.enum(['funding', 'news', 'hiring', 'acquisition']),
  id: z.string().max(200).optional(),
  title: z.string().trim().min(1).max(500),
  summary: z.string().max(5000).default(''),
  url: z.string().max(2000).optional(),
  company: Company.optional(),
  occurredAt: z.string().max(40).optional(),
  facts: z.record(z.string(), z.unknown()).optional(),
});

const WebhookEvent = z.discriminatedUnion('type', [JobChangeEvent, ItemEvent]);
export const WebhookPayload = z
  .union([z.object({ events: z.array(WebhookEvent).min(1).max(500) }), WebhookEvent])
  .transform((p) => ('events' in p ? p.events : [p]));
type WebhookEvent = z.infer<typeof WebhookEvent>;

/** Constant-time check of "sha256=<hex>" (the prefix is optional) against the raw body. */
export function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const given = Buffer.from(header.trim().replace(/^sha256=/i, ''), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signBody(secret: string, rawBody: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** A non-job-change event as an item for the ordinary pipeline. */
export function eventItem(e: z.infer<typeof ItemEvent>): RawItem {
  const at = e.occurredAt ? new Date(e.occurredAt) : null;
  return {
    key: e.id ?? e.url ?? e.title,
    title: e.title,
    summary: e.summary,
    url: e.url ?? null,
    publishedAt: at && !Number.isNaN(at.getTime()) ? at : null,
    links: e.url ? [e.url] : [],
    type: e.type,
    facts: e.facts,
    company: e.company,
  };
}

export const webhookSource: SourceModule<{ accountId?: number }> = {
  kind: 'webhook',
  label: 'Signed webhook (job changes and other events)',
  polled: false,
  config: z.object({ accountId: z.number().int().positive().optional() }),
};

export const manualSource: SourceModule<Record<string, never>> = {
  kind: 'manual',
  label: 'Manual entry',
  polled: false,
  config: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
};
