// A source's fields as the sources page names them (review-ui/views/sources.ts shows these labels), so a
// refusal from the page, the API or the CLI names a field so ("Poll every (minutes) must be at least 5"),
// through zod-message like any other, and a kind by the name the page's list gives it, never by its key.
import { z } from 'zod';
import { issueText, quotedPath, type FieldLabels } from '../zod-message.js';
import { sourceRegistry } from './registry.js';
import type { SourceKind } from './types.js';

export const SOURCE_FIELDS = {
  kind: 'Kind',
  name: 'Name',
  url: 'URL',
  pollIntervalMinutes: 'Poll every (minutes)',
  config: 'Settings',
} as const satisfies FieldLabels;

/** "A feed", "a Lever job board": a kind as a person names it in a refusal, by the sources page's label. */
export function aSourceOf(kind: SourceKind, a: 'A' | 'a' = 'A'): string {
  if (kind === 'feed') return `${a} feed`;
  if (kind === 'page') return `${a} watched page`;
  return `${a} ${sourceRegistry[kind]?.label ?? kind}`;
}

/** A polled source without an address, refused so on adding it and on polling or testing it. */
export const noAddress = (kind: SourceKind): string =>
  `${SOURCE_FIELDS.url} is required: ${aSourceOf(kind, 'a')} needs an address to poll`;

/** A pushed kind asked to poll: "A Manual entry is pushed to Prospector, not polled". */
export const notPolled = (kind: SourceKind): string =>
  sourceRegistry[kind]
    ? `${aSourceOf(kind)} is pushed to Prospector, not polled`
    : `Prospector has no kind of source called “${kind}”`;

/** A choice of `kinds`, refused as "Kind must be one of RSS / Atom feed, Watched page, …" (the page's labels). */
export const KindField = <const K extends readonly [SourceKind, ...SourceKind[]]>(kinds: K) =>
  z.enum(kinds, { error: `must be one of ${kinds.map((k) => sourceRegistry[k].label).join(', ')}` });

/**
 * A kind's settings as its module refuses them, in the same words for adding a source, changing it, trying it and
 * testing a stored one: "“maxAgeDays” in the source's settings must be more than 0" (the keys are the person's
 * own JSON keys, quoted; "Settings" where the settings as a whole are refused). A clause, not a sentence with a
 * colon, so the page's banner reads "The source was not added: “maxAgeDays” in the source's settings must be …".
 */
export const configWords = (err: z.ZodError): string =>
  err.issues
    .map((i) => issueText(i, i.path.length ? `${quotedPath(i.path)} in the source's settings` : SOURCE_FIELDS.config))
    .join('; ');
