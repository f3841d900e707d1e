// Progressive enhancement only: every page works without this file.
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  // j/k over a list: a visible selection that moves within the rows and focuses the row's link.
  function rowSelection(rows) {
    let current = -1;
    return {
      length: rows.length,
      move(delta) {
        if (!rows.length) return;
        current = Math.max(0, Math.min(rows.length - 1, current + delta));
        rows.forEach((r, n) => r.classList.toggle('selected', n === current));
        const link = rows[current].querySelector('a.row-link');
        if (link) link.focus();
      },
      /** The selected row, or undefined before j/k picked one. */
      selected() {
        return rows[current];
      },
    };
  }
  window.prospector = { csrf: meta ? meta.getAttribute('content') : '', rowSelection };
})();

// "Needs a contact": "Use" copies a person research found into the add-contact form.
document.addEventListener('click', (e) => {
  const b = e.target instanceof Element ? e.target.closest('button.use-person') : null;
  if (!b) return;
  for (const [field, key] of [
    ['c-first', 'first'],
    ['c-last', 'last'],
    ['c-title', 'title'],
  ]) {
    const input = document.getElementById(field);
    if (input) input.value = b.getAttribute('data-' + key) || '';
  }
  const email = document.getElementById('c-email');
  if (email) email.focus();
});
