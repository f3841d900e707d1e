// Every source kind, by name. Adding a kind = one module implementing SourceModule + one line here.
import { ashbySource } from './sources/ashby.js';
import { feedSource } from './sources/feed.js';
import { greenhouseSource } from './sources/greenhouse.js';
import { leverSource } from './sources/lever.js';
import { pageSource } from './sources/page.js';
import { manualSource, webhookSource } from './sources/webhook.js';
import type { SourceKind, SourceModule } from './types.js';

export const sourceRegistry: Record<SourceKind, SourceModule<any>> = {
  feed: feedSource,
  page: pageSource,
  greenhouse: greenhouseSource,
  lever: leverSource,
  ashby: ashbySource,
  webhook: webhookSource,
  manual: manualSource,
};

export const POLLED_KINDS = (Object.keys(sourceRegistry) as SourceKind[]).filter((k) => sourceRegistry[k].polled);
