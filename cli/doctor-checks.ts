// `prospector doctor`: each check says ok / warn / fail and, when not ok, what to fix.
// Network-facing parts (DNS, SMTP, IMAP, the LLM API) are passed in so tests can point them
// at loopback servers and a fixed resolver.
import { execFile } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { one, run, type Database } from '../db/index.js';
import { listMigrations } from '../db/migrate.js';
import { allMailboxes, appliedMigrationVersions, queueSchemaVersion, serverVersion } from '../db/queries/doctor.js';
import type { MailboxRow } from '../db/queries/sending.js';
import { isAppError } from '../errors.js';
import { createLlm } from '../llm/client.js';
import type { AddressPolicy } from '../net/address.js';
import { pinMailHost, smtpGetSocket } from '../net/mail.js';
import type { SecretBox } from '../secret-box.js';

export type Status = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  status: Status;
  detail: string;
  fix?: string;
}

export interface DoctorDeps {
  resolveTxt: (name: string) => Promise<string[][]>;
  chromiumPath: string;
  timeoutMs: number;
}

export const defaultDeps = (): DoctorDeps => ({
  resolveTxt: (n) => dns.resolveTxt(n),
  chromiumPath: '/usr/bin/chromium',
  timeoutMs: 10_000,
});

const errText = (e: unknown) => {
  const err = e as { code?: string; message?: string; responseCode?: number; response?: string };
  return [err.code, err.responseCode, err.response ?? err.message].filter(Boolean).join(' ');
};

export async function checkDatabase(db: Database): Promise<Check[]> {
  const out: Check[] = [];
  try {
    const v = (await one(db, serverVersion()))!;
    out.push({ name: 'database', status: 'ok', detail: `${db.kind}: ${v.v.split(' on ')[0]}` });
  } catch (e) {
    return [
      {
        name: 'database',
        status: 'fail',
        detail: errText(e),
        fix: 'Check DATABASE_URL: host, port, user, password and database name.',
      },
    ];
  }
  const applied = await run(db, appliedMigrationVersions()).then(
    (rows) => rows.map((x) => x.version),
    () => [] as number[],
  );
  const pending = listMigrations().filter((m) => !applied.includes(m.version));
  out.push(
    pending.length
      ? {
          name: 'migrations',
          status: 'fail',
          detail: `${pending.length} pending: ${pending.map((m) => m.name).join(', ')}`,
          fix: 'Run `prospector migrate`.',
        }
      : { name: 'migrations', status: 'ok', detail: `${applied.length} applied` },
  );
  const boss = await one(db, queueSchemaVersion()).catch(() => undefined);
  out.push(
    boss
      ? { name: 'queue', status: 'ok', detail: `pg-boss schema version ${boss.version}` }
      : {
          name: 'queue',
          status: 'fail',
          detail: 'the pgboss schema is missing',
          fix: 'Start `prospector web` or `worker` once: it creates the queue schema.',
        },
  );
  return out;
}

/** What to do when the address guard refused a mail host (net/mail.ts). */
const blockedFix = (scheme: string, host: string, port: number) =>
  `${host} is a private address: list ${scheme}://${host}:${port} in ALLOW_PRIVATE_FETCH if this server is meant to be used.`;

async function smtpLogin(m: MailboxRow, secrets: SecretBox, timeoutMs: number, policy: AddressPolicy): Promise<Check> {
  const name = `mailbox ${m.id} SMTP (${m.from_email})`;
  if (!m.smtp_host)
    return {
      name,
      status: 'fail',
      detail: 'no SMTP host configured',
      fix: 'Set the SMTP host, port and login in Settings → Mailboxes.',
    };
  const t = nodemailer.createTransport({
    host: m.smtp_host,
    port: m.smtp_port ?? 587,
    secure: m.smtp_secure,
    auth: m.smtp_user ? { user: m.smtp_user, pass: m.smtp_pass_enc ? secrets.open(m.smtp_pass_enc) : '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    getSocket: smtpGetSocket(policy, timeoutMs),
  });
  try {
    await t.verify();
    return { name, status: 'ok', detail: `logged in to ${m.smtp_host}:${m.smtp_port ?? 587}` };
  } catch (e) {
    const auth = (e as { code?: string }).code === 'EAUTH';
    return {
      name,
      status: 'fail',
      detail: errText(e),
      fix: auth
        ? 'The SMTP user or password is wrong (for Google/Microsoft use an app password).'
        : isAppError(e, 'FETCH_BLOCKED')
          ? blockedFix('smtp', m.smtp_host, m.smtp_port ?? 587)
          : `Check that ${m.smtp_host}:${m.smtp_port ?? 587} is reachable and the TLS setting matches the port.`,
    };
  } finally {
    t.close();
  }
}

async function imapLogin(m: MailboxRow, secrets: SecretBox, timeoutMs: number, policy: AddressPolicy): Promise<Check> {
  const name = `mailbox ${m.id} IMAP (${m.from_email})`;
  if (!m.imap_host)
    return {
      name,
      status: 'warn',
      detail: 'no IMAP configured: replies are detected only through the inbound webhook',
      fix: 'Add IMAP settings so replies stop sequences automatically.',
    };
  const port = m.imap_port ?? 993;
  let pinned;
  try {
    pinned = await pinMailHost('imap', m.imap_host, port, policy);
  } catch (e) {
    return { name, status: 'fail', detail: errText(e), fix: blockedFix('imap', m.imap_host, port) };
  }
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    ...pinned,
    port,
    secure: m.imap_secure,
    logger: false,
    auth: { user: m.imap_user ?? '', pass: m.imap_pass_enc ? secrets.open(m.imap_pass_enc) : '' },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.logout();
    return { name, status: 'ok', detail: `logged in to ${m.imap_host}:${m.imap_port ?? 993}` };
  } catch (e) {
    const authFailed = (e as { authenticationFailed?: boolean }).authenticationFailed;
    return {
      name,
      status: 'fail',
      detail: errText(e),
      fix: authFailed
        ? 'The IMAP user or password is wrong.'
        : `Check that ${m.imap_host}:${m.imap_port ?? 993} is reachable and the TLS setting matches the port.`,
    };
  }
}

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'ETIMEOUT', 'ESERVFAIL', 'EAI_AGAIN', 'ECONNRESET']);

/** SPF, DMARC and (when a selector is configured) DKIM records for a sending domain. */
export async function checkDomain(
  domain: string,
  dkimSelector: string | null,
  deps: Pick<DoctorDeps, 'resolveTxt'>,
): Promise<Check[]> {
  if (/\.(example|test|invalid|localhost)$/.test(domain)) {
    return [{ name: `DNS ${domain}`, status: 'warn', detail: 'reserved domain (demo or test): no DNS to check' }];
  }
  const lookup = async (name: string): Promise<string[] | 'offline' | 'none'> => {
    try {
      return (await deps.resolveTxt(name)).map((parts) => parts.join(''));
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      return OFFLINE_CODES.has(code) ? 'offline' : 'none';
    }
  };
  const rec = async (label: string, name: string, prefix: RegExp, fix: string): Promise<Check> => {
    const r = await lookup(name);
    if (r === 'offline')
      return {
        name: `${label} ${domain}`,
        status: 'warn',
        detail: `could not reach DNS to look up ${name} (offline?)`,
        fix: 'Run doctor again where DNS is reachable.',
      };
    const found = r === 'none' ? undefined : r.find((t) => prefix.test(t));
    return found
      ? { name: `${label} ${domain}`, status: 'ok', detail: found }
      : { name: `${label} ${domain}`, status: 'fail', detail: `no ${label} record at ${name}`, fix };
  };
  const out = [
    await rec(
      'SPF',
      domain,
      /^v=spf1\b/i,
      `Publish a TXT record at ${domain} like "v=spf1 include:<your mail provider> ~all".`,
    ),
    await rec(
      'DMARC',
      `_dmarc.${domain}`,
      /^v=DMARC1\b/i,
      `Publish a TXT record at _dmarc.${domain} like "v=DMARC1; p=none; rua=mailto:dmarc@${domain}".`,
    ),
  ];
  out.push(
    dkimSelector
      ? await rec(
          'DKIM',
          `${dkimSelector}._domainkey.${domain}`,
          /v=DKIM1|k=rsa|p=/i,
          `Publish your provider's DKIM public key at ${dkimSelector}._domainkey.${domain}.`,
        )
      : {
          name: `DKIM ${domain}`,
          status: 'warn',
          detail: 'no DKIM selector configured for this mailbox',
          fix: 'Add the selector your mail provider signs with, so doctor can check its key.',
        },
  );
  return out;
}

export async function checkMailboxes(
  db: Database,
  secrets: SecretBox,
  deps: DoctorDeps,
  policy: AddressPolicy,
): Promise<Check[]> {
  const boxes = await run(db, allMailboxes()).catch((): MailboxRow[] => []);
  if (!boxes.length)
    return [
      {
        name: 'mailboxes',
        status: 'warn',
        detail: 'no mailboxes configured',
        fix: 'Add a mailbox per rep in Settings → Mailboxes.',
      },
    ];
  const out: Check[] = [];
  const domains = new Map<string, string | null>();
  for (const m of boxes) {
    if (m.kind === 'outbox') {
      out.push({
        name: `mailbox ${m.id} (${m.from_email})`,
        status: 'warn',
        detail: 'local outbox: messages are kept as .eml files, not sent',
        fix: 'Configure SMTP for this mailbox to send for real.',
      });
      continue;
    }
    // Google and Microsoft mailboxes log in with tokens: doctor-oauth.ts checks them.
    if (m.kind === 'smtp')
      out.push(
        await smtpLogin(m, secrets, deps.timeoutMs, policy),
        await imapLogin(m, secrets, deps.timeoutMs, policy),
      );
    const domain = m.dkim_domain ?? m.from_email.split('@')[1] ?? '';
    if (domain && !domains.has(domain)) domains.set(domain, m.dkim_selector);
  }
  for (const [domain, selector] of domains) out.push(...(await checkDomain(domain, selector, deps)));
  return out;
}

const execFileP = promisify(execFile);

export async function checkChromium(path: string): Promise<Check> {
  if (!existsSync(path)) {
    return {
      name: 'chromium',
      status: 'warn',
      detail: `not found at ${path}: research reads static HTML only`,
      fix: 'Install it: `apt-get install chromium` (Debian/Ubuntu).',
    };
  }
  try {
    const { stdout } = await execFileP(path, ['--version'], { timeout: 15_000 });
    return { name: 'chromium', status: 'ok', detail: stdout.trim() };
  } catch (e) {
    return {
      name: 'chromium',
      status: 'fail',
      detail: `${path} does not run: ${errText(e)}`,
      fix: 'Reinstall the chromium package.',
    };
  }
}

export async function checkLlm(config: Config, timeoutMs: number): Promise<Check> {
  const { model } = config.anthropic;
  // A check answers within its own time, once: no retries.
  const llm = createLlm({ anthropic: { ...config.anthropic, timeoutMs, maxRetries: 0 } });
  if (!llm)
    return {
      name: 'LLM',
      status: 'warn',
      detail: 'no ANTHROPIC_API_KEY: drafts come from the offline drafter',
      fix: 'Set ANTHROPIC_API_KEY to let Claude research and draft.',
    };
  try {
    const models = await llm.client.models.list({ limit: 100 });
    const ids = models.data.map((m) => m.id);
    return ids.some((id) => id === model || id.startsWith(model))
      ? { name: 'LLM', status: 'ok', detail: `key accepted; ${model} available` }
      : {
          name: 'LLM',
          status: 'warn',
          detail: `key accepted, but ${model} is not listed (${ids.slice(0, 5).join(', ')})`,
          fix: 'Set ANTHROPIC_MODEL to one of the listed models.',
        };
  } catch (e) {
    const status = (e as { status?: number }).status;
    return {
      name: 'LLM',
      status: 'fail',
      detail: errText(e),
      fix:
        status === 401
          ? 'The ANTHROPIC_API_KEY was refused: create a new key.'
          : 'Check network access to the Anthropic API (or ANTHROPIC_BASE_URL).',
    };
  }
}
