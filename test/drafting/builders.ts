// Small builders for drafting tests: a workspace with playbook, template and mailbox, and a
// researched signal with its dossier and facts inserted directly (no research run).
import type { Database } from '../../db/index.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
import { insertOutboxMailbox } from '../../db/queries/mailboxes.js';
import { insertTemplateRow } from '../../db/queries/templates.js';
import { DEFAULT_TEMPLATE_STEPS, DEFAULT_WINDOW, DEMO_PLAYBOOK } from '../../demo/data.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { SCENES, type SceneFixture } from '../fixtures/drafting/scenes.js';

export interface Scene {
  ws: TestWorkspace;
  accountId: number;
  contactId: number;
  signalId: number;
  dossierId: number;
  factIds: number[];
  fixture: SceneFixture;
}

export const BOOKING_URL = 'https://cal.example/riley';

export async function buildDraftWorkspace(db: Database): Promise<TestWorkspace> {
  const ws = await buildWorkspace(db);
  await db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
    ws.id,
    JSON.stringify({
      playbook: DEMO_PLAYBOOK,
      signature: 'Riley Rep\nProspector Demo Co',
      physicalAddress: 'Prospector Demo Co, 1 Example Street, Springfield',
    }),
  ]);
  await db.query(`UPDATE users SET name = 'Riley Rep', booking_url = $2 WHERE id = $1`, [ws.users.rep.id, BOOKING_URL]);
  await run(
    db,
    insertTemplateRow(ws.id, {
      name: 'Signal-led, 5 steps',
      description: '',
      steps: DEFAULT_TEMPLATE_STEPS,
      window: DEFAULT_WINDOW,
      fallback: null,
      fallbackAfterDays: 3,
      isDefault: true,
    }),
  );
  await run(
    db,
    insertOutboxMailbox({
      workspaceId: ws.id,
      userId: ws.users.rep.id,
      fromName: 'Riley Rep',
      fromEmail: ws.users.rep.email,
    }),
  );
  return ws;
}

let seq = 0;

/** A researched signal of `type` with a dossier; `contact: false` leaves the dossier without one. */
export async function buildScene(
  db: Database,
  ws: TestWorkspace,
  type: SceneFixture['type'] = 'funding',
  opts: { contact?: boolean; facts?: SceneFixture['facts'] } = {},
): Promise<Scene> {
  const f = SCENES[type];
  const n = ++seq;
  const domain = f.account.domain.replace('.example', `-${n}.example`);
  const account = (await one(
    db,
    insertAccount(ws.id, {
      name: f.account.name,
      domain,
      aliases: [],
      ownerId: ws.users.rep.id,
      timeZone: 'UTC',
      country: f.account.country,
      tags: [],
    }),
  ))!;
  const contact = (await one(
    db,
    insertContact(ws.id, {
      accountId: account.id,
      firstName: f.contact.first,
      lastName: f.contact.last,
      email: `${f.contact.first.toLowerCase()}-${n}@${domain}`,
      title: f.contact.title,
      timeZone: null,
      linkedinUrl: null,
      isChampion: false,
    }),
  ))!;
  const withContact = opts.contact !== false;
  const signal = (await one<{ id: number }>(db, {
    text: `INSERT INTO signals (workspace_id, account_id, contact_id, type, title, summary, url, fingerprint, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'researched') RETURNING id`,
    values: [
      ws.id,
      account.id,
      withContact ? contact.id : null,
      type,
      f.signal.title,
      f.signal.summary,
      f.signal.url,
      `fp-${n}-${Math.random()}`,
    ],
  }))!;
  const dossier = (await one<{ id: number }>(db, {
    text: `INSERT INTO dossiers (workspace_id, signal_id, account_id, contact_id, organization) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    values: [
      ws.id,
      signal.id,
      account.id,
      withContact ? contact.id : null,
      JSON.stringify({ name: f.account.name, website: domain }),
    ],
  }))!;
  const factIds: number[] = [];
  for (const [i, fact] of (opts.facts ?? f.facts).entries()) {
    const row = (await one<{ id: number }>(db, {
      text:
        `INSERT INTO facts (dossier_id, kind, text, source_url, quote, fetched_at, position) ` +
        `VALUES ($1, $2, $3, $4, $5, now(), $6) RETURNING id`,
      values: [dossier.id, fact.kind, fact.text, fact.sourceUrl, fact.quote, i],
    }))!;
    factIds.push(row.id);
  }
  return {
    ws,
    accountId: account.id,
    contactId: contact.id,
    signalId: signal.id,
    dossierId: dossier.id,
    factIds,
    fixture: { ...f, account: { ...f.account, domain } },
  };
}

/** A five-step answer for the funding scene that passes every gate. */
export function goodFundingDraft(factIds: number[], domain = 'northwind-analytics.example') {
  return {
    steps: [
      {
        subject: 'Northwind Analytics and the Series A',
        citedFactIds: [factIds[0]!, factIds[1]!],
        body:
          `Hi Dana,\n\nCongratulations on the $12M Series A led by Example Ventures. You also plan to ` +
          `double the sales team this year, which usually means ramping new reps fast.\n\n` +
          `We help revenue teams turn buying signals into timely, relevant outreach, so new reps spend their ` +
          `time on accounts that are in motion now.\n\nWould a 20-minute call next week be useful?`,
      },
      {
        subject: '',
        citedFactIds: [],
        body:
          `Hi Dana,\n\nOne proof point: a 40-rep team cut research time per account from 20 minutes to 3 ` +
          `with us. Happy to show how, here is my calendar: ${BOOKING_URL}`,
      },
      {
        subject: '',
        citedFactIds: [factIds[2]!],
        body:
          `Hi Dana,\n\nWith the new Denver office, your reps will cover more territory. Every email we help ` +
          `them write cites a verifiable reason to reach out, which keeps quality high as the team grows.`,
      },
      {
        subject: '',
        citedFactIds: [],
        body:
          `Dana, a different angle: managers get a clear view of which signals turn into meetings, by rep ` +
          `and by step. Worth a look before the new hires start? More on ${domain}/careers if useful for context.`,
      },
      {
        subject: '',
        citedFactIds: [],
        body:
          `Hi Dana,\n\nI will stop here so I do not crowd your inbox. If ramping the new team becomes a ` +
          `priority, a reply is all it takes.`,
      },
    ],
  };
}
