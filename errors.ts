// Stable error codes. Code branches on `code`, never on message text.
export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CSRF: 'CSRF',
  RATE_LIMITED: 'RATE_LIMITED',
  CONFLICT: 'CONFLICT',
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  IMPORT_FAILED: 'IMPORT_FAILED',
  FETCH_FAILED: 'FETCH_FAILED',
  FETCH_BLOCKED: 'FETCH_BLOCKED',
  FETCH_SKIPPED: 'FETCH_SKIPPED',
  MAIL_UNREACHABLE: 'MAIL_UNREACHABLE',
  PARSE_FAILED: 'PARSE_FAILED',
  LLM_FAILED: 'LLM_FAILED',
  LLM_SCHEMA: 'LLM_SCHEMA',
  SMTP_TEMPORARY: 'SMTP_TEMPORARY',
  SMTP_PERMANENT: 'SMTP_PERMANENT',
  SMTP_AUTH: 'SMTP_AUTH',
  IMAP_AUTH: 'IMAP_AUTH',
  STATE: 'STATE',
  /** A draft flagged by the drafting gates, approved in bulk or without naming its failures. */
  GATE_FAILURES: 'GATE_FAILURES',
  /** The CRM holds the account out of new sequences (a customer, an open deal, deleted there): crm/guards.ts. */
  HELD_OUT: 'HELD_OUT',
  /** A request body larger than its endpoint needs, refused before it is read. */
  TOO_LARGE: 'TOO_LARGE',
  /** The user logged in with a one-time password and must choose a new one before anything else. */
  PASSWORD_CHANGE_REQUIRED: 'PASSWORD_CHANGE_REQUIRED',
} as const;

type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const httpStatus: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  CSRF: 403,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  STATE: 409,
  GATE_FAILURES: 409,
  HELD_OUT: 409,
  FETCH_BLOCKED: 400,
  TOO_LARGE: 413,
  PASSWORD_CHANGE_REQUIRED: 403,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
  get status(): number {
    return httpStatus[this.code] ?? 500;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
