// The Salesforce adapter on its own against the fake org, through the real jsforce client: paging,
// incremental reads with merges and deletes, owners, opportunities, the RevOps filter (a hostile one never
// reaches the org), activity writes through composite collections with Salesforce's failure answers, the
// opt-out written back, and the daily API limit. No database: the core's sync has its own tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmError, isCrmError, type ActivityWrite, type CrmContact } from '../../crm/provider.js';
import { SalesforceProvider } from '../../crm/salesforce/provider.js';
import { testConfig } from '../support/context.js';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-salesforce.js';
import { heldTokens } from '../support/fake-salesforce-tokens.js';

const FIELDS = { fields: ['Name', 'Website', 'Industry'] };

describe('Salesforce adapter against the fake org', () => {
  let sf: FakeSalesforce;
  let provider: SalesforceProvider;
  const accounts: string[] = [];
  beforeAll(async () => {
    sf = await startFakeSalesforce({ customFields: { Account: ['Target__c'] } });
    provider = new SalesforceProvider(heldTokens(testConfig({ url: undefined }, sf.env), sf.grant()), null);
    for (let i = 0; i < 2000; i++) {
      accounts.push(
        sf.insert('Account', {
          Name: `Acme ${i}`,
          Website: `acme${i}.test`,
          Type: i % 10 === 0 ? 'Customer - Direct' : 'Prospect',
          BillingCountry: i % 2 ? 'DE' : 'FR',
          Target__c: i % 4 === 0,
        }),
      );
    }
    for (let i = 0; i < 5000; i++) {
      sf.insert('Contact', { AccountId: accounts[i % 2000]!, Email: `p${i}@acme${i % 2000}.test`, LastName: `P${i}` });
    }
  });
  afterAll(() => sf.close());

  async function readAll<T>(list: (after?: string) => Promise<{ records: T[]; next?: string }>) {
    const out: T[] = [];
    let pages = 0;
    let after: string | undefined;
    do {
      const p = await list(after);
      pages++;
      out.push(...p.records);
      after = p.next;
    } while (after);
    return { out, pages };
  }

  it('reads 2,000 accounts and 5,000 contacts page by page through nextRecordsUrl', async () => {
    const a = await readAll((after) => provider.listCompanies({ after }, FIELDS));
    expect(a.out).toHaveLength(2000);
    expect(a.out.filter((c) => c.isCustomer)).toHaveLength(200);
    expect(a.out[0]!.fields.Website).toBe('acme0.test');
    const c = await readAll((after) => provider.listContacts({ after }, { fields: ['Title'], limit: 2000 }));
    expect(c.pages).toBe(3);
    expect(new Set(c.out.map((x) => x.externalId)).size).toBe(5000);
    expect(c.out.every((x) => accounts.includes(x.companyExternalId!))).toBe(true);
    expect(c.out[7]!.email).toBe('p7@acme7.test');
  });

  it('an incremental read returns what changed since the cursor, merges and deletes included', async () => {
    // The fake's clock runs ahead of the wall clock while thousands of records go in: the cursor is its time.
    const since = new Date(sf.now() + 1000);
    sf.advance(2000);
    const contact = sf.all('Contact')[3]!;
    sf.update('Contact', String(contact.Id), { Title: 'CFO', HasOptedOutOfEmail: true });
    sf.merge('Account', accounts[1]!, accounts[2]!);
    sf.remove('Contact', String(sf.all('Contact')[4]!.Id));
    const companies = await readAll((after) => provider.listCompanies({ since, after }, FIELDS));
    const merged = companies.out.find((c) => c.externalId === accounts[2]);
    expect(merged).toMatchObject({ deleted: true, mergedIntoId: accounts[1] });
    expect(companies.out.map((c) => c.externalId)).toContain(accounts[1]);
    expect(companies.out.length).toBeLessThan(10);
    const contacts = await readAll((after) => provider.listContacts({ since, after }, { fields: [] }));
    const changed = contacts.out.find((c) => c.externalId === contact.Id) as CrmContact;
    expect(changed).toMatchObject({ optedOut: true, fields: { Title: 'CFO' } });
    // The merged-away account's contacts moved to the survivor.
    expect(contacts.out.filter((c) => c.companyExternalId === accounts[1]).length).toBeGreaterThan(0);
    const removed = await provider.listRemoved('contact', since);
    expect(removed).toEqual([{ externalId: sf.all('Contact')[4]!.Id, mergedIntoId: null }]);
    expect(await provider.listRemoved('company', since)).toEqual([
      { externalId: accounts[2], mergedIntoId: accounts[1] },
    ]);
  });

  it('a query locator that expired is read again from the cursor time', async () => {
    const first = await provider.listContacts({}, { fields: [], limit: 200 });
    await provider.listContacts({ after: first.next }, { fields: [], limit: 200 });
    const again = await provider.listContacts({ after: first.next }, { fields: [], limit: 200 });
    expect(again.records[0]!.externalId).toBe(first.records[0]!.externalId);
  });

  it('the target filter: a checkbox field, a checked where-clause, and a hostile one refused before any request', async () => {
    const checkbox = await readAll((after) =>
      provider.listCompanies(
        { after },
        { ...FIELDS, filter: { type: 'property', property: 'Target__c', value: 'true' } },
      ),
    );
    expect(checkbox.out).toHaveLength(500); // accounts[0], [4], …: every fourth
    expect(checkbox.out.every((c) => accounts.indexOf(c.externalId) % 4 === 0)).toBe(true);
    const where = "Type = 'Prospect' AND (BillingCountry = 'DE' OR Name LIKE 'Acme 1%')";
    const w = await readAll((after) =>
      provider.listCompanies({ after }, { ...FIELDS, filter: { type: 'where', value: where } }),
    );
    expect(w.out.length).toBeGreaterThan(0);
    expect(w.out.every((c) => c.lifecycle === 'Prospect')).toBe(true);
    const hostile = [
      "Name = 'x') OR (Id != null",
      "Name = 'x' OR Id IN (SELECT AccountId FROM Opportunity)",
      "Name = 'x' LIMIT 1",
      "Name = 'x' OR Name != '",
      "Name = 'x'; DELETE",
      'Owner.Email = null',
    ];
    const before = sf.requests.length;
    for (const value of hostile) {
      const err = await provider
        .listCompanies({}, { ...FIELDS, filter: { type: 'where', value } })
        .catch((e: unknown) => e);
      expect(isCrmError(err, 'invalid'), value).toBe(true);
      expect((err as CrmError).message).toMatch(/target filter was refused/);
    }
    expect(sf.requests.length).toBe(before);
    // A quote escaped inside a string stays inside it: one literal, matching no Account.
    const escaped = await provider.listCompanies(
      {},
      { ...FIELDS, filter: { type: 'where', value: "Name = 'x\\' OR Name != '" } },
    );
    expect(escaped.records).toEqual([]);
  });

  it('owners by email, and opportunities open and closed with their account', async () => {
    sf.insert('User', { Email: 'Owner@Acme.test', Name: 'Olga Owner' });
    expect(await provider.getOwners()).toContainEqual(expect.objectContaining({ email: 'owner@acme.test' }));
    sf.insert('Opportunity', { Name: 'Renewal', AccountId: accounts[5]!, StageName: 'Negotiation' });
    sf.insert('Opportunity', { Name: 'Lost', AccountId: accounts[6]!, StageName: 'Closed Lost', IsClosed: true });
    const deals = (await provider.listDeals({})).records;
    expect(deals).toContainEqual(
      expect.objectContaining({ companyExternalId: accounts[5], isClosed: false, stage: 'Negotiation' }),
    );
    expect(deals).toContainEqual(expect.objectContaining({ companyExternalId: accounts[6], isClosed: true }));
  });

  it('activities: 503 and REQUEST_LIMIT_EXCEEDED reach the caller as retryable errors and nothing is written twice', async () => {
    const c = sf.all('Contact').find((x) => !x.IsDeleted)!;
    const writes: ActivityWrite[] = [
      { key: 'email:msg:1', activity: email(String(c.Id), String(c.AccountId), 'out') },
      { key: 'email:msg:2', activity: email(String(c.Id), String(c.AccountId), 'in') },
      {
        key: 'meeting:event:1',
        activity: {
          type: 'meeting',
          title: 'Intro call',
          body: 'Booked from the reply',
          startAt: new Date('2026-12-02T15:00:00Z'),
          endAt: new Date('2026-12-02T15:30:00Z'),
          contactExternalId: String(c.Id),
          companyExternalId: String(c.AccountId),
        },
      },
    ];
    const composite = (m: string, p: string) => m === 'POST' && p === '/composite/sobjects';
    sf.failures.push({ status: 503, match: composite }, { status: 403, match: composite });
    const first = await provider.writeActivities(writes).catch((e: unknown) => e);
    expect(isCrmError(first, 'unavailable')).toBe(true);
    const second = await provider.writeActivities(writes).catch((e: unknown) => e);
    expect(isCrmError(second, 'rate_limited')).toBe(true);
    expect((second as CrmError).retryAfterMs).toBeGreaterThanOrEqual(60_000);
    const results = await provider.writeActivities(writes);
    expect(results.map((r) => ('externalId' in r ? r.key : `failed ${r.key}`)).sort()).toEqual(
      writes.map((w) => w.key).sort(),
    );
    const tasks = sf.all('Task');
    expect(tasks).toHaveLength(2);
    expect(tasks.map((t) => t.Subject).sort()).toEqual(['Email: Hello', 'Reply: Hello']);
    expect(tasks[0]).toMatchObject({ TaskSubtype: 'Email', Status: 'Completed', WhoId: c.Id, WhatId: c.AccountId });
    expect(sf.all('Event')).toEqual([expect.objectContaining({ Subject: 'Intro call', WhoId: c.Id })]);
  });

  it('a record Salesforce refuses comes back as that record’s error; the others are written', async () => {
    const c = sf.all('Contact').find((x) => !x.IsDeleted)!;
    const results = await provider.writeActivities([
      { key: 'email:msg:3', activity: email(String(c.Id), null, 'out') },
      { key: 'email:msg:4', activity: email('003999999999999AAA', null, 'out') },
    ]);
    expect(results.find((r) => r.key === 'email:msg:3')).toHaveProperty('externalId');
    const bad = results.find((r) => r.key === 'email:msg:4');
    expect(bad && 'error' in bad && bad.error.message).toMatch(/INVALID_CROSS_REFERENCE_KEY/);
  });

  it('an opt-out is written on the contact and on every other contact with the address', async () => {
    const [a, b] = sf.all('Contact').filter((x) => !x.IsDeleted && !x.HasOptedOutOfEmail);
    sf.update('Contact', String(b!.Id), { Email: a!.Email });
    await provider.setOptOut(String(a!.Id), String(a!.Email), 'unsubscribed');
    expect(sf.get('Contact', String(a!.Id))!.HasOptedOutOfEmail).toBe(true);
    expect(sf.get('Contact', String(b!.Id))!.HasOptedOutOfEmail).toBe(true);
  });

  it('writes wait once the org nears its daily API limit (Sforce-Limit-Info); reads go on', async () => {
    sf.apiUsage = { used: 9_500, max: 10_000 };
    await provider.getOwners();
    const before = sf.requests.length;
    const err = await provider
      .setOptOut(String(sf.all('Contact')[0]!.Id), 'x@y.test', 'bounce')
      .catch((e: unknown) => e);
    expect(isCrmError(err, 'rate_limited')).toBe(true);
    expect((err as CrmError).message).toMatch(/daily API use/);
    expect(sf.requests.slice(before).map((r) => r.method)).toEqual(['GET']); // the lookup by address, no write
    sf.apiUsage = { used: 0, max: 1_000_000 };
  });
});

function email(contact: string, company: string | null, direction: 'in' | 'out') {
  return {
    type: 'email' as const,
    direction,
    subject: 'Hello',
    body: 'Saw the funding news.',
    from: 'rep@us.test',
    to: 'p@acme.test',
    at: new Date('2026-12-01T10:00:00Z'),
    threadId: '<t1@us.test>',
    messageId: `<m-${direction}@us.test>`,
    contactExternalId: contact,
    companyExternalId: company,
  };
}
