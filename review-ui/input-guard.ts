// One place that refuses text no field of ours can use, before any route or query sees it:
// PostgreSQL rejects NUL in text with an error that used to surface as a 500, and control
// characters or bidi overrides in a name let one line pretend to be another (in a header, a
// list, a log). Every query string and parsed body passes here; routes keep their own zod rules.
import type { NextFunction, Request, Response } from 'express';
import { CONTROL_CHARS as CONTROL, LINE_BREAKS as LINE_BREAK } from '../accounts/normalize.js';
import { AppError } from '../errors.js';

/** Fields that end up on one line: names, sender names, subjects, titles, addresses. */
const SINGLE_LINE_KEY = /(name|subject|title|email)$/i;

function describe(ch: string): string {
  if (ch === '\u0000') return 'a NUL character';
  if (LINE_BREAK.test(ch)) return 'a line break';
  if (/[\u202A-\u202E\u2066-\u2069]/.test(ch)) return 'a bidirectional override';
  return 'a control character';
}

/** The first problem in a string field, e.g. `name: a line break is not allowed`. Pure. */
function textProblem(key: string, value: string): string | undefined {
  const bad = CONTROL.exec(value) ?? (SINGLE_LINE_KEY.test(key) ? LINE_BREAK.exec(value) : null);
  return bad ? `${key}: ${describe(bad[0])} is not allowed here.` : undefined;
}

/** Walks nested objects and arrays (JSON bodies, repeated query keys); returns the first problem. */
function findBadText(value: unknown, key = 'value', depth = 0): string | undefined {
  if (typeof value === 'string') return textProblem(key, value);
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  if (Buffer.isBuffer(value)) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = findBadText(v, key, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const p = textProblem('key', k) ?? findBadText(v, k, depth + 1);
    if (p) return p;
  }
  return undefined;
}

export function inputGuard(req: Request, _res: Response, next: NextFunction) {
  const inPath = /%00/i.test(req.path) ? 'path: a NUL character is not allowed here.' : undefined;
  const problem = inPath ?? findBadText(req.query, 'query') ?? findBadText(req.body, 'body');
  if (problem) return next(new AppError('VALIDATION', problem));
  next();
}
