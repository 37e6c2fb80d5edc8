// Taizhang front-end glue: htmx does the work; this only keeps the filter form and URL in step.
document.addEventListener("htmx:responseError", function () {
  var box = document.getElementById("htmx-error");
  if (box) { box.classList.remove("d-none"); }
});
// A later request that works clears the warning again.
document.addEventListener("htmx:afterRequest", function (event) {
  var box = document.getElementById("htmx-error");
  if (box && event.detail.successful) { box.classList.add("d-none"); }
});

// On a phone the item filters beyond the search box fold away behind "More filters".
function syncFilterToggles() {
  document.querySelectorAll("[data-tz-toggle-filters]").forEach(function (button) {
    var form = button.closest("form");
    button.setAttribute("aria-expanded", form && form.classList.contains("tz-filters-open") ? "true" : "false");
  });
}
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-tz-toggle-filters]");
  if (!button) { return; }
  var form = button.closest("form");
  if (form) { form.classList.toggle("tz-filters-open"); }
  syncFilterToggles();
});
document.addEventListener("DOMContentLoaded", syncFilterToggles);

// A select marked data-tz-autosubmit sends its form when changed (no inline handlers: see the CSP in settings).
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-tz-autosubmit]");
  if (select && select.form) { select.form.submit(); }
});

// --- Usable by everyone (WCAG 2.1 AA): error summaries, htmx updates announced, focus never lost. ---

// A failed form: its error summary (templates/_error_summary.html) takes focus. A form drawn by hand without
// one gets a summary built here from its invalid controls (Django marks them aria-invalid), linking to each.
function focusErrorSummary() {
  var summary = document.querySelector("[data-tz-error-summary]");
  if (!summary) {
    var invalid = Array.prototype.slice.call(document.querySelectorAll("main form [aria-invalid='true']"));
    if (!invalid.length) { return; }
    var form = invalid[0].closest("form");
    summary = document.createElement("div");
    summary.className = "alert alert-danger tz-error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("data-tz-error-summary", "");
    var heading = document.createElement("h2");
    heading.className = "h6 mb-1";
    heading.textContent = document.body.getAttribute("data-tz-errors-heading") || "";
    summary.appendChild(heading);
    var list = document.createElement("ul");
    list.className = "mb-0";
    invalid.forEach(function (control) {
      var label = control.id && document.querySelector("label[for='" + control.id + "']");
      var error = control.id && document.getElementById(control.id + "_error");
      var link = document.createElement("a");
      link.className = "alert-link";
      link.href = "#" + control.id;
      link.textContent = (label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : control.name) +
        (error ? "：" + error.textContent.trim() : "");
      var item = document.createElement("li");
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.appendChild(list);
    form.parentNode.insertBefore(summary, form);
  }
  summary.focus();
}
document.addEventListener("DOMContentLoaded", focusErrorSummary);
// A link of the summary puts focus in its field, not only the scroll position.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-tz-error-summary] a[href^='#']");
  if (!link) { return; }
  var field = document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    var control = field.matches("fieldset") ? field.querySelector("input, select, textarea") : field;
    (control || field).focus();
  }
});

// The live region of base.html: a polite announcement, emptied first so the same words are said again.
function announce(text) {
  var live = document.getElementById("tz-live");
  if (!live || !text) { return; }
  live.textContent = "";
  window.setTimeout(function () { live.textContent = text; }, 50);
}

// After htmx replaces part of the page: say what changed (the element marked data-tz-announce in the new
// content, e.g. a list's count) and, when the focused control was inside the replaced part (a page link),
// move focus to the new content's heading instead of letting it fall back to the top of the page.
var focusWasInside = false;
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  focusWasInside = !!(target && document.activeElement && target.contains(document.activeElement) &&
    document.activeElement !== target);
});
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target) { return; }
  var inside = focusWasInside;
  focusWasInside = false;
  if (target.id === "nav-bell") {  // the bell refreshes itself: a keyboard user on it stays on it
    var bell = target.querySelector("a");
    if (inside && bell) { bell.focus(); }
    return;
  }
  var news = target.querySelector("[data-tz-announce]");
  if (news) { announce(news.textContent.trim()); }
  if (inside) {
    var heading = target.querySelector("[data-tz-heading], h1, h2, h3, h4") || news || target;
    if (!heading.hasAttribute("tabindex")) { heading.setAttribute("tabindex", "-1"); }
    heading.focus();
  }
});

// The larger-text switch of the public pages (适老化): remembered on this device.
function applyLargeText(on) {
  document.documentElement.classList.toggle("tz-large-text", on);
  document.querySelectorAll("[data-tz-large-text]").forEach(function (button) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
  });
}
document.addEventListener("DOMContentLoaded", function () {
  var on = false;
  try { on = window.localStorage.getItem("tz-large-text") === "1"; } catch (e) { on = false; }
  applyLargeText(on);
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-tz-large-text]");
  if (!button) { return; }
  var on = !document.documentElement.classList.contains("tz-large-text");
  applyLargeText(on);
  try { window.localStorage.setItem("tz-large-text", on ? "1" : "0"); } catch (e) { /* private mode */ }
});

// A form htmx swapped in answers a refusal with itself (400: bad input, 409: changed meanwhile): show it
// in place rather than dropping the answer, as htmx does with error statuses by default.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var target = event.detail.target;
  if ((status === 400 || status === 409) && target && target.closest("[data-tz-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
