// Saves the answers in the background whenever a choice changes. The form works without it.
// Each save sends the page's sequence number and takes the next one from the reply, so a page
// that another tab has saved over since is refused instead of overwriting (the server decides).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  // form.action would be the buttons named "action"; read the attribute itself.
  var url = form.getAttribute("action") || window.location.pathname;
  var status = form.querySelector("[data-autosave-status]");
  var sequence = form.querySelector("[data-sequence]");
  var pending = null;
  var saving = false;
  var again = false;
  var held = null; // a submit pressed while a save was on its way
  function say(text) {
    if (status) status.textContent = text || "";
  }
  function finished() {
    saving = false;
    if (again) {
      again = false;
      save();
    } else if (held) {
      var button = held;
      held = null;
      if (form.requestSubmit) form.requestSubmit(button); else form.submit();
    }
  }
  function save() {
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    var data = new FormData(form);
    data.set("action", "save");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (body.saved) {
            if (sequence && body.sequence !== undefined) sequence.value = String(body.sequence);
            say(form.dataset.savedText || "✓");
          } else {
            again = false;
            held = null;
            say(body.error);
          }
        });
      })
      .catch(function () {
        again = false;
        held = null;
        say(form.dataset.failedText);
      })
      .then(finished);
  }
  form.addEventListener("change", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(save, 400);
  });
  // A submit must carry the sequence of the last save, so it waits for a save on its way.
  form.addEventListener("submit", function (event) {
    if (pending !== null) {
      window.clearTimeout(pending);
      pending = null;
    }
    if (saving) {
      event.preventDefault();
      held = event.submitter || null;
    }
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
