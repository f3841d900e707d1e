// Progressive enhancement only: every page works without this file.
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  window.prospector = { csrf: meta ? meta.getAttribute('content') : '' };
})();

// "Needs a contact": "Use" copies a person research found into the add-contact form.
document.addEventListener('click', (e) => {
  const b = e.target instanceof Element ? e.target.closest('button.use-person') : null;
  if (!b) return;
  for (const [field, key] of [['c-first', 'first'], ['c-last', 'last'], ['c-title', 'title']]) {
    const input = document.getElementById(field);
    if (input) input.value = b.getAttribute('data-' + key) || '';
  }
  const email = document.getElementById('c-email');
  if (email) email.focus();
});
