// A signal a person enters by hand, from the Signals page or POST /api/signals: one use case, two renderings.
import { classify } from '../signals/classify.js';
import { ingestItems, type IngestContext } from '../signals/ingest.js';
import type { SignalType } from '../signals/types.js';
import type { CurrentUser } from './auth/session.js';

/** What a manual signal's link must be, in the same words on the page and in the API. */
export const URL_WORDS = 'url must be an http(s) link';

interface ManualSignal {
  title: string;
  summary: string;
  url?: string;
  /** Given: stored as this type; absent: the rules classify the text. */
  type?: SignalType;
  accountId?: number;
  contactId?: number;
  occurredAt?: Date;
  facts?: Record<string, unknown>;
}

export function addManualSignal(ctx: IngestContext, u: CurrentUser, v: ManualSignal, now = new Date()) {
  const c = v.type ? null : classify(v.title, v.summary);
  return ingestItems(
    ctx,
    [
      {
        key: `manual:${u.id}:${Date.now()}`,
        title: v.title,
        summary: v.summary,
        url: v.url ?? null,
        publishedAt: v.occurredAt ?? null,
        links: v.url ? [v.url] : [],
        type: v.type ?? c!.type,
        subtype: c?.subtype,
        facts: { ...(c?.facts ?? {}), ...(v.facts ?? {}), enteredBy: u.id },
        accountId: v.accountId,
        contactId: v.contactId,
      },
    ],
    { workspaceId: u.workspaceId, sourceId: null, now },
  );
}
