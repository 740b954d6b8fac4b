// Saves the answers in the background whenever a choice changes. The form works without it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector("[data-autosave-status]");
  var pending = null;
  function save() {
    var data = new FormData(form);
    data.set("action", "save");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!status) return;
          if (body.saved) {
            status.textContent = form.dataset.savedText || "✓";
          } else {
            status.textContent = body.error || "";
          }
        });
      })
      .catch(function () {
        if (status) status.textContent = form.dataset.failedText || "";
      });
  }
  form.addEventListener("change", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(save, 400);
  });
})();

// Shows the time left before the deadline (the server enforces it; this only informs).
(function () {
  "use strict";
  var deadline = document.querySelector("time[data-deadline]");
  var out = document.querySelector("[data-time-left]");
  if (!deadline || !out) return;
  var end = Date.parse(deadline.getAttribute("datetime"));
  if (isNaN(end)) return;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.floor((end - Date.now()) / 1000));
    out.textContent = "(" + out.dataset.label + " " + Math.floor(left / 60) + ":" + pad(left % 60) + ")";
    if (left > 0) window.setTimeout(tick, 1000);
  }
  tick();
})();
