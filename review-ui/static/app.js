// Progressive enhancement only: every page works without this file.
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  window.prospector = { csrf: meta ? meta.getAttribute('content') : '' };
})();
