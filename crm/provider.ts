// The one interface both CRMs implement (issue 14). The core (crm/sync-in.ts, crm/outbound.ts, the
// pages and the CLI) only ever talks to a CrmProvider and the normalised records below; it never
// knows HubSpot's or Salesforce's shapes. A provider is built per connection by crm/registry.ts
// from its `kind`.
//
// What a provider (the Salesforce adapter in crm/salesforce/ included) must do:
// - Read with the connection's access token and refresh it itself when it expires, through the
//   `tokens` it is given (CrmTokenSource); a refresh the CRM refuses, or a 401/403 that a fresh token
//   does not cure, throws CrmError('unauthorized') — the core then stops the sync with that reason
//   and resumes once someone reconnects. Never log a token.
// - List companies/accounts and contacts modified at or after `cursor.since` (or all when absent),
//   oldest first, one page per call, with `next` to continue; apply the RevOps target filter
//   (`filter`) to companies itself (HubSpot property/list; Salesforce SOQL where-clause/checkbox).
//   Return the raw properties the mapping names in `fields` (the core maps them), plus the
//   normalised fields below. Contacts carry their company's external id.
// - Report merges (mergedIntoId on the merged-away record, or through listRemoved) and deletions.
// - Deals/opportunities: open and closed, with stage and type and their company's external id.
// - Owners: CRM user id → email, so the core matches them to Prospector users by email.
// - Writes: log an email (in or out) and a meeting on the contact and its company, set a contact
//   field, set the CRM's opt-out. Batched where the API allows (writeActivities takes many).
// - Errors: map every failure to CrmError with a `code` from CrmErrorCode; 429 → 'rate_limited' with
//   retryAfterMs from Retry-After; 5xx/network → 'unavailable'; a record the CRM refuses (400/404)
//   → 'invalid' with the CRM's own message in words. The core decides about retries.
// - Base URLs come from config (HUBSPOT_API_URL, SALESFORCE_LOGIN_URL, …) so tests use loopback fakes.

export type CrmKind = 'hubspot' | 'salesforce';
export const CRM_NAMES: Record<CrmKind, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

export type CrmObject = 'company' | 'contact';

/** Property values as the CRM sends them (strings or null), keyed by the CRM's property name. */
export type CrmFields = Record<string, string | null | undefined>;

export interface CrmCompany {
  externalId: string;
  /** The raw properties asked for (the mapping's names), for the core's field mapping and preview. */
  fields: CrmFields;
  ownerId: string | null;
  /** Lifecycle stage 'customer' (HubSpot) / Account Type 'Customer…' (Salesforce). */
  isCustomer: boolean;
  lifecycle: string | null;
  modifiedAt: Date;
  /** Set on a merged-away record: the survivor's external id. */
  mergedIntoId?: string | null;
  /** Set on a survivor: the ids merged into it (HubSpot hs_merged_object_ids). */
  mergedIds?: string[];
  deleted?: boolean;
}

export interface CrmContact {
  externalId: string;
  fields: CrmFields;
  email: string | null;
  companyExternalId: string | null;
  ownerId: string | null;
  /** hs_email_optout / HasOptedOutOfEmail. */
  optedOut: boolean;
  modifiedAt: Date;
  mergedIntoId?: string | null;
  mergedIds?: string[];
  deleted?: boolean;
}

export interface CrmDeal {
  externalId: string;
  name: string;
  companyExternalId: string | null;
  /** Stage id/API name (HubSpot dealstage, Salesforce StageName). */
  stage: string;
  type: string | null;
  isClosed: boolean;
  modifiedAt: Date;
  deleted?: boolean;
}

export interface CrmOwner {
  id: string;
  email: string;
  name: string;
}

export interface CrmTargetFilter {
  /** all: every company; property: `property` equals `value`; list: member of list `value` (HubSpot list id,
   *  Salesforce list view id); where: a SOQL where-clause (Salesforce only). */
  type: 'all' | 'property' | 'list' | 'where';
  property?: string;
  value?: string;
}

export interface ListCursor {
  /** Records modified at or after this time; absent for a full (re)sync. */
  since?: Date;
  /** The provider's own continuation token from the previous page's `next`. */
  after?: string;
}

export interface ListOptions {
  /** CRM property names to return in `fields`. */
  fields: string[];
  /** Companies only. */
  filter?: CrmTargetFilter;
  /** Page size hint (HubSpot caps at 100 for search, 100 for list; Salesforce up to 2,000). */
  limit?: number;
}

export interface Page<T> {
  records: T[];
  next?: string;
}

export interface CrmEmailActivity {
  type: 'email';
  direction: 'out' | 'in';
  subject: string;
  body: string;
  from: string;
  to: string;
  at: Date;
  /** Our thread key (the first message's Message-ID), so the CRM can thread them. */
  threadId: string | null;
  messageId: string | null;
  contactExternalId: string;
  companyExternalId: string | null;
  ownerId?: string | null;
}

export interface CrmMeetingActivity {
  type: 'meeting';
  title: string;
  body: string;
  startAt: Date;
  endAt: Date;
  contactExternalId: string;
  companyExternalId: string | null;
  ownerId?: string | null;
}

export type CrmActivity = CrmEmailActivity | CrmMeetingActivity;

export interface ActivityWrite {
  /** Our idempotency key ('email:msg:42'); returned with the result. */
  key: string;
  activity: CrmActivity;
}

/** Our key on an activity written to a CRM (Salesforce Description, HubSpot meeting notes / email headers). */
export const activityMarker = (key: string) => `[prospector:${key}]`;

/** The keys of activityMarker() found in a text. */
export const markedKeys = (text: string | null | undefined): string[] =>
  [...(text ?? '').matchAll(/\[prospector:([^\]\s]+)\]/g)].map((m) => m[1]!);

export type ActivityResult = { key: string; externalId: string } | { key: string; error: CrmError };

type CrmErrorCode = 'unauthorized' | 'rate_limited' | 'invalid' | 'unavailable';

/** A CRM failure in our words. `message` is safe to show to a person (never a token). */
export class CrmError extends Error {
  readonly code: CrmErrorCode;
  readonly retryAfterMs?: number;
  readonly status?: number;
  constructor(
    code: CrmErrorCode,
    message: string,
    opts: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'CrmError';
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }
}

export const isCrmError = (err: unknown, code?: CrmErrorCode): err is CrmError =>
  err instanceof CrmError && (code === undefined || err.code === code);

export interface CrmProvider {
  readonly kind: CrmKind;
  /** Who we are connected as (portal id / org id + user), checked on connect. */
  whoAmI(): Promise<{ account: string; label: string }>;
  /** The default field mapping for this CRM (crm/mapping.ts documents the Prospector fields). */
  defaultMapping(): CrmMapping;
  listCompanies(cursor: ListCursor, opts: ListOptions): Promise<Page<CrmCompany>>;
  listContacts(cursor: ListCursor, opts: ListOptions): Promise<Page<CrmContact>>;
  listDeals(cursor: ListCursor): Promise<Page<CrmDeal>>;
  /** Records deleted (and merged away, when the CRM reports merges that way) since `since`. */
  listRemoved(object: CrmObject, since: Date): Promise<{ externalId: string; mergedIntoId: string | null }[]>;
  getOwners(): Promise<CrmOwner[]>;
  /** Many activities at once; one result per input, in any order. Throws only for whole-call failures. */
  writeActivities(writes: ActivityWrite[]): Promise<ActivityResult[]>;
  /**
   * Which of these writes the CRM already holds (our key → the CRM's id), found by the marker each
   * written activity carries (activityMarker). Asked before a write whose earlier attempt may have
   * been committed by the CRM with its answer lost (a 5xx or timeout after the commit, a crash).
   */
  findWritten(writes: ActivityWrite[]): Promise<Map<string, string>>;
  /**
   * How long after a write findWritten may still miss it (HubSpot's search index lags writes); 0 or
   * absent: the lookup sees a committed write at once. A write whose answer was lost is looked up
   * again only after this, so a record the CRM holds but does not show yet is not created twice.
   */
  readonly lookupLagMs?: number;
  updateContactField(contactExternalId: string, field: string, value: string): Promise<void>;
  /** Marks the address opted out of all email in the CRM. */
  setOptOut(contactExternalId: string, email: string, reason: string): Promise<void>;
  /** Finds the contact by email or creates it; its CRM id. Absent: this CRM cannot create contacts here yet. */
  createContact?(c: NewCrmContact): Promise<string>;
}

/** A person a rep emailed, to create in the CRM (crm/create-contacts.ts). */
export interface NewCrmContact {
  /** Our idempotency key ('contact:create:<contacts.id>'). */
  key: string;
  email: string;
  /** CRM property name → value, through the contact mapping; empty values left out. */
  properties: Record<string, string>;
  companyExternalId: string | null;
}

/** Prospector field → CRM property name, per object. Empty string: not mapped. */
export interface CrmMapping {
  company: {
    name: string;
    domain: string;
    country: string;
    timeZone: string;
    tags: string;
    /** The property holding the owner's CRM user id; absent or '': the record's own owner. */
    owner?: string;
    /** Kept per account for the dashboard's funnel filter (crm/mapping.ts CRM_FIELDS); '' or absent: not mapped. */
    segment?: string;
    industry?: string;
  };
  contact: {
    /** As the company's owner: absent or '' means the record's own owner. */
    owner?: string;
    email: string;
    firstName: string;
    lastName: string;
    title: string;
    timeZone: string;
    country: string;
    /** The contact field the sequence status is written to (out). Empty: not written. */
    sequenceStatus: string;
  };
}

/** How a provider gets a usable access token (crm/tokens.ts): refreshes and persists under a lock. */
export interface CrmTokenSource {
  /** A token good for at least a minute; `forceRefresh` after a 401. Throws CrmError('unauthorized'). */
  accessToken(forceRefresh?: boolean): Promise<string>;
  /** The instance URL the token belongs to (Salesforce); the configured API base otherwise. */
  instanceUrl(): string | null;
}
