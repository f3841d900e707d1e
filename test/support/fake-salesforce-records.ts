// The fake Salesforce org's objects: which fields each sobject has, id prefixes, required fields, and
// saving one record as the REST API does (unknown field → INVALID_FIELD, a reference to a record that
// does not exist → INVALID_CROSS_REFERENCE_KEY, a missing required field → REQUIRED_FIELD_MISSING,
// an update of a deleted record → ENTITY_IS_DELETED). Used by test/support/fake-salesforce.ts.
import type { SfRecord, SfValue } from './fake-salesforce-soql.js';

export type SfType = 'Account' | 'Contact' | 'User' | 'Opportunity' | 'Task' | 'Event';

const BASE_FIELDS = ['Id', 'IsDeleted', 'LastModifiedDate', 'CreatedDate', 'SystemModstamp'];
export const FIELDS: Record<SfType, string[]> = {
  Account: [...BASE_FIELDS, 'Name', 'Website', 'OwnerId', 'BillingCountry', 'Type', 'Industry', 'MasterRecordId'],
  Contact: [
    ...BASE_FIELDS,
    ...[
      'AccountId',
      'Email',
      'FirstName',
      'LastName',
      'Title',
      'HasOptedOutOfEmail',
      'OwnerId',
      'MasterRecordId',
      'MailingCountry',
    ],
  ],
  User: [...BASE_FIELDS, 'Email', 'Name', 'IsActive'],
  Opportunity: [...BASE_FIELDS, 'Name', 'AccountId', 'StageName', 'Type', 'IsClosed', 'IsWon', 'CloseDate'],
  Task: [
    ...BASE_FIELDS,
    ...['Subject', 'Description', 'WhoId', 'WhatId', 'TaskSubtype', 'ActivityDate', 'Status', 'OwnerId', 'Priority'],
  ],
  Event: [...BASE_FIELDS, 'Subject', 'Description', 'WhoId', 'WhatId', 'StartDateTime', 'EndDateTime', 'OwnerId'],
};
export const PREFIX: Record<SfType, string> = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Task: '00T',
  Event: '00U',
};
const REQUIRED: Partial<Record<SfType, string[]>> = {
  Account: ['Name'],
  Contact: ['LastName'],
  Event: ['StartDateTime', 'EndDateTime'],
};

export type Write = { attributes?: { type?: string }; id?: string; Id?: string } & Record<string, unknown>;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

/** What save() needs of the org: its records by type, the field list per type, insert and update. */
interface RecordStore {
  store: Map<SfType, Map<string, SfRecord>>;
  fieldsOf(type: string): string[] | undefined;
  insert(type: SfType, fields: SfRecord): string;
  update(type: SfType, id: string, fields: SfRecord): void;
}

/** Creates (no `id`) or updates one record, answering as a composite/sobject result does. */
export function saveRecord(org: RecordStore, type: string, rec: Write, id?: string): SaveResult {
  const t = type as SfType;
  if (!FIELDS[t])
    return { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `no type ${type}`, fields: [] }] };
  const fields: SfRecord = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'attributes' || k === 'id' || k === 'Id') continue;
    const f = org.fieldsOf(t)!.find((x) => x.toLowerCase() === k.toLowerCase());
    if (!f)
      return {
        success: false,
        errors: [
          { statusCode: 'INVALID_FIELD', message: `No such column '${k}' on sobject of type ${type}`, fields: [k] },
        ],
      };
    fields[f] = v as SfValue;
  }
  for (const ref of ['WhoId', 'WhatId', 'AccountId'] as const) {
    const v = fields[ref];
    if (
      typeof v === 'string' &&
      !Object.keys(PREFIX).some((k) => org.store.get(k as SfType)!.get(v)?.IsDeleted === false)
    ) {
      return {
        success: false,
        errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `invalid cross reference id`, fields: [ref] }],
      };
    }
  }
  if (id) {
    const r = org.store.get(t)!.get(id);
    if (!r || r.IsDeleted)
      return {
        id,
        success: false,
        errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
      };
    org.update(t, id, fields);
    return { id, success: true, errors: [] };
  }
  const missing = (REQUIRED[t] ?? []).filter((f) => fields[f] === undefined || fields[f] === null || fields[f] === '');
  if (missing.length) {
    return {
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: `Required fields are missing: [${missing.join(', ')}]`,
          fields: missing,
        },
      ],
    };
  }
  return { id: org.insert(t, fields), success: true, errors: [] };
}
