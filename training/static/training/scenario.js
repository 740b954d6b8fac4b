// "What would you do?": once a person picks an option, open the recommended answer and say
// whether their choice matches it. Without JavaScript the answer stays behind its <details>.
(function () {
  "use strict";
  document.querySelectorAll(".scenario[data-recommended]").forEach(function (scenario) {
    var details = scenario.querySelector("details");
    var verdict = scenario.querySelector("[data-verdict]");
    scenario.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var match = radio.value === scenario.dataset.recommended;
        verdict.textContent = match ? scenario.dataset.matchText : scenario.dataset.otherText;
        verdict.className = "tag " + (match ? "tag-ok" : "tag-warn");
        details.open = true;
      });
    });
  });
})();
