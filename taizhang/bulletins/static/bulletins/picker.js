// The linked-items picker: type, pick from at most 20 matches (a small JSON endpoint), keep as checkboxes.
(function () {
  document.querySelectorAll(".item-picker").forEach(function (picker) {
    var input = picker.querySelector(".item-picker-search");
    var results = picker.querySelector(".item-picker-results");
    var chosen = picker.querySelector(".item-picker-chosen");
    var timer = null;
    function add(item) {
      if (chosen.querySelector('input[value="' + item.id + '"]')) return;
      var label = document.createElement("label");
      label.className = "form-check";
      var box = document.createElement("input");
      box.type = "checkbox"; box.className = "form-check-input"; box.name = picker.dataset.name;
      box.value = item.id; box.checked = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + item.text));
      chosen.appendChild(label);
    }
    function search() {
      var q = input.value.trim();
      results.textContent = "";
      if (!q) return;
      fetch(picker.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          results.textContent = "";
          data.results.forEach(function (item) {
            var button = document.createElement("button");
            button.type = "button"; button.className = "list-group-item list-group-item-action py-1";
            button.textContent = item.text;
            button.addEventListener("click", function () { add(item); results.textContent = ""; input.value = ""; });
            results.appendChild(button);
          });
        });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });
  });
})();
