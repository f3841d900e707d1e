// pg-boss on either backend. On PostgreSQL it opens its own pool from DATABASE_URL; on PGlite
// it goes through pg-boss's `db` adapter, and a statement without parameters (pg-boss sends
// several commands in one string) must go through `exec`, since PGlite's `query` takes one.
import PgBoss from 'pg-boss';
import { run, type Database, type Queryable } from '../db/index.js';
import { installJobNotify, lockBossInstall } from '../db/queries/job-wake.js';
import { queueDefinitions, type QueueOptions } from './queues.js';

export function bossAdapter(db: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length) return db.query(text, values);
      return { rows: await db.exec(text) };
    },
  };
}

interface BossOptions {
  databaseUrl?: string;
  poolMax?: number;
  /** Maintenance and cron scheduling; every process may run them, pg-boss coordinates. */
  supervise?: boolean;
}

/** Serialises pg-boss installation across processes (any fixed key distinct from the migrations'). */
const BOSS_INSTALL_LOCK = 7_226_815_201;
const SCHEMA = 'pgboss';

/** A queue created by an older release (or with other options) is brought to its definition. */
function differs(existing: Partial<QueueOptions>, wanted: QueueOptions): boolean {
  return (Object.keys(wanted) as (keyof QueueOptions)[]).some((k) => existing[k] !== wanted[k]);
}

export async function startBoss(db: Database, opts: BossOptions = {}): Promise<PgBoss> {
  const common = {
    schema: SCHEMA,
    supervise: opts.supervise ?? true,
    schedule: opts.supervise ?? true,
    migrate: true,
  };
  const boss =
    db.kind === 'postgres' && opts.databaseUrl
      ? new PgBoss({ ...common, connectionString: opts.databaseUrl, max: opts.poolMax ?? 4 })
      : new PgBoss({ ...common, db: bossAdapter(db) });
  boss.on('error', () => {}); // surfaced through the runtime's logger; never crash the process
  const install = async (q: Queryable) => {
    await boss.start();
    for (const def of queueDefinitions) {
      const existing = await boss.getQueue(def.name);
      if (!existing) await boss.createQueue(def.name, def);
      else if (differs(existing, def)) await boss.updateQueue(def.name, def);
    }
    await q.exec(installJobNotify(SCHEMA));
  };
  // Web and workers starting together on PostgreSQL (compose) would race pg-boss's schema install
  // and queue creation into a deadlock: one process at a time, behind an advisory lock.
  if (db.kind === 'postgres') {
    await db.transaction(async (tx) => {
      await run(tx, lockBossInstall(BOSS_INSTALL_LOCK));
      await install(tx);
    });
  } else {
    await install(db);
  }
  return boss;
}
