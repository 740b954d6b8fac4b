// Tell the server when the end of the lesson is in view; the server keeps its own time of hearing
// it and decides from that whether the lesson counts as read. A look at the end right after the
// page opened does not count, so while the end stays in view it is reported again once that
// moment has passed. Without JavaScript the lesson counts after its minimum reading time.
(function () {
  "use strict";
  var end = document.querySelector("[data-end-url]");
  if (!end || !("IntersectionObserver" in window)) {
    return;
  }
  var form = end.querySelector("form");
  var token = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
  if (!token) {
    return;
  }
  var after = (parseInt(end.dataset.endAfter, 10) || 5) * 1000 + 500;
  var visible = false;
  var timer = null;

  function report() {
    fetch(end.dataset.endUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    }).catch(function () {});
  }

  new IntersectionObserver(function (entries) {
    visible = entries.some(function (entry) { return entry.isIntersecting; });
    if (!visible) {
      return;
    }
    report();
    if (timer === null) {
      timer = window.setTimeout(function () {
        timer = null;
        if (visible) {
          report();
        }
      }, after);
    }
  }).observe(end);
})();
