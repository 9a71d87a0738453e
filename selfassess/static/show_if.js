// Progressive enhancement: show or hide questions whose show_if depends on an answer
// on the same page. The server decides the same on every save, so pages work without it.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form) { return; }
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  if (!blocks.length) { return; }

  function chosen(name) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value !== "") { values.push(el.value); }
    });
    return values;
  }

  function isShown(id) {
    var block = document.getElementById("q-" + id);
    return !block || !block.hidden;
  }

  function holds(cond) {
    if (!isShown(cond.question)) { return false; }
    var values = chosen(cond.question);
    if (!values.length || values.indexOf("na") !== -1 || values.indexOf("dk") !== -1) { return false; }
    if (cond.operator === "equals") { return values.indexOf(String(cond.value)) !== -1; }
    if (cond.operator === "in") {
      var wanted = cond.value.map(String);
      return values.some(function (v) { return wanted.indexOf(v) !== -1; });
    }
    var number = parseFloat(values[0].replace(",", "."));
    return !isNaN(number) && number >= Number(cond.value);
  }

  // Tell the server which questions the respondent could see, so it does not ask again.
  function markShown(block) {
    var id = block.id.slice(2);
    var marker = form.querySelector('input[name="_shown"][value="' + id + '"]');
    if (!block.hidden && !marker) {
      marker = document.createElement("input");
      marker.type = "hidden"; marker.name = "_shown"; marker.value = id;
      form.appendChild(marker);
    } else if (block.hidden && marker) {
      marker.parentNode.removeChild(marker);
    }
  }

  function update() {
    // Conditions can chain (a question shown only after a shown question), so repeat until stable.
    for (var pass = 0; pass < blocks.length + 1; pass++) {
      var changed = false;
      blocks.forEach(function (block) {
        var hide = !holds(JSON.parse(block.getAttribute("data-show-if")));
        if (block.hidden !== hide) { block.hidden = hide; changed = true; }
      });
      if (!changed) { break; }
    }
    blocks.forEach(markShown);
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
})();

// The source of a figure is asked only with a figure: "not applicable" and "no data" hide it.
// The server ignores a source sent without a figure, so the page works without this too.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form) { return; }
  var sources = Array.prototype.slice.call(form.querySelectorAll("[data-source-of]"));
  if (!sources.length) { return; }

  function update() {
    sources.forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-source-of");
      var reserved = form.querySelector("input[type=checkbox][name='" + id + "']:checked");
      fieldset.hidden = Boolean(reserved);
    });
  }

  form.addEventListener("change", update);
  update();
})();
