// A form refused for its input is shown again (error-handler.ts `answerRefused`): the reason in words
// above it, and every field as the person sent it, so nothing they typed is lost. Pure.
import { asSentence } from '../format.js';
import { html, safeUrl, type Html } from '../html.js';

/** A page the refusal points to: the record the input clashed with ("Open Acme"). */
export interface SeeAlso {
  href: string;
  text: string;
}

/**
 * Why a form was refused, above the page: "The play was not saved: Name must not be empty. Correct it below.";
 * with `see`, a link to what it clashed with before that: "… already exists. Open Acme. Correct it below."
 */
export const refusedBanner = (
  notDone: string,
  reason: string,
  anchor: string,
  fix = 'Correct it below',
  see?: SeeAlso,
): Html => {
  const why = asSentence(reason);
  const to = html`<a href="#${anchor}">${fix}</a>.`;
  return see
    ? html`<p class="error" role="alert">${notDone}: ${why} <a href="${safeUrl(see.href)}">${see.text}</a>. ${to}</p>`
    : html`<p class="error" role="alert">${notDone}: ${why} ${to}</p>`;
};

/** The form fields a request sent (urlencoded: a string, or a list for a repeated name). */
export type SentForm = Record<string, unknown>;

const values = (v: unknown): string[] =>
  ([] as unknown[]).concat(v ?? []).filter((x): x is string => typeof x === 'string');

/**
 * A form's values: as `sent` after a refusal, else as saved. A box left unticked is not sent at all,
 * so after a refusal a missing name is unticked rather than the saved state.
 */
export function formValues(sent: SentForm | undefined) {
  const chosen = (name: string, value: string, saved: boolean): boolean =>
    sent ? values(sent[name]).includes(value) : saved;
  const ticked = (name: string, saved: boolean): boolean => (sent ? values(sent[name]).some(Boolean) : saved);
  return {
    /** A text field (input, textarea, hidden). */
    text: (name: string, saved: string | number | null | undefined): string =>
      sent ? (values(sent[name])[0] ?? '') : saved == null ? '' : String(saved),
    /** A checkbox or radio button with this value, or an option of a select. */
    chosen,
    /** An option of the select `name`: selected as sent, else when `saved`. */
    option: (name: string, value: string, saved: boolean, text: string): Html =>
      html`<option value="${value}" ${chosen(name, value, saved) ? html`selected` : ''}>${text}</option>`,
    /** A checkbox whose value is not compared ("on", "1"). */
    ticked,
    /** Such a checkbox (value "1") in its label, the words after the box. */
    checkbox: (name: string, saved: boolean, words: Html | string): Html =>
      html`<label class="check"
        ><input type="checkbox" name="${name}" value="1" ${ticked(name, saved) ? html`checked` : ''} /> ${words}</label
      >`,
  };
}
export type FormValues = ReturnType<typeof formValues>;

/** A refused form shown again: the banner, and the fields as they were sent. */
export interface Refused {
  why: Html;
  sent: SentForm;
}

/**
 * The form a request sent, refused for `why`: the banner says what was not done, links to what the input
 * clashed with when there is `see`, and to the form at `anchor`.
 */
export const refusedForm = (
  req: { body?: unknown },
  notDone: string,
  why: string,
  anchor: string,
  see?: SeeAlso,
): Refused => ({
  why: refusedBanner(notDone, why, anchor, undefined, see),
  sent: (req.body ?? {}) as SentForm,
});

/** A form with the refusal banner above it, when there is one. */
export const withBanner = (banner: Html | undefined, form: Html): Html => html`${banner ?? ''}${form}`;
