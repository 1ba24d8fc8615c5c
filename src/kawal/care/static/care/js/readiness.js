// Show the "why safe despite a high result" field only for a "yes" that names
// a high-band assessment; the server refuses that "yes" without it anyway.
(function () {
  "use strict";
  var box = document.getElementById("against-high");
  if (!box) return;
  var form = box.closest("form");
  var high = (box.getAttribute("data-high") || "").split(" ").filter(Boolean);
  function update() {
    var yes = form.querySelector('input[name="safe"][value="yes"]');
    var named = Array.prototype.some.call(
      form.querySelectorAll('input[name="assessments"]:checked'),
      function (input) { return high.indexOf(input.value) !== -1; }
    );
    box.hidden = !(yes && yes.checked && named);
  }
  form.addEventListener("change", update);
  update();
})();
