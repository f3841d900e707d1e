// Ashby job board API: GET /posting-api/job-board/{name}
// → { jobs: [{ id, title, department, team, location, jobUrl, publishedAt, isListed }] }.
import { z } from 'zod';
import { boardShapeError, jobBoardSource, type Job } from './jobs.js';

const AshbyBoard = z.object({
  jobs: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      department: z.string().nullish(),
      team: z.string().nullish(),
      location: z.string().nullish(),
      jobUrl: z.string().nullish(),
      publishedAt: z.string().nullish(),
      isListed: z.boolean().nullish(),
    }),
  ),
});

function ashbyApiUrl(input: string): string {
  const u = new URL(input);
  if (/\/posting-api\/job-board\/[^/]+\/?$/.test(u.pathname)) return u.toString();
  const name = u.pathname.split('/').filter(Boolean)[0];
  if (u.hostname === 'jobs.ashbyhq.com' && name) return `https://api.ashbyhq.com/posting-api/job-board/${name}`;
  return u.toString();
}

function readAshby(json: unknown, url: string): { jobs: Job[]; company?: string } {
  const p = AshbyBoard.safeParse(json);
  if (!p.success) throw boardShapeError('Ashby', p.error);
  return {
    company: /\/job-board\/([^/?]+)/.exec(new URL(url).pathname)?.[1],
    jobs: p.data.jobs
      .filter((j) => j.isListed !== false)
      .map((j) => ({
        id: j.id,
        title: j.title,
        department: j.department ?? j.team ?? null,
        location: j.location ?? null,
        url: j.jobUrl ?? null,
        postedAt: j.publishedAt ? new Date(j.publishedAt) : null,
      })),
  };
}

export const ashbySource = jobBoardSource('ashby', 'Ashby', ashbyApiUrl, readAshby);
