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
      if (cb.onload) { cb.onload(res); }
    }, function () {
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

  mt.getTrackedContact = function () { return { id: get('mtc_id'), sid: get('mtc_sid'), device_id: get('mautic_device_id') }; };
  mt.base = base;
  w[name] = mt;
  w.MauticJS = w.MauticJS || { getTrackedContact: mt.getTrackedContact };
  for (var i = 0; i < pending.length; i++) { mt.apply(null, pending[i]); }
})(window, document);
