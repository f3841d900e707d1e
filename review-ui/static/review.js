// Review queue and draft page: keyboard shortcuts and autosave. Progressive enhancement only —
// every action is a plain form that works without this file. Data is only ever set with
// textContent or form values, never innerHTML.
(function () {
  'use strict';
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

  const help = $('#key-help');
  function toggleHelp() {
    if (!help || typeof help.showModal !== 'function') return;
    if (help.open) help.close();
    else help.showModal();
  }
  $$('[data-help]').forEach((b) => b.addEventListener('click', toggleHelp));

  // Queue: j/k move a visible selection over rows; Enter follows the row's link.
  const rows = window.prospector.rowSelection($$('[data-queue-row]'));

  const draft = $('#draft');
  function go(href) {
    if (href) window.location.assign(href);
  }
  function openBox(id, fieldId) {
    const box = document.getElementById(id);
    if (!box) return;
    box.open = true;
    const f = document.getElementById(fieldId);
    if (f) f.focus();
  }

  // Queue: `a` approves the selected row (through the same form as bulk approve, confirmed), `x`
  // ticks it for bulk approve. A flagged draft has no box: `a` opens it to be approved alone.
  function approveSelected(row) {
    const box = row && row.querySelector('input[name="ids"]');
    if (!box) {
      const link = row && row.querySelector('a.row-link');
      if (link) go(link.getAttribute('href'));
      return;
    }
    const f = document.createElement('form');
    f.method = 'post';
    f.action = '/queue/approve';
    for (const [name, value] of [
      ['_csrf', (window.prospector || {}).csrf || ''],
      ['ids', box.value],
      ['confirm', 'yes'],
    ]) {
      const i = document.createElement('input');
      i.type = 'hidden';
      i.name = name;
      i.value = value;
      f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }

  document.addEventListener('keydown', (ev) => {
    // Ctrl+Enter (Cmd+Enter) in a text area sends its form: a reject reason, an instruction.
    if (
      (ev.ctrlKey || ev.metaKey) &&
      ev.key === 'Enter' &&
      ev.target instanceof HTMLTextAreaElement &&
      ev.target.form
    ) {
      ev.preventDefault();
      ev.target.form.requestSubmit();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === 'Escape' && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    const k = ev.key;
    if (k === '?') {
      ev.preventDefault();
      toggleHelp();
      return;
    }
    if (help && help.open) return;
    if (rows.length && !draft) {
      if (k === 'j') {
        ev.preventDefault();
        rows.move(1);
      } else if (k === 'k') {
        ev.preventDefault();
        rows.move(-1);
      } else if (k === 'a' && rows.selected()) {
        ev.preventDefault();
        approveSelected(rows.selected());
      } else if (k === 'x' && rows.selected()) {
        ev.preventDefault();
        const box = rows.selected().querySelector('input[name="ids"]');
        if (box) box.checked = !box.checked;
      }
      return;
    }
    if (!draft) return;
    if (k === 'j') {
      ev.preventDefault();
      go(draft.dataset.next);
    } else if (k === 'k') {
      ev.preventDefault();
      go(draft.dataset.prev);
    } else if (k === 'a') {
      const f = $('#approve-form');
      if (f) {
        ev.preventDefault();
        flushThen(() => f.requestSubmit());
      }
    } else if (k === 'e') {
      const f = $('[data-first-edit]');
      if (f) {
        ev.preventDefault();
        f.focus();
      }
    } else if (k === 'r') {
      ev.preventDefault();
      openBox('reject-box', 'reject-reason');
    } else if (k === 'g') {
      ev.preventDefault();
      openBox('regen-box', 'regen-instruction');
    }
  });

  // Autosave: PATCH the API with the version this page was loaded at; a 409 means someone else
  // saved first, and the rep is told plainly rather than silently overwriting them.
  const form = $('#edit-form[data-autosave]');
  const status = $('#autosave-status');
  const versionInput = $('#draft-version');
  let timer = null;
  let inflight = null;
  let dirty = false;
  let conflicted = false;
  function say(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle('bad', !!bad);
    status.setAttribute('role', bad ? 'alert' : 'status');
  }
  function collect() {
    const steps = $$('input[name="positions"]', form).map((p) => {
      const n = p.value;
      return {
        position: Number(n),
        subject: form.elements['subject_' + n].value,
        body: form.elements['body_' + n].value,
      };
    });
    return { version: Number(versionInput.value), steps };
  }
  async function save() {
    if (!dirty || conflicted) return;
    dirty = false;
    say('Saving…');
    const res = await fetch(form.dataset.autosave, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': (window.prospector || {}).csrf || '',
      },
      body: JSON.stringify(collect()),
      credentials: 'same-origin',
    }).catch(() => null);
    if (!res) {
      dirty = true;
      say('Could not reach the server; will retry when you type again.', true);
      return;
    }
    const data = await res.json().catch(() => ({}));
    if (res.ok) {
      versionInput.value = String(data.version);
      say('Saved (version ' + data.savedVersion + ').');
    } else if (res.status === 409) {
      conflicted = true;
      say((data.error && data.error.message) || 'Someone else changed this draft. Reload to see their version.', true);
    } else {
      say((data.error && data.error.message) || 'Saving failed.', true);
    }
  }
  function flushThen(fn) {
    if (!form || !dirty || conflicted) return fn();
    clearTimeout(timer);
    (inflight = save()).finally(fn);
  }
  // The approve form sends the version this page shows, kept in step with autosave.
  const approveForm = $('#approve-form');
  if (approveForm) {
    approveForm.addEventListener('submit', (ev) => {
      // Unsaved edits are saved first: the rep approves what they see.
      if (dirty && !conflicted) {
        ev.preventDefault();
        flushThen(() => approveForm.requestSubmit());
        return;
      }
      const v = $('#approve-version');
      if (v && versionInput) v.value = versionInput.value;
    });
  }
  if (form && versionInput) {
    form.addEventListener('input', () => {
      dirty = true;
      say('Unsaved changes…');
      clearTimeout(timer);
      timer = setTimeout(() => {
        inflight = save();
      }, 1200);
    });
    form.addEventListener('submit', (ev) => {
      // With the script running, saving goes through the API so the version stays in step.
      ev.preventDefault();
      dirty = true;
      clearTimeout(timer);
      inflight = save();
    });
  }
  void inflight;

  // After "regenerate", watch for the drafter's new version and say so (no automatic reload:
  // the rep may be reading).
  if (draft && /[?&]regenerating=1/.test(window.location.search)) {
    const line = $('#status-line');
    let tries = 0;
    const timer2 = setInterval(async () => {
      if (++tries > 60) return clearInterval(timer2);
      const res = await fetch('/api/drafts/' + draft.dataset.draftId, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      }).catch(() => null);
      if (!res || !res.ok) return;
      const data = await res.json().catch(() => null);
      if (!data || !data.draft) return;
      if (String(data.draft.version) !== draft.dataset.version || data.draft.status !== draft.dataset.status) {
        clearInterval(timer2);
        if (!line) return;
        line.textContent = 'The new version is ready. ';
        const a = document.createElement('a');
        a.href = '/drafts/' + draft.dataset.draftId;
        a.textContent = 'Show it';
        line.appendChild(a);
      }
    }, 3000);
  }
})();
