// A report run's admin page: poll its status until it is ready (or failed), then show the link.
(function () {
  "use strict";
  var box = document.getElementById("report-status");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("report-progress");
  var state = document.getElementById("report-state");
  var percent = document.getElementById("report-percent");
  var error = document.getElementById("report-error");
  var download = document.getElementById("report-download");
  var link = document.getElementById("report-download-link");
  var delay = 1000;

  function show(status) {
    bar.value = status.progress;
    percent.textContent = status.progress + "%";
    state.textContent = status.state_label;
    state.setAttribute("data-state", status.state);
    if (status.state === "failed") {
      error.textContent = status.error;
      error.hidden = false;
    }
    if (status.download) {
      link.href = status.download;
      download.hidden = false;
    }
    return status.state === "done" || status.state === "failed";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!show(status)) {
          delay = Math.min(delay * 1.5, 10000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }

  var now = state.getAttribute("data-state");
  if (now !== "done" && now !== "failed") { window.setTimeout(poll, 500); }
})();
