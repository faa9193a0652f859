/* Magpie tracker: drop-in for Mautic's mtc.js. Works with Mautic's standard snippet:
 *   mt('send', 'pageview' [, {field: value, tags: 'a,-b', utm_source: ...}] [, {onload: fn, onerror: fn}]);
 * Sends a CORS POST to /mtc/event (falls back to /mtracking.gif) and keeps the device id in
 * localStorage so tracking survives blocked third-party cookies. */
(function (w, d) {
  'use strict';
  var base = __MAGPIE_BASE__;
  var name = w.MauticTrackingObject || 'mt';
  var pending = (w[name] && w[name].q) || [];
  var counter = 0;

  function get(k) { try { return w.localStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) { try { if (v) { w.localStorage.setItem(k, String(v)); } } catch (e) { /* private mode */ } }

  function encode(p) {
    var out = [];
    for (var k in p) {
      if (Object.prototype.hasOwnProperty.call(p, k) && p[k] !== undefined && p[k] !== null && typeof p[k] !== 'function') {
        out.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(p[k])));
      }
    }
    return out.join('&');
  }

  function params(extra) {
    counter++;
    var n = w.navigator || {};
    var p = {
      page_title: d.title,
      page_language: n.language || '',
      page_referrer: d.referrer || '',
      page_url: w.location.href,
      counter: counter,
      timezone_offset: new Date().getTimezoneOffset(),
      resolution: (w.screen ? w.screen.width + 'x' + w.screen.height : ''),
      platform: n.platform || '',
      do_not_track: (n.doNotTrack === '1' || n.doNotTrack === 'yes') ? 1 : 0
    };
    var dev = get('mautic_device_id');
    if (dev) { p.mautic_device_id = dev; }
    if (extra && typeof extra === 'object') {
      for (var k in extra) {
        if (Object.prototype.hasOwnProperty.call(extra, k) && typeof extra[k] !== 'function') { p[k] = extra[k]; }
      }
    }
    return p;
  }

  function remember(res) {
    if (!res) { return; }
    set('mautic_device_id', res.device_id);
    set('mtc_id', res.id);
    set('mtc_sid', res.sid);
  }

  function viaImage(body, cb) {
    var img = new Image(1, 1);
    img.onload = function () { if (cb.onload) { cb.onload(); } };
    img.onerror = function () { if (cb.onerror) { cb.onerror(); } };
    var b64 = '';
    try { b64 = w.btoa(unescape(encodeURIComponent(body))); } catch (e) { b64 = ''; }
    img.src = base + '/mtracking.gif?d=' + encodeURIComponent(b64);
  }

  function pageview(extra, cb) {
    cb = cb || {};
    var body = encode(params(extra));
    if (!w.fetch) { viaImage(body, cb); return; }
    w.fetch(base + '/mtc/event', {
      method: 'POST',
      mode: 'cors',
      credentials: 'include',
      keepalive: true,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body
    }).then(function (r) {
      if (!r.ok) { throw new Error('tracker answered ' + r.status); }
      return r.json();
    }).then(function (res) {
      remember(res);
      startWeb();
      if (cb.onload) { cb.onload(res); }
    }, function () {
      startWeb();
      viaImage(body, cb);
    });
  }

  function mt() {
    var a = Array.prototype.slice.call(arguments);
    if (a[0] === 'send' && (a[1] === 'pageview' || a[1] === undefined)) {
      pageview(a[2], a[3]);
    }
  }

  // Forms posting to this tracker carry the device id, so a submission identifies the visitor
  // even where the browser does not send the tracker's cookies.
  function tagForms() {
    var forms = d.getElementsByTagName('form');
    for (var i = 0; i < forms.length; i++) {
      var f = forms[i];
      var action = f.getAttribute('action') || '';
      if (action.indexOf(base + '/form/submit') !== 0) { continue; }
      var input = f.querySelector('input[name="mauticform[mautic_device_id]"]');
      if (!input) {
        input = d.createElement('input');
        input.type = 'hidden';
        input.name = 'mauticform[mautic_device_id]';
        f.appendChild(input);
      }
      input.value = get('mautic_device_id') || '';
    }
  }
  d.addEventListener('submit', function (e) {
    if (e.target && e.target.tagName === 'FORM') { tagForms(); }
  }, true);


  /* ---- Magpie web content (backend/pages, dwc, focus): DWC slots and focus items ----------
   * Slots: <div data-slot="dwc" data-param-slot-name="hero"></div> get GET /dwc/{slot}'s content.
   * Focus items: GET /focus?url=…&seen=… lists the items allowed on this page now (the server
   * applies URL rules and frequency caps from the seen history kept here); each is shown on
   * its trigger inside a shadow root so the host page's styles and ours never mix. */
  var webStarted = false;
  function startWeb() {
    if (webStarted) { return; }
    webStarted = true;
    if (d.readyState === 'loading') {
      d.addEventListener('DOMContentLoaded', function () { fillSlots(); loadFocus(); });
    } else { fillSlots(); loadFocus(); }
  }

  function getJSON(path, ok) {
    if (!w.fetch) { return; }
    var dev = get('mautic_device_id');
    var sep = path.indexOf('?') < 0 ? '?' : '&';
    w.fetch(base + path + (dev ? sep + 'mautic_device_id=' + encodeURIComponent(dev) : ''), { credentials: 'include', mode: 'cors' })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(ok, function () { /* no content for this slot or item */ });
  }

  function fillSlots() {
    var slots = d.querySelectorAll('[data-slot="dwc"]');
    for (var i = 0; i < slots.length; i++) {
      (function (el) {
        var name = el.getAttribute('data-param-slot-name');
        if (!name) { return; }
        getJSON('/dwc/' + encodeURIComponent(name), function (res) {
          if (res && typeof res.content === 'string') { el.innerHTML = res.content; el.setAttribute('data-dwc-filled', '1'); }
        });
      })(slots[i]);
    }
  }

  function focusState() {
    var st = {};
    try { st = JSON.parse(w.localStorage.getItem('magpie_focus') || '{}') || {}; } catch (e) { st = {}; }
    return st;
  }
  function sessionSeen() {
    try { return JSON.parse(w.sessionStorage.getItem('magpie_focus_s') || '{}') || {}; } catch (e) { return {}; }
  }
  function today() { var t = new Date(); return t.getFullYear() + '-' + (t.getMonth() + 1) + '-' + t.getDate(); }
  function saveFocus(id, what) {
    var st = focusState();
    var e = st[id] || { last: 0, day: 0, key: '', closed: 0 };
    if (what === 'shown') {
      var k = today();
      if (e.key !== k) { e.key = k; e.day = 0; }
      e.day++;
      e.last = Math.floor(Date.now() / 1000);
      var ss = sessionSeen();
      ss[id] = 1;
      try { w.sessionStorage.setItem('magpie_focus_s', JSON.stringify(ss)); } catch (x) { /* private mode */ }
    } else if (what === 'closed') { e.closed = 1; }
    st[id] = e;
    try { w.localStorage.setItem('magpie_focus', JSON.stringify(st)); } catch (x) { /* private mode */ }
  }
  function seenParam() {
    var st = focusState(), ss = sessionSeen(), out = [], k = today();
    for (var id in st) {
      if (Object.prototype.hasOwnProperty.call(st, id)) {
        var e = st[id];
        out.push(id + '.' + (e.last || 0) + '.' + (e.key === k ? e.day || 0 : 0) + '.' + (ss[id] ? 1 : 0) + '.' + (e.closed ? 1 : 0));
      }
    }
    return out.join(',');
  }

  function showFocus(item) {
    if (d.querySelector('[data-magpie-focus-host="' + item.id + '"]')) { return; }
    var host = d.createElement('div');
    host.setAttribute('data-magpie-focus-host', item.id);
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    root.innerHTML = '<style>' + item.css + '</style>' + item.html;
    d.body.appendChild(host);
    if (item.form) { embedForm(root, item.form); }
    // A bar pushes the page (Mautic's "push page"): the document gets padding as tall as the
    // bar on the bar's side, so the bar covers nothing; closing it gives the space back.
    var unpush = function () {};
    var bar = item.style === 'bar' && root.querySelector('.mf');
    if (bar && bar.offsetHeight) {
      var side = item.position === 'bottom' ? 'paddingBottom' : 'paddingTop', de = d.documentElement, was = de.style[side];
      de.style[side] = ((parseFloat(w.getComputedStyle(de)[side]) || 0) + bar.offsetHeight) + 'px';
      unpush = function () { de.style[side] = was; };
    }
    saveFocus(item.id, 'shown');
    focusStat(item.id, 'view');
    var converted = false;
    var convert = function () { if (!converted) { converted = true; focusStat(item.id, 'convert'); } };
    root.addEventListener('click', function (e) {
      var t = e.target;
      while (t && t !== root && !(t.hasAttribute && t.hasAttribute('data-mf-convert'))) { t = t.parentNode; }
      if (t && t !== root) { convert(); }
    });
    root.addEventListener('submit', convert, true);
    var close = root.querySelector('.mf-close');
    if (close) {
      close.addEventListener('click', function () { saveFocus(item.id, 'closed'); host.parentNode.removeChild(host); unpush(); });
      if (item.style === 'modal' || item.style === 'page') { close.focus(); }
    }
  }

  // focusStat tells the tracker an item was shown or converted (counted per visitor); keepalive
  // lets the request finish when a click leaves the page.
  function focusStat(id, action) {
    if (!w.fetch) { return; }
    var dev = get('mautic_device_id');
    var q = '?url=' + encodeURIComponent(w.location.href) + (dev ? '&mautic_device_id=' + encodeURIComponent(dev) : '');
    w.fetch(base + '/focus/' + encodeURIComponent(id) + '/' + action + q,
      { method: 'POST', credentials: 'include', mode: 'cors', keepalive: true }).then(null, function () { /* best effort */ });
  }

  // A form item: the forms feature's embed script runs in a hidden light-DOM holder (it needs
  // document.currentScript), then the rendered form and its stylesheet move into the shadow
  // root. Without it the link to the form's page stays.
  function embedForm(root, id) {
    var slot = root.querySelector('[data-mf-form]');
    if (!slot) { return; }
    var holder = d.createElement('div');
    holder.style.display = 'none';
    d.body.appendChild(holder);
    var s = d.createElement('script');
    s.src = base + '/form/' + encodeURIComponent(id) + '.js';
    function done() { if (holder.parentNode) { holder.parentNode.removeChild(holder); } }
    s.onload = function () {
      var emb = holder.querySelector('.magpie-form-embed');
      if (emb) {
        var css = d.getElementById('magpie-form-css');
        if (css) { var st = d.createElement('style'); st.textContent = css.textContent; root.appendChild(st); }
        slot.innerHTML = '';
        slot.appendChild(emb);
      }
      done();
    };
    s.onerror = done;
    holder.appendChild(s);
  }

  function armFocus(item) {
    var fired = false;
    function fire() { if (!fired) { fired = true; showFocus(item); } }
    if (item.trigger === 'delay') {
      w.setTimeout(fire, (item.value || 0) * 1000);
    } else if (item.trigger === 'scroll') {
      var onScroll = function () {
        var el = d.documentElement;
        var max = Math.max(el.scrollHeight - w.innerHeight, 1);
        if ((w.pageYOffset || el.scrollTop) / max * 100 >= item.value) { w.removeEventListener('scroll', onScroll); fire(); }
      };
      w.addEventListener('scroll', onScroll, { passive: true });
      onScroll();
    } else if (item.trigger === 'exit') {
      d.addEventListener('mouseout', function (e) { if (!e.relatedTarget && e.clientY <= 0) { fire(); } });
    } else {
      fire();
    }
  }

  function loadFocus() {
    getJSON('/focus?url=' + encodeURIComponent(w.location.href) + '&seen=' + encodeURIComponent(seenParam()), function (res) {
      var items = (res && res.items) || [];
      for (var i = 0; i < items.length; i++) { armFocus(items[i]); }
    });
  }
  mt.web = startWeb;
  /* ---- end of Magpie web content ---------------------------------------------------------- */

  mt.getTrackedContact = function () { return { id: get('mtc_id'), sid: get('mtc_sid'), device_id: get('mautic_device_id') }; };
  mt.base = base;
  w[name] = mt;
  w.MauticJS = w.MauticJS || { getTrackedContact: mt.getTrackedContact };
  var queuedView = false;
  for (var i = 0; i < pending.length; i++) {
    if (pending[i][0] === 'send') { queuedView = true; }
    mt.apply(null, pending[i]);
  }
  if (!queuedView || !w.fetch) { startWeb(); } // landing pages record their hit server-side
})(window, document);
