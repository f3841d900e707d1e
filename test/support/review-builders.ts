// Small builders for what the review UI shows: a signal with its sources, a dossier with cited
// facts, and a sequence waiting for review with its steps. Rows are written directly so these
// tests do not depend on the signals, research or drafting agents.
import type { Queryable } from '../../db/index.js';
import { one } from '../../db/index.js';

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(++seq).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export interface DraftSpec {
  workspaceId: number;
  ownerId: number;
  signalType?: 'funding' | 'job_change' | 'news' | 'hiring' | 'manual' | 'inbound';
  signalTitle?: string;
  detectedAt?: Date;
  accountName?: string;
  accountTimeZone?: string;
  contactTimeZone?: string;
  sources?: { name: string; url: string; title: string }[];
  facts?: { text: string; quote: string; url: string }[];
  steps?: { subject: string; body: string; delayDays?: number }[];
  gateFailures?: unknown[];
  drafter?: 'llm' | 'offline';
  promptVersion?: string;
  status?: string;
}

export interface BuiltDraft {
  sequenceId: number;
  signalId: number;
  accountId: number;
  contactId: number;
  factIds: number[];
  stepIds: number[];
}

export async function buildDraft(db: Queryable, s: DraftSpec): Promise<BuiltDraft> {
  const u = uniq();
  const q = async <T = { id: number }>(text: string, values: unknown[]) => (await one<T>(db, { text, values }))!;
  const account = await q(
    `INSERT INTO accounts (workspace_id, name, domain, owner_id, time_zone) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [s.workspaceId, s.accountName ?? `Acme ${u}`, `acme-${u}.example`, s.ownerId, s.accountTimeZone ?? 'Europe/Berlin'],
  );
  const contact = await q(
    `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title, time_zone) ` +
      `VALUES ($1, $2, 'Dana', 'Doe', $3, 'VP Sales', $4) RETURNING id`,
    [s.workspaceId, account.id, `dana-${u}@acme-${u}.example`, s.contactTimeZone ?? null],
  );
  const signal = await q(
    `INSERT INTO signals (workspace_id, account_id, contact_id, type, title, summary, url, fingerprint, status, detected_at, occurred_at)
       VALUES ($1, $2, $3, $4, $5, 'Raised a round to expand in Europe.', 'https://news.example/acme', $6, 'drafted', $7, $7) RETURNING id`,
    [
      s.workspaceId,
      account.id,
      contact.id,
      s.signalType ?? 'funding',
      s.signalTitle ?? `Acme ${u} raises Series B`,
      `fp-${u}`,
      s.detectedAt ?? new Date(),
    ],
  );
  for (const src of s.sources ?? [{ name: 'Funding feed', url: 'https://news.example/acme', title: 'Acme raises' }]) {
    const source = await q(
      `INSERT INTO signal_sources (workspace_id, kind, name, url) VALUES ($1, 'feed', $2, $3) RETURNING id`,
      [s.workspaceId, src.name, src.url],
    );
    await q(`INSERT INTO signal_observations (signal_id, source_id, url, title) VALUES ($1, $2, $3, $4) RETURNING id`, [
      signal.id,
      source.id,
      src.url,
      src.title,
    ]);
  }
  const dossier = await q(
    `INSERT INTO dossiers (workspace_id, signal_id, account_id, contact_id) VALUES ($1, $2, $3, $4) RETURNING id`,
    [s.workspaceId, signal.id, account.id, contact.id],
  );
  const factIds: number[] = [];
  for (const [i, f] of (
    s.facts ?? [
      {
        text: 'Acme raised $20M led by Example Ventures.',
        quote: 'Acme today announced a $20M Series B',
        url: 'https://news.example/acme',
      },
    ]
  ).entries()) {
    factIds.push(
      (
        await q(
          `INSERT INTO facts (dossier_id, kind, text, source_url, quote, fetched_at, position) ` +
            `VALUES ($1, 'funding', $2, $3, $4, now(), $5) RETURNING id`,
          [dossier.id, f.text, f.url, f.quote, i],
        )
      ).id,
    );
  }
  const sequence = await q(
    `INSERT INTO sequences (workspace_id, signal_id, account_id, contact_id, owner_id, status, drafter, prompt_version, gate_failures)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      s.workspaceId,
      signal.id,
      account.id,
      contact.id,
      s.ownerId,
      s.status ?? 'pending_review',
      s.drafter ?? 'llm',
      s.promptVersion ?? 'v1',
      JSON.stringify(s.gateFailures ?? []),
    ],
  );
  const steps = s.steps ?? [
    { subject: 'Congrats on the Series B', body: 'Hi Dana,\n\nSaw the $20M round. Worth a chat?', delayDays: 0 },
    { subject: '', body: 'Hi Dana, one more idea.', delayDays: 3 },
  ];
  const stepIds: number[] = [];
  for (const [i, st] of steps.entries()) {
    stepIds.push(
      (
        await q(
          `INSERT INTO sequence_steps (sequence_id, position, kind, delay_days, subject, body, drafted_subject, ` +
            `drafted_body, cited_fact_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $5, $6, $7) RETURNING id`,
          [
            sequence.id,
            i,
            i === 0 ? 'opener' : 'follow_up',
            st.delayDays ?? (i === 0 ? 0 : 3),
            st.subject,
            st.body,
            i === 0 ? factIds : [],
          ],
        )
      ).id,
    );
  }
  await q(`INSERT INTO draft_versions (sequence_id, version, source, steps) VALUES ($1, 1, $2, $3) RETURNING id`, [
    sequence.id,
    s.drafter ?? 'llm',
    JSON.stringify(steps),
  ]);
  return {
    sequenceId: sequence.id,
    signalId: signal.id,
    accountId: account.id,
    contactId: contact.id,
    factIds,
    stepIds,
  };
}
