// The login form. routes/auth.ts checks the form's token, the throttle and the password.
import { html, type Html } from '../html.js';

interface LoginView {
  /** The form's CSRF token (also set as a cookie on /login). */
  token: string;
  error?: string;
  email?: string;
  /** A same-site path (routes/auth.ts safeNext) to go to after logging in. */
  next: string;
}

export function loginForm(v: LoginView): Html {
  return html` ${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
    <form method="post" action="/login" class="stack">
      <input type="hidden" name="_csrf" value="${v.token}" />
      <input type="hidden" name="next" value="${v.next}" />
      <label
        >Email <input name="email" type="email" autocomplete="username" required autofocus value="${v.email ?? ''}"
      /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Log in</button>
    </form>`;
}
