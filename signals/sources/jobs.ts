// What the three job boards share: the keyword/department filter, the snapshot of open role
// ids, and turning a new matching role into a hiring item.
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { safeFetch } from '../../net/http.js';
import type { PollContext, PollResult, RawItem, SourceKind, SourceModule, SourceSpec } from '../types.js';

const DEFAULT_ROLE_KEYWORDS = [
  'SDR',
  'BDR',
  'Sales Development',
  'Business Development',
  'Account Executive',
  'Head of Sales',
  'VP Sales',
  'VP of Sales',
  'Sales Director',
  'Director of Sales',
  'RevOps',
  'Revenue Operations',
  'Sales Operations',
  'Chief Revenue Officer',
  'CRO',
  'Sales Manager',
  'Account Manager',
];

export const JobBoardConfig = z.object({
  /** Roles whose title contains one of these (whole words, any case) count. */
  keywords: z.array(z.string().min(1).max(100)).max(200).default(DEFAULT_ROLE_KEYWORDS),
  /** Roles in these departments count too. */
  departments: z.array(z.string().min(1).max(100)).max(100).default(['Sales']),
  /** The company whose board this is (else the board name stands in for matching). */
  company: z.string().max(300).optional(),
  accountId: z.number().int().positive().optional(),
  /** Report roles already open on the first poll (on by default: a company hiring SDRs now is a signal). */
  emitInitial: z.boolean().default(true),
  demo: z.boolean().optional(),
});
export type JobBoardConfig = z.infer<typeof JobBoardConfig>;

export interface Job {
  id: string;
  title: string;
  department: string | null;
  location: string | null;
  url: string | null;
  postedAt: Date | null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function roleFilter(c: Pick<JobBoardConfig, 'keywords' | 'departments'>): (job: Job) => boolean {
  const kw = c.keywords.length
    ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${c.keywords.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'iu')
    : null;
  const depts = new Set(c.departments.map((d) => d.toLowerCase().trim()));
  return (job) => (!!kw && kw.test(job.title)) || (!!job.department && depts.has(job.department.toLowerCase().trim()));
}

function jobItem(job: Job, company: string | undefined, accountId: number | undefined): RawItem {
  return {
    key: job.id,
    title: `${company ? company + ' is hiring' : 'Hiring'}: ${job.title}${job.location ? ` (${job.location})` : ''}`,
    summary: [job.department, job.location].filter(Boolean).join(' · '),
    url: job.url,
    publishedAt: job.postedAt,
    links: job.url ? [job.url] : [],
    type: 'hiring',
    subtype: 'role',
    facts: { role: job.title, department: job.department, location: job.location, jobId: job.id },
    accountId,
    company: company ? { name: company } : undefined,
  };
}

/** Fetch a board's JSON, keep the roles that match and were not open at the last poll. */
async function pollBoard(
  source: SourceSpec & { config: JobBoardConfig },
  ctx: PollContext,
  url: string,
  read: (json: unknown) => { jobs: Job[]; company?: string },
): Promise<PollResult> {
  const r = await safeFetch(url, {
    ...ctx.fetch,
    etag: source.etag,
    lastModified: source.lastModified,
    accept: 'application/json',
  });
  if (r.notModified) return { notModified: true, items: [] };
  let json: unknown;
  try {
    json = JSON.parse(r.body.toString('utf8'));
  } catch (cause) {
    throw new AppError('PARSE_FAILED', `the job board did not answer with JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  const { jobs, company } = read(json);
  const prev = (source.snapshot as { ids?: string[] } | null)?.ids;
  const seen = new Set(prev ?? []);
  const wanted = roleFilter(source.config);
  const fresh =
    prev === undefined && !source.config.emitInitial ? [] : jobs.filter((j) => !seen.has(j.id) && wanted(j));
  return {
    notModified: false,
    items: fresh.map((j) => jobItem(j, source.config.company ?? company, source.config.accountId)),
    snapshot: { ids: jobs.map((j) => j.id) },
    etag: r.etag,
    lastModified: r.lastModified,
    finalUrl: r.url,
  };
}

export function boardShapeError(board: string, cause?: unknown): AppError {
  return new AppError('PARSE_FAILED', `the answer does not look like the ${board} job-board API`, { cause });
}

/** A job board's source module: `board` names it ("Greenhouse"), `read` takes the roles out of its API's JSON. */
export const jobBoardSource = (
  kind: SourceKind,
  board: string,
  normalizeUrl: (url: string) => string,
  read: (json: unknown, url: string) => { jobs: Job[]; company?: string },
): SourceModule<JobBoardConfig> => ({
  kind,
  label: `${board} job board`,
  polled: true,
  config: JobBoardConfig,
  normalizeUrl,
  poll: (source, ctx) => pollBoard(source, ctx, source.url!, (json) => read(json, source.url!)),
});
