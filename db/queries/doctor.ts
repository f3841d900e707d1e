// What `prospector doctor` reads: the server's version, applied migrations, pg-boss's schema
// version and every mailbox. Each may fail on a database that is not set up yet; the caller says so.
import type { Sql } from '../types.js';
import type { MailboxRow } from './sending.js';

export const serverVersion = (): Sql<{ v: string }> => ({ text: 'SELECT version() AS v', values: [] });

export const appliedMigrationVersions = (): Sql<{ version: number }> => ({
  text: 'SELECT version FROM schema_migrations',
  values: [],
});

export const queueSchemaVersion = (): Sql<{ version: number }> => ({
  text: 'SELECT version FROM pgboss.version',
  values: [],
});

export const allMailboxes = (): Sql<MailboxRow> => ({ text: 'SELECT * FROM mailboxes ORDER BY id', values: [] });
