// The case text editor: a small toolbar over a contenteditable area that writes HTML into the form's
// textarea (which stays there, hidden, and is what the form sends). The server sanitises whatever comes.
(function () {
  document.querySelectorAll("textarea[data-richtext]").forEach(function (textarea) {
    var labels = JSON.parse(textarea.dataset.richtext);
    var wrap = document.createElement("div");
    wrap.className = "rt border rounded";
    var bar = document.createElement("div");
    bar.className = "rt-toolbar btn-toolbar gap-1 p-1 border-bottom bg-light";
    var editor = document.createElement("div");
    editor.className = "rt-editor case-body p-2";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.setAttribute("aria-label", labels.label);
    editor.innerHTML = textarea.value;
    function sync() { textarea.value = editor.innerHTML; }
    function button(cmd, text, run) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn btn-sm btn-outline-secondary"; b.dataset.cmd = cmd;
      b.textContent = text; b.title = text;
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the selection
      b.addEventListener("click", function () { editor.focus(); run(); sync(); });
      bar.appendChild(b);
    }
    button("h2", labels.h2, function () { document.execCommand("formatBlock", false, "h2"); });
    button("h3", labels.h3, function () { document.execCommand("formatBlock", false, "h3"); });
    button("p", labels.p, function () { document.execCommand("formatBlock", false, "p"); });
    button("bold", labels.bold, function () { document.execCommand("bold"); });
    button("ul", labels.ul, function () { document.execCommand("insertUnorderedList"); });
    button("ol", labels.ol, function () { document.execCommand("insertOrderedList"); });
    button("table", labels.table, function () {
      document.execCommand("insertHTML", false,
        "<table><tr><th>&nbsp;</th><th>&nbsp;</th></tr><tr><td>&nbsp;</td><td>&nbsp;</td></tr></table><p><br></p>");
    });
    var source = document.createElement("button");
    source.type = "button"; source.className = "btn btn-sm btn-outline-secondary ms-auto"; source.textContent = "HTML";
    source.addEventListener("click", function () {
      var showing = textarea.classList.toggle("d-none");
      if (showing) { editor.innerHTML = textarea.value; editor.classList.remove("d-none"); }
      else { sync(); editor.classList.add("d-none"); }
    });
    bar.appendChild(source);
    textarea.parentNode.insertBefore(wrap, textarea);
    wrap.appendChild(bar);
    wrap.appendChild(editor);
    wrap.appendChild(textarea);
    textarea.classList.add("d-none");
    editor.addEventListener("input", sync);
    textarea.form.addEventListener("submit", function () { if (textarea.classList.contains("d-none")) sync(); });
    // The case's photos, placed where the cursor is.
    document.querySelectorAll("[data-insert-photo]").forEach(function (b) {
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
      b.addEventListener("click", function () {
        editor.focus();
        document.execCommand("insertHTML", false, '<img src="' + b.dataset.insertPhoto + '" alt="">');
        sync();
      });
    });
  });
})();
