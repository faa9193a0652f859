/* Magpie forms: conditional fields, pages, inline validation and AJAX submit (no reload).
   Forms work without this script (plain POST); with it, errors show next to the fields. */
(function () {
  "use strict";
  if (window.MagpieForms) {
    window.MagpieForms.bind(document);
    return;
  }
  function inputs(el) {
    return Array.prototype.slice.call(el.querySelectorAll("input,select,textarea"));
  }
  function valuesOf(form, alias) {
    var out = [];
    inputs(form).forEach(function (e) {
      if (e.name !== "mauticform[" + alias + "]" && e.name !== "mauticform[" + alias + "][]") return;
      if ((e.type === "checkbox" || e.type === "radio") && !e.checked) return;
      if (e.disabled) return;
      if (e.value && e.value.trim()) out.push(e.value.trim().toLowerCase());
    });
    return out;
  }
  function conditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (row) {
      var got = valuesOf(form, row.getAttribute("data-show-if"));
      var want = (row.getAttribute("data-show-values") || "").split("|").filter(Boolean);
      var show = want.length
        ? got.some(function (g) {
            return want.some(function (w) {
              return w.toLowerCase() === g;
            });
          })
        : got.length > 0;
      row.hidden = !show;
      inputs(row).forEach(function (i) {
        i.disabled = !show;
      });
    });
  }
  function setError(form, alias, msg) {
    var row = form.querySelector('[data-alias="' + alias + '"]');
    if (!row) {
      if (msg) status(form, msg, true);
      return;
    }
    var span = row.querySelector(".mf-error");
    if (span) {
      span.textContent = msg || "";
      span.hidden = !msg;
    }
    row.classList.toggle("mf-has-error", !!msg);
    inputs(row).forEach(function (i) {
      if (msg) i.setAttribute("aria-invalid", "true");
      else i.removeAttribute("aria-invalid");
    });
  }
  function status(form, msg, isError) {
    var m = form.querySelector(".mf-message");
    if (!m) return;
    m.textContent = msg || "";
    m.classList.toggle("mf-message-error", !!isError);
  }
  function check(form, scope) {
    var first = null;
    scope.querySelectorAll(".mf-row[data-alias]").forEach(function (row) {
      if (row.hidden || row.closest("[hidden]")) return;
      var msg = "";
      var els = inputs(row);
      var group = row.querySelector(".mf-group");
      if (group && row.getAttribute("data-required") === "1") {
        if (!els.some(function (i) { return i.checked; })) msg = (group.querySelector("legend") || {}).textContent + ": required";
      }
      els.forEach(function (i) {
        if (msg || i.checkValidity()) return;
        msg = i.validity.patternMismatch && i.getAttribute("data-error") ? i.getAttribute("data-error") : i.validationMessage;
      });
      setError(form, row.getAttribute("data-alias"), msg);
      if (msg && !first) first = els[0];
    });
    if (first) first.focus();
    return !first;
  }
  function pages(form) {
    var list = form.querySelectorAll(".mf-page");
    if (list.length < 2) return null;
    var cur = 0;
    var prev = form.querySelector(".mf-prev");
    var next = form.querySelector(".mf-next");
    var submit = form.querySelector(".mf-submit");
    function show() {
      list.forEach(function (p, i) {
        p.hidden = i !== cur;
      });
      prev.hidden = cur === 0;
      next.hidden = cur === list.length - 1;
      submit.hidden = cur !== list.length - 1;
    }
    prev.addEventListener("click", function () {
      cur = Math.max(0, cur - 1);
      show();
    });
    next.addEventListener("click", function () {
      if (!check(form, list[cur])) return;
      cur = Math.min(list.length - 1, cur + 1);
      show();
      var f = inputs(list[cur])[0];
      if (f) f.focus();
    });
    show();
    return {
      reset: function () {
        list.forEach(function (p) { p.hidden = false; });
      },
    };
  }
  function done(form, res) {
    if (res.download) window.location.href = res.download;
    if (res.redirect) {
      window.location.href = res.redirect;
      return;
    }
    form.querySelectorAll(".mf-page,.mf-buttons").forEach(function (el) {
      el.hidden = true;
    });
    status(form, res.message || "Thank you.", false);
    var m = form.querySelector(".mf-message");
    if (m) {
      m.setAttribute("tabindex", "-1");
      m.focus();
    }
  }
  function bindOne(form) {
    if (form.getAttribute("data-magpie-bound")) return;
    form.setAttribute("data-magpie-bound", "1");
    form.setAttribute("novalidate", "");
    form.addEventListener("change", function () { conditions(form); });
    form.addEventListener("input", function () { conditions(form); });
    conditions(form);
    pages(form);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!check(form, form)) return;
      var data = new FormData(form);
      try {
        var dev = window.localStorage.getItem("mautic_device_id");
        if (dev) data.append("mauticform[mautic_device_id]", dev);
      } catch (e) {}
      var btn = form.querySelector(".mf-submit");
      if (btn) btn.disabled = true;
      status(form, "", false);
      fetch(form.action.replace(/\/form\/submit\/?$/, "/form/submit/ajax"), { method: "POST", body: data, credentials: "include" })
        .then(function (r) {
          return r.json().catch(function () {
            return { success: 0, errors: { _form: r.status === 429 ? "Too many submissions, try again in a minute." : "The form could not be sent (" + r.status + ")." } };
          });
        })
        .then(function (res) {
          if (btn) btn.disabled = false;
          form.querySelectorAll(".mf-row[data-alias]").forEach(function (row) {
            setError(form, row.getAttribute("data-alias"), "");
          });
          if (res.success) return done(form, res);
          var errs = res.errors || {};
          Object.keys(errs).forEach(function (a) {
            setError(form, a, errs[a]);
          });
          var bad = form.querySelector('[aria-invalid="true"]');
          if (bad) bad.focus();
        })
        .catch(function () {
          if (btn) btn.disabled = false;
          status(form, "The form could not be sent: network error.", true);
        });
    });
  }
  function bind(root) {
    (root || document).querySelectorAll("form[data-magpie-form]").forEach(bindOne);
  }
  window.MagpieForms = { bind: bind };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { bind(document); });
  else bind(document);
})();
