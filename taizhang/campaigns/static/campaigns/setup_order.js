// The set-up page's key-task tree in order (the approach of assessment/scheme.js, without a round trip): a row
// dragged by its handle onto a sibling takes that sibling's place — an aspect moves with its key tasks, a key
// task stays under its aspect — and the up and down buttons do the same from the keyboard, focus staying on the
// button pressed. Each move renumbers the siblings' order fields; "Save key tasks" keeps the new order.
(function () {
  "use strict";
  var table = document.querySelector("#key_tasks table[data-reorder]");
  if (!table) { return; }
  var body = table.tBodies[0];
  var status = document.getElementById("order-status");
  var dragged = null;

  function siblings(row) {
    return Array.prototype.filter.call(body.querySelectorAll("tr[data-row]"), function (r) {
      return r.dataset.row === row.dataset.row && r.dataset.parent === row.dataset.parent;
    });
  }
  function block(row) {  // an aspect's row and the rows of its key tasks
    var rows = [row];
    if (row.dataset.row !== "aspect") { return rows; }
    body.querySelectorAll("tr[data-row='task'][data-parent='" + row.dataset.pk + "']").forEach(function (r) {
      rows.push(r);
    });
    return rows;
  }
  function orderInput(row) { return row.querySelector("input[name$='-order']"); }
  function buttons(all) {  // the first row cannot go up, the last cannot go down
    all.forEach(function (r, index) {
      var up = r.querySelector("button[data-move='up']");
      var down = r.querySelector("button[data-move='down']");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === all.length - 1; }
    });
  }
  function renumber(row) {
    var all = siblings(row);
    all.forEach(function (r, index) {
      var input = orderInput(r);
      if (input) { input.value = String(index + 1); }
    });
    buttons(all);
    if (status) {
      var name = row.querySelector("input[name$='-name']");
      status.textContent = status.dataset.moved
        .replace("%(name)s", name ? name.value : "")
        .replace("%(n)s", String(all.indexOf(row) + 1))
        .replace("%(total)s", String(all.length));
    }
  }
  function place(row, target, after) {  // move row (with its block) before or after target's block
    var rows = block(row);
    var anchor = after ? block(target).slice(-1)[0].nextSibling : target;
    rows.forEach(function (r) { body.insertBefore(r, anchor); });
    renumber(row);
  }

  body.querySelectorAll("tr[data-row]").forEach(function (row) {
    var handle = row.querySelector(".drag-handle");
    if (handle) {  // the handle drags its row (the row's fields stay for typing and selecting text)
      handle.style.cursor = "move";
      handle.draggable = true;
    }
  });
  var seen = {};
  body.querySelectorAll("tr[data-row]").forEach(function (row) {
    var key = row.dataset.row + ":" + row.dataset.parent;
    if (!seen[key]) { seen[key] = true; buttons(siblings(row)); }
  });

  body.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (!row) { return; }
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.pk);
    event.dataTransfer.setDragImage(row, 0, 0);
    row.classList.add("opacity-50");
  });
  body.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("opacity-50"); }
    dragged = null;
  });
  function target(event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (!dragged || !row || row === dragged) { return null; }
    return siblings(dragged).indexOf(row) === -1 ? null : row;
  }
  body.addEventListener("dragover", function (event) {
    if (target(event)) { event.preventDefault(); }
  });
  body.addEventListener("drop", function (event) {
    var row = target(event);
    if (!row) { return; }
    event.preventDefault();
    var all = siblings(dragged);
    var downward = all.indexOf(dragged) < all.indexOf(row);
    var moving = dragged;
    moving.classList.remove("opacity-50");
    dragged = null;
    place(moving, row, downward);
  });
  body.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-move]");
    if (!button) { return; }
    event.preventDefault();
    var row = button.closest("tr[data-row]");
    var all = siblings(row);
    var at = all.indexOf(row);
    var up = button.dataset.move === "up";
    var other = all[up ? at - 1 : at + 1];
    if (!other) { return; }
    place(row, other, !up);
    var again = button.disabled ? row.querySelector("button[data-move]:not([disabled])") : button;
    if (again) { again.focus(); }
  });
})();
