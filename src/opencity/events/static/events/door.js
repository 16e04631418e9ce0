// The door page without a page load per ticket, and camera scanning where the browser can (BarcodeDetector).
// Without JavaScript the form posts and the page answers: this file only enhances it.
(function () {
  "use strict";
  var form = document.getElementById("door-form");
  var code = document.getElementById("id_code");
  var door = document.getElementById("id_door");
  if (!form) return;
  if (door && window.localStorage) {
    door.value = localStorage.getItem("opencity-door") || Math.random().toString(36).slice(2, 8);
    localStorage.setItem("opencity-door", door.value);
  }
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    var box = document.getElementById("scanner");
    var video = document.getElementById("camera");
    var button = document.getElementById("scan");
    box.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.play();
        var tick = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              code.value = codes[0].rawValue;
              form.submit();
            } else {
              window.requestAnimationFrame(tick);
            }
          }).catch(function () { window.requestAnimationFrame(tick); });
        };
        tick();
      });
    });
  }
})();
