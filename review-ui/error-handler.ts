import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { html } from './html.js';
import { page } from './layout.js';
import { redactUrl } from './log-redact.js';

const TITLES: Record<number, string> = {
  400: 'That did not work',
  401: 'Please log in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  429: 'Slow down',
};

/** PostgreSQL's class 22 (data exception): NUL in text, a timestamp out of range, a bad number. */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** Refused input is the client's problem: a warning with what was refused, never a stack. */
export function logRejected(
  log: Logger,
  req: Request,
  err: { code: string; status: number; message: string },
  pg?: string,
) {
  const { code, status, message: why } = err;
  log.warn(
    { code, pg, status, method: req.method, url: redactUrl(req.originalUrl), anonymous: !req.user, why },
    'http.rejected',
  );
}

/**
 * A form refused for its input (an AppError answering 400): logged as refused, answered 400 with
 * `page(reason, err)` — the form's page again, with the reason and what was typed. With `conflict`, a
 * CONFLICT (input clashing with a record, e.g. a domain another account has) is shown so too, answering
 * 409. Anything else is thrown on to the error handler.
 */
export async function answerRefused(
  log: Logger,
  req: Request,
  res: Response,
  err: unknown,
  page: (why: string, err: AppError) => Promise<string>,
  { conflict = false }: { conflict?: boolean } = {},
): Promise<void> {
  if (!(err instanceof AppError) || !(err.status === 400 || (conflict && err.code === 'CONFLICT'))) throw err;
  logRejected(log, req, err);
  res
    .status(err.status)
    .type('html')
    .send(await page(err.message, err));
}

/** Says what went wrong in words a person can act on; stacks go to the log with a reference. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status = 500,
      code = 'INTERNAL',
      message = 'Something went wrong on our side.';
    if (err instanceof AppError) {
      ({ status, code, message } = { status: err.status, code: err.code, message: err.message });
    } else if (typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500) {
      // body-parser, multer and friends: their messages are safe and useful (e.g. "File too large").
      status = (err as { status: number }).status;
      code = (err as { type?: string; code?: string }).code ?? (err as { type?: string }).type ?? 'BAD_REQUEST';
      message = (err as Error).message;
    } else if ((err as { code?: string }).code === 'LIMIT_FILE_SIZE') {
      status = 413;
      code = 'TOO_LARGE';
      message = 'The file is larger than the 20 MB limit.';
    } else if (isDataException(err)) {
      // The last line of defence for input the edges let through: PostgreSQL refused a value.
      status = 400;
      code = 'VALIDATION';
      message = 'A value is out of range or not valid text (for example a date far in the past or future).';
    }
    const ref = randomUUID().slice(0, 8);
    if (status >= 500) {
      log.error({ err, ref, method: req.method, url: redactUrl(req.originalUrl) }, 'http.error');
      message = `${message} Reference: ${ref}.`;
    } else if (status !== 404 && status !== 401) {
      logRejected(
        log,
        req,
        { code, status, message },
        isDataException(err) ? (err as { code: string }).code : undefined,
      );
    }
    if (res.headersSent) return;
    const wantsJson =
      req.originalUrl.startsWith('/api/') || req.authKind === 'token' || req.accepts(['html', 'json']) === 'json';
    if (wantsJson) {
      res.status(status).json({ error: { code, message } });
      return;
    }
    res
      .status(status)
      .type('html')
      .send(
        page(
          req,
          TITLES[status] ?? 'Error',
          html`<p class="error" role="alert">${message}</p>
            <p><a href="/">Back to Prospector</a></p>`,
        ),
      );
  };
}
