// Salesforce records ↔ the core's normalised shapes, and the fields we read them with. Pure: no I/O.
import {
  activityMarker,
  type CrmActivity,
  type CrmCompany,
  type CrmContact,
  type CrmDeal,
  type CrmFields,
  type CrmMapping,
} from '../provider.js';

export type SfRow = Record<string, unknown> & { Id: string };

export const ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'Website',
  'OwnerId',
  'BillingCountry',
  'Type',
  'LastModifiedDate',
  'MasterRecordId',
  'IsDeleted',
];
export const CONTACT_FIELDS = [
  ...['Id', 'AccountId', 'Email', 'FirstName', 'LastName', 'Title', 'HasOptedOutOfEmail', 'OwnerId'],
  ...['LastModifiedDate', 'MasterRecordId', 'IsDeleted'],
];
export const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'AccountId',
  'StageName',
  'Type',
  'IsClosed',
  'IsWon',
  'LastModifiedDate',
  'IsDeleted',
];

export function defaultSalesforceMapping(): CrmMapping {
  return {
    company: { name: 'Name', domain: 'Website', country: 'BillingCountry', timeZone: '', tags: '' },
    contact: {
      email: 'Email',
      firstName: 'FirstName',
      lastName: 'LastName',
      title: 'Title',
      timeZone: '',
      country: 'MailingCountry',
      sequenceStatus: '',
    },
  };
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const date = (v: unknown) => new Date(String(v).replace(/\+0000$/, 'Z'));

function rawFields(row: SfRow, names: string[]): CrmFields {
  const out: CrmFields = {};
  for (const n of names) if (n) out[n] = str(row[n]);
  return out;
}

/** Account Type values that mean a paying customer ('Customer - Direct', 'Customer - Channel', …). */
export const isCustomerType = (type: string | null) => type !== null && /^customer/i.test(type.trim());

export function toCompany(row: SfRow, fields: string[]): CrmCompany {
  const type = str(row.Type);
  return {
    externalId: row.Id,
    fields: rawFields(row, [...ACCOUNT_FIELDS, ...fields]),
    ownerId: str(row.OwnerId),
    isCustomer: isCustomerType(type),
    lifecycle: type,
    modifiedAt: date(row.LastModifiedDate),
    mergedIntoId: str(row.MasterRecordId),
    deleted: row.IsDeleted === true,
  };
}

export function toContact(row: SfRow, fields: string[]): CrmContact {
  return {
    externalId: row.Id,
    fields: rawFields(row, [...CONTACT_FIELDS, ...fields]),
    email: str(row.Email)?.trim().toLowerCase() || null,
    companyExternalId: str(row.AccountId),
    ownerId: str(row.OwnerId),
    optedOut: row.HasOptedOutOfEmail === true,
    modifiedAt: date(row.LastModifiedDate),
    mergedIntoId: str(row.MasterRecordId),
    deleted: row.IsDeleted === true,
  };
}

export function toDeal(row: SfRow): CrmDeal {
  return {
    externalId: row.Id,
    name: str(row.Name) ?? '',
    companyExternalId: str(row.AccountId),
    stage: str(row.StageName) ?? '',
    type: str(row.Type),
    isClosed: row.IsClosed === true,
    modifiedAt: date(row.LastModifiedDate),
    deleted: row.IsDeleted === true,
  };
}

const SUBJECT_MAX = 255;
const DESCRIPTION_MAX = 32_000;

/**
 * A Task (email, TaskSubtype 'Email', Completed) or an Event (meeting) on the contact (WhoId) and its
 * account (WhatId). The description starts with the headers a rep reads in Salesforce's activity timeline.
 */
export function toActivityRecord(
  a: CrmActivity,
  key: string,
): { sobject: 'Task' | 'Event'; record: Record<string, unknown> } {
  const who = { WhoId: a.contactExternalId, ...(a.companyExternalId ? { WhatId: a.companyExternalId } : {}) };
  const owner = a.ownerId ? { OwnerId: a.ownerId } : {};
  if (a.type === 'meeting') {
    return {
      sobject: 'Event',
      record: {
        Subject: a.title.slice(0, SUBJECT_MAX),
        Description: `${a.body}\n\n${activityMarker(key)}`.slice(-DESCRIPTION_MAX),
        StartDateTime: a.startAt.toISOString(),
        EndDateTime: a.endAt.toISOString(),
        ...who,
        ...owner,
      },
    };
  }
  const header = [
    `Direction: ${a.direction === 'out' ? 'sent' : 'received'}`,
    `From: ${a.from}`,
    `To: ${a.to}`,
    ...(a.threadId ? [`Thread: ${a.threadId}`] : []),
    ...(a.messageId ? [`Message-ID: ${a.messageId}`] : []),
    activityMarker(key),
  ].join('\n');
  return {
    sobject: 'Task',
    record: {
      Subject: `${a.direction === 'out' ? 'Email' : 'Reply'}: ${a.subject}`.slice(0, SUBJECT_MAX),
      Description: `${header}\n\n${a.body}`.slice(0, DESCRIPTION_MAX),
      TaskSubtype: 'Email',
      Status: 'Completed',
      Priority: 'Normal',
      ActivityDate: a.at.toISOString().slice(0, 10),
      ...who,
      ...owner,
    },
  };
}
