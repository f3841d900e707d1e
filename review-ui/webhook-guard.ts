// Anonymous signed endpoints (inbound mail, product events, signal and booking webhooks): what
// can be checked without the body is checked before a byte of it is read — the routing headers,
// the signature header's shape and freshness, a declared length within what the endpoint needs —
// and the connection is closed on a refusal, so an outsider cannot make the server read or buffer
// megabytes. The signature itself is verified before any lookup or work that depends on the body.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../errors.js';
import { WEBHOOK_TOLERANCE_S } from '../sequencing/tracking.js';

const HEX = /^(?:sha256=)?[0-9a-f]{64}$/i;
const TIMESTAMPED = /^t=(\d{1,12}),\s*v1=[0-9a-f]{64}$/i;

/** `sha256=<hex>` or bare hex of an HMAC-SHA256. */
export const isHexSignature = (h: string | undefined): boolean => !!h && HEX.test(h.trim());

/** `t=<unix seconds>,v1=<hex>` with t within the replay tolerance. */
export function isFreshTimestamped(h: string | undefined, now = Date.now()): boolean {
  const m = TIMESTAMPED.exec(h?.trim() ?? '');
  return !!m && Math.abs(now / 1000 - Number(m[1])) <= WEBHOOK_TOLERANCE_S;
}

function refuse(res: Response, next: NextFunction, err: AppError) {
  res.set('Connection', 'close');
  next(err);
}

/**
 * The raw body of a signed anonymous request, read only when `precheck` (headers alone) passes
 * and the declared Content-Length is at most `limit` bytes.
 */
export function signedBody(limit: number, precheck: (req: Request) => string | undefined): RequestHandler {
  const raw = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    const why = precheck(req);
    if (why) return refuse(res, next, new AppError('UNAUTHENTICATED', why));
    const declared = req.get('content-length');
    if (declared === undefined && req.get('transfer-encoding'))
      return refuse(res, next, new AppError('VALIDATION', 'Send the body with a Content-Length.'));
    if (Number(declared) > limit)
      return refuse(res, next, new AppError('TOO_LARGE', `The body is larger than ${limit} bytes.`));
    raw(req, res, next);
  };
}
