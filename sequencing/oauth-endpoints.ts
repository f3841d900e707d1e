// Where an OAuth mailbox (Google Workspace, Microsoft 365) sends and reads: the providers' SMTP
// and IMAP hosts (XOAUTH2) and their mail API base URLs, from configuration (GOOGLE_SMTP,
// MICROSOFT_GRAPH_URL, …: the tests point them at loopback servers). A host saved on the mailbox row wins.
import type { Config, MailEndpoint } from '../config.js';
import type { MailboxRow } from '../db/queries/sending.js';
import type { OAuthProvider } from '../mailboxes/oauth-types.js';

export interface OAuthMailEndpoints {
  smtp: MailEndpoint;
  imap: MailEndpoint;
  /** Gmail API root (`https://gmail.googleapis.com`) or Graph root (`https://graph.microsoft.com`). */
  api: string;
}

export type OAuthMailbox = MailboxRow & { kind: OAuthProvider };

export function isOAuthMailbox(m: MailboxRow): m is OAuthMailbox {
  return m.kind === 'google' || m.kind === 'microsoft';
}

/** The endpoints for one OAuth mailbox: its row's hosts when set, else configuration's. */
export function endpointsFor(m: OAuthMailbox, oauth: Config['oauth']): OAuthMailEndpoints {
  const c = oauth[m.kind];
  return {
    smtp: m.smtp_host ? { host: m.smtp_host, port: m.smtp_port ?? c.smtp.port, secure: m.smtp_secure } : c.smtp,
    imap: m.imap_host ? { host: m.imap_host, port: m.imap_port ?? c.imap.port, secure: m.imap_secure } : c.imap,
    api: c.apiUrl.replace(/\/+$/, ''),
  };
}
