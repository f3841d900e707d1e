// Who is fetching: one product token (what robots.txt rules are matched against) and one
// User-Agent that names the instance and, with FETCH_CONTACT, how to reach its operator
// (SEC EDGAR refuses anonymous clients).

/** The robots.txt product token, and the first word of the User-Agent. */
export const BOT_TOKEN = 'ProspectorBot';

export function userAgent(id: { publicUrl: string; fetchContact?: string | undefined }): string {
  return `${BOT_TOKEN}/0.1 (+${id.publicUrl}${id.fetchContact ? `; ${id.fetchContact}` : ''})`;
}
