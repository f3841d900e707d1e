// Raw inbound messages for tests: a reply, an out-of-office and an RFC 3464 bounce to one of our sent messages.
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

export function replyTo(o: {
  from: string;
  to: string;
  inReplyTo: string;
  subject?: string;
  body: string;
  id?: string;
  headers?: string[];
}): string {
  return crlf(
    [
      `From: Dana Prospect <${o.from}>`,
      `To: ${o.to}`,
      `Subject: ${o.subject ?? 'Re: Congrats on the Series B'}`,
      `Date: Tue, 10 Mar 2026 16:00:00 +0000`,
      `Message-ID: ${o.id ?? `<${Math.random().toString(36).slice(2)}@prospect.test>`}`,
      `In-Reply-To: ${o.inReplyTo}`,
      `References: ${o.inReplyTo}`,
      ...(o.headers ?? []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      o.body,
      '',
      'On Tue, Mar 10, 2026 at 9:00 AM Riley Rep <rep@sender.test> wrote:',
      '> Hi Dana,',
      '> Step 1 body.',
      '',
    ].join('\n'),
  );
}

export function dsnFor(o: {
  rcpt: string;
  to: string;
  originalMessageId: string;
  status?: string;
  diagnostic?: string;
}): string {
  const b = 'dsn-boundary-1';
  return crlf(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.prospect.test>',
      `To: ${o.to}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Date: Tue, 10 Mar 2026 14:05:00 +0000',
      `Message-ID: <${Math.random().toString(36).slice(2)}@mx.prospect.test>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      "I'm sorry to have to inform you that your message could not be delivered.",
      '',
      `--${b}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.prospect.test',
      '',
      `Final-Recipient: rfc822; ${o.rcpt}`,
      'Action: failed',
      `Status: ${o.status ?? '5.1.1'}`,
      `Diagnostic-Code: smtp; ${o.diagnostic ?? `550 5.1.1 <${o.rcpt}>: Recipient address rejected: User unknown`}`,
      '',
      `--${b}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: Riley Rep <${o.to}>`,
      `To: ${o.rcpt}`,
      'Subject: Congrats on the Series B',
      `Message-ID: ${o.originalMessageId}`,
      '',
      `--${b}--`,
      '',
    ].join('\n'),
  );
}
