// The expense form's receipts: show upload progress (htmx uploads each file as soon as it is picked) and
// accept a file dropped on its row on a desktop. Without this script the form still works with one submit.
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (event) {
    var cell = event.target.closest && event.target.closest(".receipt-cell");
    if (!cell || !event.detail.lengthComputable) return;
    var bar = cell.querySelector(".upload-progress");
    if (!bar) return;
    var percent = Math.round((event.detail.loaded * 100) / event.detail.total);
    bar.hidden = false;
    bar.value = percent;
    bar.textContent = percent + "%";
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var cell = event.target.closest && event.target.closest(".receipt-cell");
    if (cell) cell.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var cell = event.target.closest && event.target.closest(".receipt-cell");
    if (cell) cell.removeAttribute("aria-busy");
  });
  function zoneOf(event) {
    return event.target.closest ? event.target.closest(".item-row") : null;
  }
  document.addEventListener("dragover", function (event) {
    var row = zoneOf(event);
    if (!row || !row.querySelector(".dropzone input[type=file]")) return;
    event.preventDefault();
    row.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (event) {
    var row = zoneOf(event);
    if (row) row.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var row = zoneOf(event);
    var input = row && row.querySelector(".dropzone input[type=file]");
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    row.classList.remove("dragging");
    var files = new DataTransfer();
    files.items.add(event.dataTransfer.files[0]);
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
