// A button with data-tz-copy puts its text on the clipboard and says so (the tracking code on the thanks page).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tz-copy]");
    if (!button) return;
    var text = button.dataset.tzCopy;
    var done = function () {
      button.textContent = button.dataset.tzCopied;
      var status = document.getElementById(button.getAttribute("aria-controls") + "-status");
      if (status) status.textContent = button.dataset.tzCopied;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      // An intranet over plain http has no clipboard API: select the code so Ctrl-C copies it.
      var code = document.getElementById(button.getAttribute("aria-controls"));
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { if (document.execCommand("copy")) done(); } catch (e) { /* the selection stays for the reader */ }
    }
  });
})();
