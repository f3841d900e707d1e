// fetchSource's own refusals (a pushed kind, a source without an address) name the kind as the sources
// page does and read as sentences, in the words adding such a source gets: never its key ("webhook").
import { expect, it } from 'vitest';
import { fetchSource } from '../../signals/poll.js';
import type { PollContext, SourceKind, SourceSpec } from '../../signals/types.js';

const ctx: PollContext = { fetch: { allowPrivate: false, timeoutMs: 1_000 }, now: new Date('2026-03-01T12:00:00Z') };
const spec = (kind: string, url: string | null): SourceSpec => ({
  id: 1,
  workspaceId: 1,
  kind: kind as SourceKind,
  url,
  config: {},
  etag: null,
  lastModified: null,
  snapshot: null,
});

it('says a pushed kind is not polled by the label the sources page shows', async () => {
  await expect(fetchSource(spec('webhook', 'https://hooks.example/x'), ctx)).rejects.toMatchObject({
    code: 'VALIDATION',
    message: 'A Signed webhook (job changes and other events) is pushed to Prospector, not polled',
  });
  await expect(fetchSource(spec('manual', null), ctx)).rejects.toMatchObject({
    message: 'A Manual entry is pushed to Prospector, not polled',
  });
  await expect(fetchSource(spec('telepathy', null), ctx)).rejects.toMatchObject({
    message: 'Prospector has no kind of source called “telepathy”',
  });
});

it('says a polled source without an address needs one, as adding it does', async () => {
  await expect(fetchSource(spec('feed', null), ctx)).rejects.toMatchObject({
    code: 'VALIDATION',
    message: 'URL is required: a feed needs an address to poll',
  });
  await expect(fetchSource(spec('lever', null), ctx)).rejects.toMatchObject({
    message: 'URL is required: a Lever job board needs an address to poll',
  });
});
