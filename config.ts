// Reads the environment once, validates it, and says which keys are secrets.
// Everything else asks this module; nothing else reads process.env.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { parseAllowPrivate } from './net/address.js';

/** Keys whose values must never be printed or logged. */
export const SECRET_KEYS = [
  'APP_SECRET',
  'ANTHROPIC_API_KEY',
  'DATABASE_URL',
  'GOOGLE_CLIENT_SECRET',
  'MICROSOFT_CLIENT_SECRET',
  'HUBSPOT_CLIENT_SECRET',
  'SALESFORCE_CLIENT_SECRET',
] as const;

/** `host:port`; port 465 (SMTP) and 993 (IMAP) mean TLS from the start, others STARTTLS or plain. */
const hostPort = z
  .string()
  .regex(/^[\w.-]+:\d{1,5}$/, 'host:port, e.g. smtp.gmail.com:465')
  .transform((v) => {
    const [host, port] = v.split(':') as [string, string];
    return { host, port: Number(port), secure: port === '465' || port === '993' };
  });

export interface MailEndpoint {
  host: string;
  port: number;
  /** TLS from the start (ports 465 and 993); otherwise STARTTLS when the server offers it. */
  secure: boolean;
}

export interface OAuthProviderConfig {
  /** Both set: the provider is configured and its Connect button shows. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** OpenID issuer; its discovery document names every sign-in endpoint the code talks to. */
  issuer: string;
  smtp: MailEndpoint;
  imap: MailEndpoint;
  /** Gmail API or Microsoft Graph base URL (no trailing slash). */
  apiUrl: string;
}

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// connection URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.prospector'),
  PORT: z.coerce.number().int('a whole port number').min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url('an absolute http(s) URL, e.g. https://prospector.example.com').optional(),
  APP_SECRET: z.string().min(32, 'at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url('an absolute URL of a Messages API server').optional(),
  ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  ANTHROPIC_CLASSIFY_MODEL: z.string().min(1).default('claude-haiku-5-5'),
  ANTHROPIC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(120_000),
  ANTHROPIC_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  DRAFT_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: short lines for `prospector start` at a terminal, JSON for `web` and `worker`. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** true/false, or a comma-separated list of origins (`http://10.0.0.5:8080,smtp://127.0.0.1:2525`). */
  ALLOW_PRIVATE_FETCH: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseAllowPrivate(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `true, false or a list of origins: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
  /** Comma-separated DNS servers (`host` or `host:port`) for outbound names; unset: the system resolver. */
  DNS_SERVERS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine((l) => l.every((x) => /^[\w.:[\]-]+$/.test(x)), 'a comma-separated list of host or host:port'),
  /** A contact address sent in the User-Agent of fetches (SEC EDGAR refuses anonymous clients). */
  FETCH_CONTACT: z.email('an email address for the User-Agent, e.g. ops@example.com').optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  SMTP_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Express's `trust proxy`: hop count, `loopback`, or addresses/CIDRs of the proxies in front. */
  TRUST_PROXY: z
    .string()
    .regex(/^(\d+|true|[\w.:/, -]+)$/, 'a hop count, "loopback", or the proxies\' addresses (CIDR), comma-separated')
    .optional(),
  // OAuth mailboxes (issue 13). A provider is configured when its client id and secret are set.
  // Every endpoint can be pointed elsewhere (the tests run the real code against loopback fakes):
  // the issuer's discovery document names the authorization, token, revocation, userinfo, JWKS
  // and introspection endpoints; SMTP/IMAP are host:port; the APIs are base URLs.
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_OAUTH_ISSUER: z.url('an absolute URL of an OpenID issuer').default('https://accounts.google.com'),
  GOOGLE_SMTP: hostPort.prefault('smtp.gmail.com:465'),
  GOOGLE_IMAP: hostPort.prefault('imap.gmail.com:993'),
  GOOGLE_API_URL: z.url('an absolute URL of the Gmail API').default('https://gmail.googleapis.com'),
  MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  MICROSOFT_TENANT: z
    .string()
    .regex(/^[\w.-]+$/, 'a tenant id or domain, or common / organizations / consumers')
    .default('common'),
  /** Default: https://login.microsoftonline.com/<MICROSOFT_TENANT>/v2.0 */
  MICROSOFT_OAUTH_ISSUER: z.url('an absolute URL of an OpenID issuer').optional(),
  MICROSOFT_SMTP: hostPort.prefault('smtp.office365.com:587'),
  MICROSOFT_IMAP: hostPort.prefault('outlook.office365.com:993'),
  MICROSOFT_GRAPH_URL: z.url('an absolute URL of Microsoft Graph').default('https://graph.microsoft.com'),
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  HUBSPOT_API_URL: z.url('an absolute URL of the HubSpot API').default('https://api.hubapi.com'),
  HUBSPOT_SEARCH_LIMIT: z.coerce.number().int().min(100).max(10_000).default(10_000),
  HUBSPOT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  HUBSPOT_AUTH_URL: z
    .url('an absolute URL of the HubSpot authorize page')
    .default('https://app.hubspot.com/oauth/authorize'),
  // Salesforce CRM (issue 14): a connected app's consumer key/secret; the login hosts a connection chooses
  // between (production or sandbox). Tests point both at a loopback fake.
  SALESFORCE_CLIENT_ID: z.string().min(1).optional(),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
  SALESFORCE_LOGIN_URL: z.url('an absolute URL of a Salesforce login host').default('https://login.salesforce.com'),
  SALESFORCE_SANDBOX_LOGIN_URL: z
    .url('an absolute URL of a Salesforce login host')
    .default('https://test.salesforce.com'),
});

export type Env = z.infer<typeof EnvSchema>;

/**
 * List prices in USD per million tokens (Anthropic pricing pages, checked 2026-11): fresh input,
 * output, 5-minute cache writes and cache reads. A model id not listed is priced by the longest
 * key it starts with, else at `default`, so cost is never silently zero. Haiku 5.5 prices are
 * for prompts up to 100K tokens (drafts are far below that).
 */
export const ANTHROPIC_PRICES: Record<
  string,
  { input: number; output: number; cacheWrite: number; cacheRead: number }
> = {
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
  'claude-haiku-5-5': { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  'claude-sonnet-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  'claude-opus-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  default: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
};

export interface Config {
  databaseUrl: string | undefined;
  embedded: boolean;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  appSecret: string;
  appSecretGenerated: boolean;
  anthropic: {
    apiKey?: string;
    baseURL?: string;
    model: string;
    classifyModel: string;
    timeoutMs: number;
    maxRetries: number;
  };
  /** LLM drafts in flight at once per workspace, per process. */
  draftConcurrency: number;
  logLevel: Env['LOG_LEVEL'];
  logFormat: Env['LOG_FORMAT'];
  /** Private addresses: all (true), none (false), or only these origins (`scheme://host[:port]`). */
  allowPrivateFetch: boolean | string[];
  fetchContact: string | undefined;
  /** DNS servers the address guard resolves with; empty: the system resolver. */
  dnsServers: string[];
  dbPoolMax: number;
  /** SMTP socket inactivity limit: a server slower than this after the final dot makes the step `unknown`. */
  smtpSocketTimeoutMs: number;
  /** Undefined: X-Forwarded-For is ignored and the socket's address is the client's. */
  trustProxy: string | number | boolean | undefined;
  /** OAuth mailboxes: sign-in and mail endpoints per provider (see the README, "Google and Microsoft mailboxes"). */
  oauth: { google: OAuthProviderConfig; microsoft: OAuthProviderConfig & { tenant: string } };
  /** HubSpot (issue 14): OAuth app credentials (optional: a private app token works without) and base URLs. */
  hubspot: {
    clientId?: string;
    clientSecret?: string;
    apiUrl: string;
    authUrl: string;
    /** Results one CRM search returns at most (HubSpot: 10,000); the sync restarts its search before. */
    searchLimit: number;
    /** A HubSpot call not answered within this long is abandoned (its outcome unknown). */
    timeoutMs: number;
  };
  /** Salesforce CRM: the connected app and the two login hosts (production, sandbox). */
  salesforce: { clientId?: string; clientSecret?: string; loginUrl: string; sandboxLoginUrl: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `.env` in the working directory fills keys the real environment does not set. */
function readEnvFile(cwd = process.cwd()): Record<string, string> {
  const file = path.join(cwd, '.env');
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

function describe(issue: z.core.$ZodIssue): string {
  const key = String(issue.path[0] ?? '?');
  return `${key}: expected ${issue.message}`;
}

/** Validates raw environment values. Pure apart from creating/reading the generated secret file. */
export function loadConfig(env: Record<string, string | undefined> = { ...readEnvFile(), ...process.env }): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map(describe);
  if (cleaned.DATABASE_URL && !cleaned.APP_SECRET) {
    problems.push('APP_SECRET: expected a value of at least 32 characters; it is required when DATABASE_URL is set');
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const dataDir = path.resolve(e.DATA_DIR);
  let appSecret = e.APP_SECRET;
  let generated = false;
  if (!appSecret) {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'app-secret');
    if (existsSync(file)) {
      appSecret = readFileSync(file, 'utf8').trim();
    } else {
      appSecret = randomBytes(32).toString('hex');
      writeFileSync(file, appSecret + '\n', { mode: 0o600 });
      generated = true;
    }
  }
  return {
    databaseUrl: e.DATABASE_URL,
    embedded: !e.DATABASE_URL,
    dataDir,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    appSecret,
    appSecretGenerated: generated,
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY,
      baseURL: e.ANTHROPIC_BASE_URL,
      model: e.ANTHROPIC_MODEL,
      classifyModel: e.ANTHROPIC_CLASSIFY_MODEL,
      timeoutMs: e.ANTHROPIC_TIMEOUT_MS,
      maxRetries: e.ANTHROPIC_MAX_RETRIES,
    },
    draftConcurrency: e.DRAFT_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    allowPrivateFetch: e.ALLOW_PRIVATE_FETCH,
    fetchContact: e.FETCH_CONTACT,
    dnsServers: e.DNS_SERVERS,
    dbPoolMax: e.DB_POOL_MAX,
    smtpSocketTimeoutMs: e.SMTP_SOCKET_TIMEOUT_MS,
    trustProxy:
      e.TRUST_PROXY === undefined
        ? undefined
        : /^\d+$/.test(e.TRUST_PROXY)
          ? Number(e.TRUST_PROXY)
          : e.TRUST_PROXY === 'true' || e.TRUST_PROXY,
    oauth: {
      google: {
        clientId: e.GOOGLE_CLIENT_ID,
        clientSecret: e.GOOGLE_CLIENT_SECRET,
        issuer: e.GOOGLE_OAUTH_ISSUER,
        smtp: e.GOOGLE_SMTP,
        imap: e.GOOGLE_IMAP,
        apiUrl: e.GOOGLE_API_URL.replace(/\/$/, ''),
      },
      microsoft: {
        clientId: e.MICROSOFT_CLIENT_ID,
        clientSecret: e.MICROSOFT_CLIENT_SECRET,
        tenant: e.MICROSOFT_TENANT,
        issuer: e.MICROSOFT_OAUTH_ISSUER ?? `https://login.microsoftonline.com/${e.MICROSOFT_TENANT}/v2.0`,
        smtp: e.MICROSOFT_SMTP,
        imap: e.MICROSOFT_IMAP,
        apiUrl: e.MICROSOFT_GRAPH_URL.replace(/\/$/, ''),
      },
    },
    hubspot: {
      clientId: e.HUBSPOT_CLIENT_ID,
      clientSecret: e.HUBSPOT_CLIENT_SECRET,
      apiUrl: e.HUBSPOT_API_URL.replace(/\/$/, ''),
      authUrl: e.HUBSPOT_AUTH_URL,
      searchLimit: e.HUBSPOT_SEARCH_LIMIT,
      timeoutMs: e.HUBSPOT_TIMEOUT_MS,
    },
    salesforce: {
      clientId: e.SALESFORCE_CLIENT_ID,
      clientSecret: e.SALESFORCE_CLIENT_SECRET,
      loginUrl: e.SALESFORCE_LOGIN_URL.replace(/\/$/, ''),
      sandboxLoginUrl: e.SALESFORCE_SANDBOX_LOGIN_URL.replace(/\/$/, ''),
    },
  };
}

/** A copy of the config safe to print: secret values replaced. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl ? config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@') : undefined,
    appSecret: '***',
    anthropic: { ...config.anthropic, apiKey: config.anthropic.apiKey ? '***' : undefined },
    oauth: {
      google: { ...config.oauth.google, clientSecret: config.oauth.google.clientSecret ? '***' : undefined },
      microsoft: { ...config.oauth.microsoft, clientSecret: config.oauth.microsoft.clientSecret ? '***' : undefined },
    },
    hubspot: { ...config.hubspot, clientSecret: config.hubspot.clientSecret ? '***' : undefined },
    salesforce: { ...config.salesforce, clientSecret: config.salesforce.clientSecret ? '***' : undefined },
  };
}
