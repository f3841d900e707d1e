// The signal sources page: the list with last success, last error and next poll, the add form, and the
// result of an add, a "poll now" or a "test now" above it. Pure: source rows in.
import type { SignalSourceRow, SourceListRow } from '../../db/queries/signal-sources.js';
import { sourceRegistry } from '../../signals/registry.js';
import { SOURCE_KINDS, type SourceKind } from '../../signals/types.js';
import { SOURCE_FIELDS } from '../../signals/source-fields.js';
import type { SourceTestResult } from '../source-actions.js';
import type { AuthedRequest } from '../authed.js';
import { inZone } from '../format.js';
import { html, type Html, thead } from '../html.js';
import { csrfField } from '../layout.js';
import { extLink } from './draft-facts.js';
import { refusedBanner } from './refused.js';
import { when as timeAt } from './time.js';

/** The add form as it was sent, to show again beside the reason it was refused. */
export interface SourceForm {
  kind: string;
  name: string;
  url: string;
  pollIntervalMinutes: string;
  config: string;
}

/** What the page says above the list after an action. */
export type SourcesFlash =
  | { added: SignalSourceRow; secret: string | null }
  | { polling: SignalSourceRow }
  | { tested: SignalSourceRow; result: SourceTestResult }
  | { refused: string; form: SourceForm }
  | { readdressed: SignalSourceRow }
  | { notReaddressed: SignalSourceRow; why: string; url: string };

function flash(f: SourcesFlash | undefined): Html | string {
  if (!f) return '';
  if ('refused' in f) return refusedBanner('The source was not added', f.refused, 'add-source');
  if ('notReaddressed' in f)
    return refusedBanner(
      `The address of “${f.notReaddressed.name}” was not changed`,
      f.why,
      `source-${f.notReaddressed.id}`,
    );
  if ('readdressed' in f)
    return html`<p class="flash ok" role="status">
      “${f.readdressed.name}” now polls ${f.readdressed.url ?? ''}; it is polled there at the next tick.
    </p>`;
  if ('added' in f)
    return html`<p class="flash ok" role="status">
      Added “${f.added.name}”.
      ${f.secret ? html`Its signing secret, shown once: <code>${f.secret}</code>` : 'Use Test now to see what it parses.'}
    </p>`;
  if ('polling' in f)
    return html`<p class="flash ok" role="status">
      Polling “${f.polling.name}” now; reload in a moment for the result.
    </p>`;
  return testResult(f.tested, f.result);
}

const when = (d: Date | null, tz: string) => (d ? inZone(d, tz) : 'never');

function nextPoll(s: SignalSourceRow, tz: string): Html | string {
  if (!s.enabled) return '—';
  if (!sourceRegistry[s.kind as SourceKind]?.polled) return 'pushed to us';
  if (!s.next_poll_at || s.next_poll_at.getTime() <= Date.now()) return 'within a minute';
  return html`${inZone(s.next_poll_at, tz)}${s.consecutive_failures ? html`<div class="muted">backing off after failures</div>` : ''}`;
}

/** A polled source's address, to change; after a refusal, as it was typed. */
function addressForm(req: AuthedRequest, s: SignalSourceRow, f: SourcesFlash | undefined): Html {
  const typed = f && 'notReaddressed' in f && f.notReaddressed.id === s.id ? f.url : (s.url ?? '');
  return html`<form method="post" action="/settings/sources/${s.id}/address">
    ${csrfField(req)}<input
      name="url"
      type="url"
      required
      maxlength="2000"
      value="${typed}"
      aria-label="Address of ${s.name}"
    /><button type="submit" class="secondary">Change address</button>
  </form>`;
}

/** What only a polled source offers: change its address, test it, poll it now (when enabled). */
function polledActions(req: AuthedRequest, s: SignalSourceRow, f: SourcesFlash | undefined): Html {
  return html`${addressForm(req, s, f)}
    <form method="post" action="/settings/sources/${s.id}/test">
      ${csrfField(req)}<button type="submit">Test now</button>
    </form>
    ${s.enabled ? html`<form method="post" action="/settings/sources/${s.id}/poll">${csrfField(req)}<button type="submit" class="secondary">Poll now</button></form>` : ''}`;
}

export function sourcesPage(req: AuthedRequest, rows: SourceListRow[], f?: SourcesFlash): Html {
  const tz = req.user.timeZone;
  const form: SourceForm =
    f && 'refused' in f ? f.form : { kind: SOURCE_KINDS[0], name: '', url: '', pollIntervalMinutes: '60', config: '' };
  return html`${flash(f)}
    <table>
      ${thead('Name', 'Kind', 'URL', 'State', 'Last success', 'Last error', 'Next poll', 'Signals seen', 'Actions')}
      <tbody>
        ${rows.map(
          (s) =>
            html`<tr data-source-id="${s.id}" id="source-${s.id}">
              <td>${s.name}</td>
              <td>${sourceRegistry[s.kind as SourceKind]?.label ?? s.kind}</td>
              <td>${s.url ? extLink(s.url) : '—'}</td>
              <td>
                ${
                  s.enabled ? 'enabled' : html`<span class="bad">disabled</span>`
                }${s.consecutive_failures ? html` · ${s.consecutive_failures} failure${s.consecutive_failures === 1 ? '' : 's'} in a row` : ''}
              </td>
              <td>${when(s.last_success_at, tz)}</td>
              <td>
                ${
                  s.last_error
                    ? html`<span class="bad">${s.last_error}</span>
                        <div class="muted">${when(s.last_error_at, tz)}</div>`
                    : '—'
                }
              </td>
              <td>${nextPoll(s, tz)}</td>
              <td>${s.observations}</td>
              <td class="row-actions">
                <form method="post" action="/settings/sources/${s.id}/${s.enabled ? 'disable' : 'enable'}">
                  ${csrfField(req)}<button type="submit" class="secondary">${s.enabled ? 'Disable' : 'Enable'}</button>
                </form>
                ${sourceRegistry[s.kind as SourceKind]?.polled ? polledActions(req, s, f) : ''}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length ? '' : html`<p class="empty">No sources yet. Add a news or funding feed, a company page or a job board.</p>`}
    <h2 id="add-source">Add a source</h2>
    <form method="post" action="/settings/sources" class="stack wide">
      ${csrfField(req)}
      <label
        >${SOURCE_FIELDS.kind}
        <select name="kind">
          ${SOURCE_KINDS.map((k) => html`<option value="${k}" ${form.kind === k ? html`selected` : ''}>${sourceRegistry[k].label}</option>`)}
        </select></label
      >
      <label>${SOURCE_FIELDS.name} <input name="name" required maxlength="200" value="${form.name}" /></label>
      <label
        >${SOURCE_FIELDS.url}
        <input name="url" type="url" placeholder="https://example.com/feed.xml" value="${form.url}"
      /></label>
      <label
        >${SOURCE_FIELDS.pollIntervalMinutes}
        <input name="pollIntervalMinutes" type="number" min="5" max="10080" value="${form.pollIntervalMinutes}"
      /></label>
      <label
        >${SOURCE_FIELDS.config} <span class="muted">(JSON, optional)</span>
        <textarea name="config" rows="2" placeholder='{"maxAgeDays": 30}'>${form.config}</textarea>
      </label>
      <button type="submit">Add source</button>
    </form>`;
}

function testResult(s: SignalSourceRow, r: SourceTestResult): Html {
  return html`<section class="card" role="status" aria-labelledby="test-h">
    <h2 id="test-h">Test of “${s.name}”</h2>
    ${
      r.ok
        ? html`<p>
              ${r.items.length} item${r.items.length === 1 ? '' : 's'}
              parsed${r.finalUrl && r.finalUrl !== s.url ? html` from ${r.finalUrl}` : ''}. Nothing was stored.
            </p>
            <ol class="test-items">
              ${r.items.map(
                (i) =>
                  html`<li>
                    ${extLink(i.url, i.title || i.url || i.key)}${i.type ? html` <span class="badge t-${i.type}">${i.type}</span>` : ''}
                    ${i.publishedAt ? html` <span class="muted">published ${timeAt(i.publishedAt, 'UTC', new Date())}</span>` : ''}
                    <div class="muted">${i.summary.slice(0, 240)}</div>
                  </li>`,
              )}
            </ol>`
        : html`<p class="error">${r.error}</p>`
    }
  </section>`;
}
