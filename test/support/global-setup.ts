// Fails fast, with a clear message, when the test PostgreSQL is not reachable.
import pg from 'pg';
import { adminUrl } from './db.js';

export default async function setup() {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(`Tests need PostgreSQL at ${adminUrl()} (set TEST_DATABASE_URL): ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
