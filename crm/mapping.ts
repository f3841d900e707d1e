// The field mapping (Settings → CRM): which CRM property feeds which Prospector field, and the
// pure step that turns one CRM record into the account/contact input our writers take. The sync,
// the dry run and the mapping preview all go through `mapCompany` / `mapContact`.
import { z } from 'zod';
import { isEmail, isTimeZone, normalizeDomain, singleLine, splitList } from '../accounts/normalize.js';
import { zoneFromAddress } from '../research/timezone.js';
import type { CrmCompany, CrmContact, CrmFields, CrmMapping, CrmTargetFilter } from './provider.js';

const prop = z
  .string()
  .trim()
  .max(100)
  .regex(/^[\w.-]*$/, 'a CRM property name (letters, digits, _ . -)');

export const MappingInput = z.object({
  company: z
    .object({
      name: prop,
      domain: prop,
      country: prop,
      timeZone: prop,
      tags: prop,
      owner: prop,
      segment: prop,
      industry: prop,
    })
    .partial()
    .default({}),
  contact: z
    .object({
      email: prop,
      owner: prop,
      firstName: prop,
      lastName: prop,
      title: prop,
      timeZone: prop,
      country: prop,
      sequenceStatus: prop,
    })
    .partial()
    .default({}),
});

export const TargetFilterInput = z.object({
  type: z.enum(['all', 'property', 'list', 'where']).default('all'),
  property: prop.optional(),
  value: z.string().trim().max(500).optional(),
});

/** RevOps rules: which open deals hold an account out of new sequences, and whether customers are held. */
export const RulesInput = z.object({
  heldStages: z.array(z.string().trim().min(1).max(100)).default([]),
  heldTypes: z.array(z.string().trim().min(1).max(100)).default([]),
  holdCustomers: z.boolean().default(true),
});
type CrmRules = z.infer<typeof RulesInput>;

export const COMPANY_FIELDS = [
  'name',
  'domain',
  'owner',
  'country',
  'timeZone',
  'tags',
  'segment',
  'industry',
] as const;
export const CONTACT_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'title',
  'owner',
  'timeZone',
  'country',
  'sequenceStatus',
] as const;
/** Account fields kept only to filter the funnel by (account_crm_fields), from the company mapping. */
export const CRM_FIELDS = ['segment', 'industry'] as const;
export type CrmField = (typeof CRM_FIELDS)[number];

/** Every field present: the optional ones ('' = the record's own owner / not mapped) filled in. */
export interface FullMapping {
  company: Required<CrmMapping['company']>;
  contact: Required<CrmMapping['contact']>;
}

/** The saved mapping over the CRM's defaults: a field left out keeps the default, '' unmaps it. */
export function effectiveMapping(defaults: CrmMapping, saved: unknown): FullMapping {
  const m = MappingInput.safeParse(saved ?? {});
  const s = m.success ? m.data : { company: {}, contact: {} };
  return {
    company: { owner: '', segment: '', industry: '', ...defaults.company, ...s.company },
    contact: { owner: '', ...defaults.contact, ...s.contact },
  };
}

export const effectiveFilter = (saved: unknown): CrmTargetFilter => {
  const f = TargetFilterInput.safeParse(saved ?? {});
  return f.success ? f.data : { type: 'all' };
};

export const effectiveRules = (saved: unknown): CrmRules => {
  const r = RulesInput.safeParse(saved ?? {});
  return r.success ? r.data : RulesInput.parse({});
};

export const companyProperties = (m: CrmMapping) => Object.values(m.company).filter(Boolean);
export const contactProperties = (m: CrmMapping) => Object.values(m.contact).filter(Boolean);

const val = (fields: Record<string, string | null | undefined>, name: string): string =>
  name ? singleLine(fields[name] ?? '') : '';

/** The owner's email: the CRM user named by the mapped property (an owner id), else the record's own owner. */
function ownerEmail(prop: string, r: { fields: CrmFields; ownerId: string | null }, owners: Map<string, string>) {
  const id = prop ? val(r.fields, prop) : (r.ownerId ?? '');
  return id ? (owners.get(id) ?? null) : null;
}

interface MappedCompany {
  name: string;
  domain: string | null;
  country: string | null;
  timeZone: string | null;
  tags: string[];
  ownerEmail: string | null;
  /** Segment/industry as the CRM names them; null when not mapped or empty. */
  crm: Record<CrmField, string | null>;
}

interface MappedContact {
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  timeZone: string | null;
  ownerEmail: string | null;
}

type Mapped<T> = { ok: true; value: T } | { ok: false; error: string };

export function mapCompany(m: FullMapping, r: CrmCompany, owners: Map<string, string>): Mapped<MappedCompany> {
  const name = val(r.fields, m.company.name) || val(r.fields, m.company.domain);
  if (!name) return { ok: false, error: `no name (property "${m.company.name}" is empty)` };
  const rawDomain = val(r.fields, m.company.domain);
  const domain = rawDomain ? (normalizeDomain(rawDomain) ?? null) : null;
  const tz = val(r.fields, m.company.timeZone);
  return {
    ok: true,
    value: {
      name: name.slice(0, 200),
      domain,
      country: val(r.fields, m.company.country) || null,
      timeZone: tz && isTimeZone(tz) ? tz : null,
      tags: splitList(val(r.fields, m.company.tags)),
      ownerEmail: ownerEmail(m.company.owner, r, owners),
      crm: {
        segment: val(r.fields, m.company.segment).slice(0, 200) || null,
        industry: val(r.fields, m.company.industry).slice(0, 200) || null,
      },
    },
  };
}

/** The mapped email property wins; a contact with it empty keeps the CRM's primary address. */
export function mapContact(m: FullMapping, r: CrmContact, owners: Map<string, string>): Mapped<MappedContact> {
  const email = (val(r.fields, m.contact.email) || (r.email ?? '')).trim().toLowerCase();
  if (!email) return { ok: false, error: `no email address (property "${m.contact.email}" is empty)` };
  if (!isEmail(email)) return { ok: false, error: `"${email.slice(0, 100)}" is not an email address` };
  // No time zone of its own: a country with one zone gives it (as research does for accounts).
  const ownTz = val(r.fields, m.contact.timeZone);
  const tz =
    ownTz && isTimeZone(ownTz) ? ownTz : (zoneFromAddress({ country: val(r.fields, m.contact.country) }) ?? '');
  return {
    ok: true,
    value: {
      email,
      firstName: val(r.fields, m.contact.firstName).slice(0, 100),
      lastName: val(r.fields, m.contact.lastName).slice(0, 100),
      title: val(r.fields, m.contact.title).slice(0, 200),
      timeZone: tz || null,
      ownerEmail: ownerEmail(m.contact.owner, r, owners),
    },
  };
}
