// Taizhang front-end glue: htmx does the work; this only keeps the filter form and URL in step.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("htmx-error");
  if (box) { box.classList.remove("d-none"); }
});
