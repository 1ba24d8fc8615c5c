// "Add another item" for the belongings list: copies the empty row Django
// renders in a <template> and counts it in the formset's TOTAL_FORMS.
(function () {
  "use strict";
  function setUp(fieldset) {
    var prefix = fieldset.getAttribute("data-prefix");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = fieldset.querySelector("template");
    var rows = fieldset.querySelector(".belonging-rows");
    var button = fieldset.querySelector(".add-belonging");
    if (!total || !template || !rows || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= (parseInt(max.value, 10) || 1000)) { button.disabled = true; return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input");
      if (first) { first.focus(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var sets = document.querySelectorAll("fieldset.belongings[data-prefix]");
    for (var i = 0; i < sets.length; i++) { setUp(sets[i]); }
  });
})();
