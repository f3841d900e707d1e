// The unsubscribe pages reached from sent mail: no session, no app chrome, only the masked address.
import { html, type Html } from '../html.js';

function plainPage(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <main class="narrow">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`.toString();
}

/** Done: with the (masked) address when the page knows it, after the button without. */
export function unsubscribedPage(maskedEmail?: string): string {
  return plainPage(
    'You are unsubscribed',
    maskedEmail
      ? html`<p>${maskedEmail} will get no more emails from us.</p>`
      : html`<p>You will get no more emails from us.</p>`,
  );
}

export function unsubscribeConfirmPage(maskedEmail: string, token: string): string {
  return plainPage(
    'Unsubscribe?',
    html`<p>Stop all emails to ${maskedEmail}?</p>
      <form method="post" action="/u/${token}">
        <input type="hidden" name="confirm" value="1" /><button type="submit">Unsubscribe</button>
      </form>`,
  );
}
