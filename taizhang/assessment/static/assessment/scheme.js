// The scheme editor's order. A row dragged onto another row of its kind takes that row's place (an item may
// go to another section, onto its heading row to be first there); the up and down buttons (htmx forms) do the
// same from the keyboard, and focus stays on the button pressed so a row can be moved several places.
(function () {
  "use strict";
  var region = document.getElementById("scheme-order");
  if (!region) { return; }
  var dragged = null;
  var pressed = null;

  function rows(kind) {
    return Array.prototype.slice.call(region.querySelectorAll("tr[data-row='" + kind + "']"));
  }
  function accepts(row) {
    if (!dragged || !row || row === dragged) { return false; }
    return dragged.dataset.row === "section" ? row.dataset.row === "section" : true;
  }
  function send(values) {
    var table = region.querySelector("#scheme-items");
    var token = region.querySelector("input[name='csrfmiddlewaretoken']");
    values.revision = table.dataset.revision;
    htmx.ajax("POST", table.dataset.orderUrl, {
      target: "#scheme-order", swap: "innerHTML", values: values,
      headers: token ? { "X-CSRFToken": token.value } : {}
    });
  }

  region.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (!row) { return; }
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.pk);
    row.classList.add("opacity-50");
  });
  region.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("opacity-50"); }
    dragged = null;
  });
  region.addEventListener("dragover", function (event) {
    if (accepts(event.target.closest && event.target.closest("tr[data-row]"))) { event.preventDefault(); }
  });
  region.addEventListener("drop", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (!accepts(row)) { return; }
    event.preventDefault();
    var what = dragged.dataset.row;
    var values = { what: what, id: dragged.dataset.pk, section: "" };
    if (what === "section" || row.dataset.row === "item") {
      var all = rows(what === "section" ? "section" : "item");
      if (what === "item") {  // the siblings are the target section's items
        var body = row.closest("tbody");
        all = all.filter(function (r) { return r.closest("tbody") === body; });
        values.section = body.dataset.section;
      }
      var others = all.filter(function (r) { return r !== dragged; });
      var at = others.indexOf(row);
      var downward = all.indexOf(dragged) !== -1 && all.indexOf(dragged) < all.indexOf(row);
      values.position = downward ? at + 1 : at;
    } else {  // an item dropped on a section's heading: first in that section
      values.section = row.dataset.pk;
      values.position = 0;
    }
    dragged.classList.remove("opacity-50");
    dragged = null;
    send(values);
  });

  region.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-move]");
    if (!button) { return; }
    var row = button.closest("tr[data-row]");
    pressed = { kind: row.dataset.row, pk: row.dataset.pk, move: button.dataset.move };
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== region || !pressed) { return; }
    var last = pressed;
    pressed = null;
    var row = region.querySelector("tr[data-row='" + last.kind + "'][data-pk='" + last.pk + "']");
    if (!row) { return; }
    // The same button again; at the top or the bottom (disabled there), the other one.
    var button = row.querySelector("button[data-move='" + last.move + "']:not([disabled])") ||
      row.querySelector("button[data-move]:not([disabled])");
    if (button) { button.focus(); }
  });
})();
