// Preloaded (NODE_OPTIONS=--import) into the baseline processes of bench/memory.ts: the heavy
// packages every `prospector` process imported at start before they were loaded lazily, so the
// bench compares today's process with the old eager one in the same run.
await Promise.all([
  import('jsdom'),
  import('@mozilla/readability'),
  import('@electric-sql/pglite'),
  import('playwright-core'),
  import('@anthropic-ai/sdk'),
  import('cheerio'),
  import('date-holidays'),
  import('rss-parser'),
  import('mailparser'),
  import('imapflow'),
  import('franc-min'),
  import('chrono-node'),
]);
