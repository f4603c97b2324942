// The operator UI's only script: progressive enhancement. Every page works without it.
(function () {
  'use strict';

  // A confirmation before destructive forms.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  // The column chooser applies at once.
  document.addEventListener('change', function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute('data-autosubmit')) form.submit();
  });

  // Live parts of a page (the scenario tree, a billing run): polled until they are final.
  function openPaths(element) {
    var open = [];
    element.querySelectorAll('details[open]').forEach(function (d) {
      var owner = d.closest('[data-path]');
      if (owner) open.push(owner.getAttribute('data-path'));
    });
    return open;
  }

  function refresh(element) {
    var url = element.getAttribute('data-live');
    return fetch(url, { credentials: 'same-origin', headers: { 'x-requested-with': 'fetch' } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (html === null) return element;
        var typing = element.contains(document.activeElement) && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
        if (typing) return element;
        var open = openPaths(element);
        var holder = document.createElement('div');
        holder.innerHTML = html;
        var next = holder.firstElementChild;
        // The server stamps each state with a version: an unchanged state leaves the page (and what is typed) alone.
        if (!next || next.getAttribute('data-version') === element.getAttribute('data-version')) return element;
        element.replaceWith(next);
        open.forEach(function (path) {
          var d = next.querySelector('[data-path="' + path + '"] > details');
          if (d) d.open = true;
        });
        return next;
      })
      .catch(function () { return element; });
  }

  function watch(element) {
    var current = element;
    function tick() {
      refresh(current).then(function (next) {
        current = next;
        if (current.getAttribute('data-final') !== '1') setTimeout(tick, 1000);
      });
    }
    if (current.getAttribute('data-final') !== '1') setTimeout(tick, 1000);
    return function () { return refresh(current).then(function (next) { current = next; if (current.getAttribute('data-final') !== '1') setTimeout(tick, 1000); }); };
  }

  var live = [];
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-live]').forEach(function (element) { live.push(watch(element)); });
  });

  // Decision forms post in the background; the live tree shows what follows, without a reload.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute('data-fetch') || event.defaultPrevented) return;
    event.preventDefault();
    var output = form.querySelector('.form-error');
    if (output) output.textContent = '';
    var button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-requested-with': 'fetch', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString(),
    })
      .then(function (res) { return res.json().catch(function () { return { ok: false, error: { code: 'http_' + res.status, message: res.statusText } }; }); })
      .then(function (answer) {
        if (button) button.disabled = false;
        if (!answer.ok) {
          if (output) output.textContent = answer.error.message + ' (' + answer.error.code + ')';
          return;
        }
        if (document.activeElement) document.activeElement.blur();
        live.forEach(function (again) { again(); });
      })
      .catch(function (err) {
        if (button) button.disabled = false;
        if (output) output.textContent = String(err);
      });
  });
})();
