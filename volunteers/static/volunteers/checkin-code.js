// The leader's check-in code page: swap in the new code as it changes, in place, instead of reloading the
// page on a timer (a timed reload moves the reader back to the top and is flagged by accessibility checks).
(function () {
  "use strict";
  var panel = document.querySelector("[data-refresh]");
  if (!panel) { return; }
  var seconds = parseInt(panel.getAttribute("data-refresh"), 10) || 30;

  function update() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["vol-qr", "vol-code"].forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (!now || !next) { return; }
          if (now.tagName === "IMG") { now.src = next.src; } else { now.textContent = next.textContent; }
        });
      })
      .catch(function () {})
      .then(function () { window.setTimeout(update, seconds * 1000); });
  }
  window.setTimeout(update, seconds * 1000);
})();
