// Steps back for approval: keyboard only, progressive enhancement. Every action is a plain form
// that works without this file; nothing here sets markup from data.
(function () {
  'use strict';
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const help = $('#key-help');

  const rows = window.prospector.rowSelection($$('[data-step-row]'));
  const step = $('#step-approval');
  const submit = (id) => {
    const f = document.getElementById(id);
    const b = f && $('button[type="submit"]', f);
    if (f && !(b && b.disabled)) f.requestSubmit();
    return !!f;
  };

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (typing(ev.target) || (help && help.open)) return;
    const k = ev.key;
    if (!step) {
      if (k === 'j') {
        ev.preventDefault();
        rows.move(1);
      } else if (k === 'k') {
        ev.preventDefault();
        rows.move(-1);
      } else if (k === 'A') {
        if (submit('bulk-unchanged')) ev.preventDefault();
      }
      return;
    }
    if (k === 'j' && step.dataset.next) {
      ev.preventDefault();
      window.location.assign(step.dataset.next);
    } else if (k === 'k' && step.dataset.prev) {
      ev.preventDefault();
      window.location.assign(step.dataset.prev);
    } else if (k === 'a') {
      if (submit('step-approve-form')) ev.preventDefault();
    } else if (k === 'f') {
      if (submit('step-refresh-form')) ev.preventDefault();
    } else if (k === 'e') {
      const f = $('#step-subject') || $('#step-edit-form textarea');
      if (f) {
        ev.preventDefault();
        f.focus();
      }
    }
  });
})();
