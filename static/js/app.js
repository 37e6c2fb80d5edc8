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
