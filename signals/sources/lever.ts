// Lever postings API: GET /v0/postings/{company}?mode=json → [{ id, text, categories, hostedUrl, createdAt }].
import { z } from 'zod';
import { boardShapeError, jobBoardSource, type Job } from './jobs.js';

const LeverPostings = z.array(
  z.object({
    id: z.string(),
    text: z.string(),
    hostedUrl: z.string().nullish(),
    createdAt: z.number().nullish(),
    categories: z
      .object({ team: z.string().nullish(), department: z.string().nullish(), location: z.string().nullish() })
      .partial()
      .nullish(),
  }),
);

function leverApiUrl(input: string): string {
  const u = new URL(input);
  if (/\/v0\/postings\/[^/]+\/?$/.test(u.pathname)) {
    u.searchParams.set('mode', 'json');
    return u.toString();
  }
  const company = u.pathname.split('/').filter(Boolean)[0];
  if (u.hostname === 'jobs.lever.co' && company) return `https://api.lever.co/v0/postings/${company}?mode=json`;
  return u.toString();
}

function readLever(json: unknown, url: string): { jobs: Job[]; company?: string } {
  const p = LeverPostings.safeParse(json);
  if (!p.success) throw boardShapeError('Lever', p.error);
  return {
    company: /\/postings\/([^/?]+)/.exec(new URL(url).pathname)?.[1],
    jobs: p.data.map((j) => ({
      id: j.id,
      title: j.text,
      department: j.categories?.department ?? j.categories?.team ?? null,
      location: j.categories?.location ?? null,
      url: j.hostedUrl ?? null,
      postedAt: j.createdAt ? new Date(j.createdAt) : null,
    })),
  };
}

export const leverSource = jobBoardSource('lever', 'Lever', leverApiUrl, readLever);
