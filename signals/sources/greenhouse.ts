// Greenhouse job board API: GET /v1/boards/{token}/jobs → { jobs: [{ id, title, location, absolute_url, departments? }] }.
import { z } from 'zod';
import { boardShapeError, jobBoardSource, type Job } from './jobs.js';

const GhJobs = z.object({
  jobs: z.array(
    z.object({
      id: z.union([z.number(), z.string()]),
      title: z.string(),
      updated_at: z.string().nullish(),
      first_published: z.string().nullish(),
      location: z.object({ name: z.string().nullish() }).nullish(),
      absolute_url: z.string().nullish(),
      departments: z.array(z.object({ name: z.string() })).nullish(),
    }),
  ),
});

function greenhouseApiUrl(input: string): string {
  const u = new URL(input);
  if (/\/v1\/boards\/[^/]+\/jobs\/?$/.test(u.pathname)) return u.toString();
  // A board page (boards.greenhouse.io/acme, job-boards.greenhouse.io/acme) → its API.
  const token = u.pathname.split('/').filter(Boolean)[0];
  if (/(^|\.)greenhouse\.io$/.test(u.hostname) && token)
    return `https://boards-api.greenhouse.io/v1/boards/${token}/jobs`;
  return u.toString();
}

export function readGreenhouse(json: unknown, url: string): { jobs: Job[]; company?: string } {
  const p = GhJobs.safeParse(json);
  if (!p.success) throw boardShapeError('Greenhouse', p.error);
  const token = /\/boards\/([^/]+)\/jobs/.exec(new URL(url).pathname)?.[1];
  return {
    company: token,
    jobs: p.data.jobs.map((j) => ({
      id: String(j.id),
      title: j.title,
      department: j.departments?.[0]?.name ?? null,
      location: j.location?.name ?? null,
      url: j.absolute_url ?? null,
      postedAt: j.first_published ? new Date(j.first_published) : null,
    })),
  };
}

export const greenhouseSource = jobBoardSource('greenhouse', 'Greenhouse', greenhouseApiUrl, readGreenhouse);
