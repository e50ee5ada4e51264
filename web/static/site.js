// Small improvements over pages that work without it: nothing here is
// needed to book, move, cancel or manage anything.
(function () {
  'use strict';

  // A form sent back with mistakes: the summary of its errors gets the focus,
  // so that a screen reader reads it first and the keyboard starts there.
  function focusErrors() {
    var summary = document.getElementById('erreurs');
    if (summary) summary.focus();
  }

  // Buttons that print the page (hidden when scripts do not run).
  function enablePrint(root) {
    root.querySelectorAll('[data-print]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  }

  // A "Copier" button next to a read-only address.
  function enableCopy(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll('input[data-copy]').forEach(function (input) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button-secondary';
      button.textContent = 'Copier l\u2019adresse';
      var status = document.createElement('p');
      status.setAttribute('role', 'status');
      status.className = 'hint';
      button.addEventListener('click', function () {
        navigator.clipboard.writeText(input.value).then(function () {
          status.textContent = 'Adresse copiée.';
        }, function () {
          input.select();
          status.textContent = 'Sélectionnez l\u2019adresse et copiez-la.';
        });
      });
      input.insertAdjacentElement('afterend', status);
      input.insertAdjacentElement('afterend', button);
    });
  }

  // Choosing a slot or another week: the next page replaces the content
  // without reloading the whole page; the heading then takes the focus so
  // that the change is announced. Any failure falls back to the link.
  function show(html, url, push) {
    var next = new DOMParser().parseFromString(html, 'text/html');
    var main = document.querySelector('main');
    var incoming = next.querySelector('main');
    if (!main || !incoming) return false;
    main.innerHTML = incoming.innerHTML;
    document.title = next.title;
    if (push) {
      // The page left is marked too, so that coming back to it swaps it in.
      if (!history.state) history.replaceState({swapped: true}, '');
      history.pushState({swapped: true}, '', url);
    }
    enhance(main);
    var heading = main.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
    return true;
  }

  function swap(url, push) {
    return fetch(url, {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error('follow the link');
        return response.text();
      })
      .then(function (html) {
        if (!show(html, url, push)) throw new Error('follow the link');
      });
  }

  function enableSwaps(root) {
    root.querySelectorAll('a.slot, .week-nav a').forEach(function (link) {
      link.addEventListener('click', function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        swap(link.href, true).catch(function () { window.location.href = link.href; });
      });
    });
  }

  function enhance(root) {
    enablePrint(root);
    enableCopy(root);
    enableSwaps(root);
  }

  // Back and forward between pages this script swapped in. Browsers fire
  // popstate for #fragment links too (skip link, error summary): those are
  // left alone.
  window.addEventListener('popstate', function (event) {
    if (!event.state || !event.state.swapped) return;
    swap(window.location.href, false).catch(function () { window.location.reload(); });
  });
  enhance(document);
  focusErrors();
})();
