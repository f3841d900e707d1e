// The dashboard's speed and edit sections: approval latency per rep and per step kind, and how much reps edit
// the drafts of each prompt version.
import type { LatencyRow } from '../../db/queries/dashboard.js';
import type { KindLatencyRow, UnapprovedShareRow } from '../../db/queries/step-approval.js';
import type { EditStats } from '../../drafting/edit-stats.js';
import { duration, label, pct } from '../format.js';
import { html, type Html, thead } from '../html.js';

/** Speed per rep: approval latency and signal → first send. */
export function repLatencySection(latency: LatencyRow[]): Html {
  return html`<section aria-labelledby="lat-h">
    <h2 id="lat-h">Speed per rep</h2>
    <table>
      ${thead('Rep', 'Approved', 'Approval latency (median)', '(mean)', 'Signal → first send (mean)')}
      <tbody>
        ${latency.map(
          (l) =>
            html`<tr>
              <td>${l.rep}</td>
              <td>${l.approved}</td>
              <td>${duration(l.median_ms)}</td>
              <td>${duration(l.avg_ms)}</td>
              <td>${duration(l.signal_to_first_send_ms)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${latency.length ? '' : html`<p class="muted">No approvals in this range.</p>`}
  </section>`;
}

/** Approval per step kind: latency, and the share of steps that needed their own approval but were skipped. */
export function stepApprovalSection(
  range: { fromDay: string; toDay: string },
  kindLatency: KindLatencyRow[],
  skips: UnapprovedShareRow[],
): Html {
  return html`<section aria-labelledby="step-approval-h">
    <h2 id="step-approval-h">Approval per step</h2>
    <p class="muted">
      Openers from the draft landing in review to its approval; later steps of sequences that approve each step from
      coming back to the queue to their own approval. Steps approved ${range.fromDay} to ${range.toDay}.
    </p>
    <table id="approval-by-kind">
      ${thead('Step kind', 'Approved', 'Latency (median)', '(mean)', 'Needed own approval', 'Skipped unapproved')}
      <tbody>
        ${[...new Set([...kindLatency.map((k) => k.kind), ...skips.map((k) => k.kind)])].sort().map((kind) => {
          const l = kindLatency.find((k) => k.kind === kind);
          const sk = skips.find((k) => k.kind === kind);
          return html`<tr data-kind="${kind}">
            <td>${label(kind)}</td>
            <td>${l?.approved ?? 0}</td>
            <td>${duration(l?.median_ms)}</td>
            <td>${duration(l?.avg_ms)}</td>
            <td>${sk?.needed ?? '—'}</td>
            <td>${sk ? html`${sk.skipped} (${pct(sk.skipped, sk.needed)})` : '—'}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${kindLatency.length || skips.length ? '' : html`<p class="muted">No step approvals in this range.</p>`}
  </section>`;
}

/** Edits per prompt version, drafter and template. */
export function editsSection(fromDay: string, edits: EditStats[]): Html {
  return html`<section aria-labelledby="edit-h">
    <h2 id="edit-h">Edits per prompt version</h2>
    <table>
      ${thead(
        'Prompt',
        'Drafter',
        'Template',
        'Sequences',
        'Approved unedited',
        'Edit rate',
        'Mean chars changed per step',
      )}
      <tbody>
        ${edits.map(
          (e) =>
            html`<tr>
              <td>${e.promptVersion ?? '—'}</td>
              <td>${e.drafter ?? '—'}</td>
              <td>${e.templateName ?? '—'}</td>
              <td>${e.sequences}</td>
              <td>${pct(Math.round(e.approvedUnedited * e.sequences), e.sequences)}</td>
              <td>${pct(Math.round((1 - e.approvedUnedited) * e.sequences), e.sequences)}</td>
              <td>${e.meanEditDistance}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${edits.length ? '' : html`<p class="muted">No approved drafts since ${fromDay}.</p>`}
  </section>`;
}
