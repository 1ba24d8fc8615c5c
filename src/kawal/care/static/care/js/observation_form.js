// The heading names the day being recorded: "today" only when it is today.
(function () {
  "use strict";
  var heading = document.getElementById("observation-heading");
  var input = document.getElementById("id_observed_on");
  if (!heading || !input) return;
  function update() {
    var value = input.value;
    if (!value || value === heading.getAttribute("data-today")) {
      heading.textContent = heading.getAttribute("data-today-text");
      return;
    }
    var parts = value.split("-");
    if (parts.length !== 3) return;
    var shown = parts[2] + "/" + parts[1] + "/" + parts[0];
    heading.textContent = heading.getAttribute("data-day-text").replace("{date}", shown);
  }
  input.addEventListener("change", update);
  input.addEventListener("input", update);
})();
