// The presenter view and the speaker notes of a Rencontre's slides (src/features/slides), as progressive
// enhancement: without this file every slide is a page of its own with "précédente / suivante"
// links. With it, the keyboard moves through the slides without reloading (so full screen stays on),
// the clock and the time left tick, and the notes window follows the slides shown: both windows are
// of the same origin and talk through a BroadcastChannel named after the Rencontre.
(function () {
  'use strict';
  var deck = document.querySelector('[data-deck]');
  if (!deck) return;
  var isPresenter = deck.getAttribute('data-role') === 'presenter';
  var slides = Array.prototype.slice.call(deck.querySelectorAll('[data-slide]'));
  var count = slides.length;
  var base = deck.getAttribute('data-base');
  var zone = deck.getAttribute('data-zone') || 'Europe/Paris';
  var startsAt = Date.parse(deck.getAttribute('data-starts'));
  var endsAt = Date.parse(deck.getAttribute('data-ends'));
  var current = Number(deck.getAttribute('data-current')) || 1;
  var channel = 'BroadcastChannel' in window ? new BroadcastChannel('nouvelle-vie-diaporama-' + deck.getAttribute('data-webinar')) : null;

  var counter = document.querySelector('[data-counter]');
  var prev = document.querySelector('[data-prev]');
  var next = document.querySelector('[data-next]');
  var live = document.querySelector('[data-live]');
  var clock = document.querySelector('[data-clock]');
  var left = document.querySelector('[data-left]');
  var notesLink = document.querySelector('[data-notes-link]');
  var fullscreen = document.querySelector('[data-fullscreen]');

  function show(n, from) {
    n = Math.max(1, Math.min(count, n));
    if (n === current && from !== 'init') return;
    current = n;
    slides.forEach(function (el, i) {
      if (i + 1 === n) el.removeAttribute('hidden');
      else el.setAttribute('hidden', '');
    });
    var title = slides[n - 1].getAttribute('data-title') || '';
    if (counter) counter.textContent = n + ' / ' + count;
    if (prev) {
      prev.setAttribute('href', base + '/' + Math.max(1, n - 1));
      if (n === 1) prev.setAttribute('aria-disabled', 'true');
      else prev.removeAttribute('aria-disabled');
    }
    if (next) {
      next.setAttribute('href', base + '/' + Math.min(count, n + 1));
      if (n === count) next.setAttribute('aria-disabled', 'true');
      else next.removeAttribute('aria-disabled');
    }
    if (notesLink) notesLink.setAttribute('href', notesLink.getAttribute('data-notes-base') + '/' + n);
    if (from !== 'init') {
      if (live) live.textContent = 'Diapositive ' + n + ' sur ' + count + ' : ' + title;
      history.replaceState(null, '', base + '/' + n);
      if (channel && from !== 'channel') channel.postMessage({ slide: n });
    }
  }

  function isTyping(el) {
    return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || isTyping(document.activeElement)) return;
    var to = null;
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowDown':
      case 'PageDown':
        to = current + 1;
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
      case 'PageUp':
        to = current - 1;
        break;
      case 'Home':
        to = 1;
        break;
      case 'End':
        to = count;
        break;
      case 'f':
      case 'F':
        if (fullscreen) {
          e.preventDefault();
          toggleFullscreen();
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    show(to, 'key');
  });

  [prev, next].forEach(function (link) {
    if (!link) return;
    link.addEventListener('click', function (e) {
      e.preventDefault();
      show(link === prev ? current - 1 : current + 1, 'click');
    });
  });

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.removeAttribute('hidden');
    fullscreen.addEventListener('click', toggleFullscreen);
  }

  if (channel) {
    channel.onmessage = function (e) {
      if (e.data && typeof e.data.slide === 'number') show(e.data.slide, 'channel');
      // A notes window that just opened asks where the presentation is.
      if (e.data && e.data.hello && isPresenter) channel.postMessage({ slide: current });
    };
    if (!isPresenter) channel.postMessage({ hello: true });
  }

  var timeFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: zone, hour: '2-digit', minute: '2-digit' });
  function duration(ms) {
    var minutes = Math.ceil(ms / 60000);
    if (minutes < 60) return minutes + '\u00a0min';
    var h = Math.floor(minutes / 60);
    if (h >= 48) return Math.floor(h / 24) + '\u00a0jours';
    var m = String(minutes % 60);
    return h + '\u00a0h\u00a0' + (m.length < 2 ? '0' + m : m);
  }
  function tick() {
    var now = Date.now();
    if (clock) clock.textContent = timeFormat.format(new Date(now)).replace(':', '\u00a0h\u00a0');
    if (left && !isNaN(endsAt)) left.textContent = now >= endsAt ? 'Rencontre terminée' : now < startsAt ? 'Commence dans ' + duration(startsAt - now) : 'Il reste ' + duration(endsAt - now);
  }
  tick();
  setInterval(tick, 1000);
  show(current, 'init');
})();
