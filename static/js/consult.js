// While the automated first answer is being drafted, reload the consultation page every few
// seconds (for up to a minute) so it appears without a manual reload. Without JavaScript the
// page says to reload.
(function () {
  "use strict";
  var waiting = document.getElementById("awaiting-draft");
  if (!waiting) return;
  var key = "consult-reloads:" + location.pathname;
  var count = Number(sessionStorage.getItem(key) || 0);
  if (count >= 20) return;
  setTimeout(function () {
    sessionStorage.setItem(key, String(count + 1));
    location.reload();
  }, 3000);
})();
