// Search-as-you-type pickers (taizhang/lib/widgets.py SearchPicker): the page holds only the chosen
// values as checked boxes; typing asks the picker's small JSON endpoint for at most a few matches.
// Delegated from the document, so pickers swapped in by htmx work too.
(function () {
  "use strict";
  var timers = new WeakMap();

  function pickerOf(node) { return node.closest(".picker"); }

  function choose(picker, item) {
    var chosen = picker.querySelector(".picker-chosen");
    var multiple = picker.dataset.multiple === "1";
    if (!multiple) chosen.textContent = "";
    if (chosen.querySelector('input[value="' + CSS.escape(String(item.id)) + '"]')) return;
    var label = document.createElement("label");
    label.className = "form-check picker-choice";
    var box = document.createElement("input");
    box.type = "checkbox"; box.className = "form-check-input";
    box.name = picker.dataset.name; box.value = item.id; box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + item.text));
    chosen.appendChild(label);
    var search = picker.querySelector(".picker-search");
    search.removeAttribute("required");
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function close(picker) {
    var results = picker.querySelector(".picker-results");
    results.textContent = "";
    picker.querySelector(".picker-search").setAttribute("aria-expanded", "false");
  }

  function search(picker) {
    var input = picker.querySelector(".picker-search");
    var results = picker.querySelector(".picker-results");
    var q = input.value.trim();
    if (!q) { close(picker); return; }
    var url = picker.dataset.url + (picker.dataset.url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() !== q) return;  // an older answer
        results.textContent = "";
        (data.results || []).forEach(function (item) {
          var button = document.createElement("button");
          button.type = "button"; button.className = "list-group-item list-group-item-action py-1";
          button.setAttribute("role", "option");
          button.textContent = item.text;
          button.addEventListener("click", function () {
            choose(picker, item); close(picker); input.value = ""; input.focus();
          });
          results.appendChild(button);
        });
        if (!results.children.length) {
          var none = document.createElement("div");
          none.className = "list-group-item text-body-secondary py-1";
          none.textContent = picker.dataset.none || "—";
          results.appendChild(none);
        }
        input.setAttribute("aria-expanded", "true");
      });
  }

  document.addEventListener("input", function (e) {
    if (!e.target.matches(".picker-search")) return;
    var picker = pickerOf(e.target);
    clearTimeout(timers.get(picker));
    timers.set(picker, setTimeout(function () { search(picker); }, 200));
  });
  document.addEventListener("keydown", function (e) {
    var picker = e.target.closest && pickerOf(e.target);
    if (!picker) return;
    if (e.target.matches(".picker-search")) {
      if (e.key === "Enter") { e.preventDefault(); search(picker); }
      else if (e.key === "ArrowDown") {
        var first = picker.querySelector(".picker-results button");
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === "Escape") { close(picker); }
    } else if (e.target.matches(".picker-results button")) {
      var buttons = Array.prototype.slice.call(picker.querySelectorAll(".picker-results button"));
      var at = buttons.indexOf(e.target);
      if (e.key === "ArrowDown" && at < buttons.length - 1) { e.preventDefault(); buttons[at + 1].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); (at > 0 ? buttons[at - 1] : picker.querySelector(".picker-search")).focus(); }
      else if (e.key === "Escape") { close(picker); picker.querySelector(".picker-search").focus(); }
    }
  });
  // Single pickers: unticking the chosen one clears it; ticking happens only by picking.
  document.addEventListener("change", function (e) {
    if (!e.target.matches(".picker-choice input")) return;
    if (!e.target.checked) e.target.closest(".picker-choice").remove();
  });
})();
