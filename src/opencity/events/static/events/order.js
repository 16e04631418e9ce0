// Ticket form: show one attendee row per ticket chosen (without JavaScript, every row is shown).
(function () {
  "use strict";
  function sync(card) {
    var qty = card.querySelector("[data-quantity]");
    var box = card.querySelector("[data-attendees]");
    if (!qty || !box) return;
    var n = parseInt(qty.value, 10) || 0;
    box.hidden = n < 1;
    box.querySelectorAll("[data-slot]").forEach(function (row) {
      row.hidden = parseInt(row.getAttribute("data-slot"), 10) >= n;
    });
  }
  document.querySelectorAll(".ticket-types > li").forEach(function (card) {
    var qty = card.querySelector("[data-quantity]");
    if (!qty) return;
    qty.addEventListener("input", function () { sync(card); });
    sync(card);
  });
})();
