// Where an OAuth mailbox (Google Workspace, Microsoft 365) sends and reads: the providers' SMTP
// and IMAP hosts (XOAUTH2) and their mail API base URLs. Configuration can point each elsewhere
// (the tests run the real code against loopback servers); a host saved on the mailbox row wins.
import type { MailboxRow } from '../db/queries/sending.js';
import type { OAuthProvider } from '../mailboxes/oauth-types.js';

export interface MailHost {
  host: string;
  port: number;
  /** TLS from the start (465, 993); false: STARTTLS when the server offers it. */
  secure: boolean;
}

export interface OAuthMailEndpoints {
  smtp: MailHost;
  imap: MailHost;
  /** Gmail API root (`https://gmail.googleapis.com`) or Graph root (`https://graph.microsoft.com/v1.0`). */
  api: string;
}

export type OAuthEndpointOverrides = Partial<Record<OAuthProvider, Partial<OAuthMailEndpoints>>>;

export const PROVIDER_ENDPOINTS: Record<OAuthProvider, OAuthMailEndpoints> = {
  google: {
    smtp: { host: 'smtp.gmail.com', port: 465, secure: true },
    imap: { host: 'imap.gmail.com', port: 993, secure: true },
    api: 'https://gmail.googleapis.com',
  },
  microsoft: {
    smtp: { host: 'smtp.office365.com', port: 587, secure: false },
    imap: { host: 'outlook.office365.com', port: 993, secure: true },
    api: 'https://graph.microsoft.com/v1.0',
  },
};

export function isOAuthMailbox(m: Pick<MailboxRow, 'kind'>): m is Pick<MailboxRow, 'kind'> & { kind: OAuthProvider } {
  return m.kind === 'google' || m.kind === 'microsoft';
}

/** `host:port` (or a bare host, the default port kept); secure follows the port unless the key says otherwise. */
export function parseMailHost(value: string, fallback: MailHost): MailHost {
  const m = /^(?:(smtps?|imaps?):\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/i.exec(value.trim());
  if (!m) throw new Error(`not a host[:port]: ${value}`);
  const port = m[3] ? Number(m[3]) : fallback.port;
  const scheme = m[1]?.toLowerCase();
  const secure = scheme ? scheme.endsWith('s') : port === 465 || port === 993 ? true : m[3] ? false : fallback.secure;
  return { host: m[2]!.replace(/^\[|\]$/g, ''), port, secure };
}

/** The endpoints for one OAuth mailbox: its row's hosts when set, else configuration, else the provider's own. */
export function endpointsFor(
  m: Pick<
    MailboxRow,
    'kind' | 'smtp_host' | 'smtp_port' | 'smtp_secure' | 'imap_host' | 'imap_port' | 'imap_secure'
  > & { kind: OAuthProvider },
  overrides: OAuthEndpointOverrides = {},
): OAuthMailEndpoints {
  const base = { ...PROVIDER_ENDPOINTS[m.kind], ...overrides[m.kind] };
  return {
    smtp: m.smtp_host ? { host: m.smtp_host, port: m.smtp_port ?? base.smtp.port, secure: m.smtp_secure } : base.smtp,
    imap: m.imap_host ? { host: m.imap_host, port: m.imap_port ?? base.imap.port, secure: m.imap_secure } : base.imap,
    api: base.api.replace(/\/+$/, ''),
  };
}
