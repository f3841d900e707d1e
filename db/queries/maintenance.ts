import type { Sql } from '../types.js';

export const deleteExpiredPages = (): Sql<{ url: string }> => ({
  text: `DELETE FROM page_cache WHERE expires_at < now() - interval '7 days' RETURNING url`,
  values: [],
});

export const ping = (): Sql<{ ok: number }> => ({ text: 'SELECT 1 AS ok', values: [] });
