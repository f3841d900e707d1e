// What `prospector doctor` reads: the server's version, applied migrations, pg-boss's schema
// version and every mailbox. Each may fail on a database that is not set up yet; the caller says so.
import type { Sql } from '../types.js';

export const serverVersion = (): Sql => ({ text: 'SELECT version() AS v', values: [] });

export const appliedMigrationVersions = (): Sql => ({ text: 'SELECT version FROM schema_migrations', values: [] });

export const queueSchemaVersion = (): Sql => ({ text: 'SELECT version FROM pgboss.version', values: [] });

export const allMailboxes = (): Sql => ({ text: 'SELECT * FROM mailboxes ORDER BY id', values: [] });
