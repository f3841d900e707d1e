// Waking workers when a job arrives: a trigger on pg-boss's job table NOTIFYs the queue's name
// for every job that may start now (delayed jobs and retries are found by polling). Identical
// notifications of one transaction are folded into one by PostgreSQL, so a bulk insert costs
// one wake-up. Installed by agents/boss.ts after pg-boss's own schema, on every start (a newer
// pg-boss may rebuild its tables); partitions created later inherit the trigger.
import type { Sql } from '../types.js';

/** Held while pg-boss's schema, the queues and the trigger are installed: one process at a time. */
export const lockBossInstall = (key: number): Sql => ({ text: `SELECT pg_advisory_xact_lock($1)`, values: [key] });

/** The channel workers LISTEN on; the payload is the queue's name. */
export const JOBS_CHANNEL = 'prospector_jobs';

export const installJobNotify = (schema: string): string => `
  CREATE OR REPLACE FUNCTION ${schema}.prospector_notify_job() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${JOBS_CHANNEL}', NEW.name);
    RETURN NULL;
  END $$;
  DO $$ BEGIN
    IF NOT EXISTS (
      SELECT 1 FROM pg_trigger WHERE tgname = 'prospector_job_notify' AND tgrelid = '${schema}.job'::regclass
    ) THEN
      CREATE TRIGGER prospector_job_notify AFTER INSERT ON ${schema}.job
        FOR EACH ROW WHEN (NEW.state = 'created' AND NEW.start_after <= now())
        EXECUTE FUNCTION ${schema}.prospector_notify_job();
    END IF;
  END $$;`;
