// What the OAuth side (connect flow, token store: mailboxes/oauth/) and the transports that use
// its tokens (SMTP/IMAP with XOAUTH2, the Gmail and Graph APIs) agree on. A leaf: imports nothing.

export type OAuthProvider = 'google' | 'microsoft';

/** How an OAuth mailbox sends and reads: SMTP + IMAP with XOAUTH2, or the provider's HTTP API. */
export type OAuthTransport = 'smtp' | 'api';

/**
 * The provider refused the saved sign-in (`invalid_grant` on refresh, or a 401 with a fresh token):
 * the mailbox is paused with `reason` in words and its due steps wait until it is reconnected.
 * Never retried; nothing is marked failed.
 */
export class ConsentError extends Error {
  override readonly name = 'ConsentError';
  constructor(
    readonly provider: OAuthProvider,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Access tokens for one mailbox. */
export interface AccessTokenSource {
  /**
   * A valid access token. Refreshes first when the saved one expires within a minute (or when
   * `forceRefresh`, after the provider answered 401 to it), under the token row's lock, so any
   * number of processes needing one at once refresh it once. Throws `ConsentError` when the
   * provider refused the saved sign-in; other errors (429, 5xx, network) are temporary.
   */
  get(opts?: { forceRefresh?: boolean }): Promise<string>;
}
