// The item form's milestones table: "Add a row" copies the empty row and counts it in the formset.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-tz-add-milestone]");
  if (!button) { return; }
  var table = document.getElementById("milestones-table");
  var template = document.getElementById("milestone-empty-row");
  var total = document.getElementById("id_milestones-TOTAL_FORMS");
  if (!table || !template || !total) { return; }
  var index = parseInt(total.value, 10);
  var row = template.content.firstElementChild.cloneNode(true);
  row.innerHTML = row.innerHTML.replace(/__prefix__/g, String(index));
  table.querySelector("tbody").appendChild(row);
  total.value = String(index + 1);
  var first = row.querySelector("input");
  if (first) { first.focus(); }
});
