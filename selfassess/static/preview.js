// Author preview: send the answers to the server on every change and show the scores it
// returns; reload when the bank file is saved.
(function () {
  "use strict";
  var state = document.getElementById("page-form") || document.getElementById("preview-state");
  if (!state) { return; }
  var stamp = state.getAttribute("data-stamp");

  setInterval(function () {
    fetch("version", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (v) {
      if (String(v.stamp) !== stamp) { window.location.reload(); }
    }).catch(function () {});
  }, 1000);

  var form = document.getElementById("page-form");
  if (!form) { return; }

  function answers() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "_shown") { return; }
      var block = document.getElementById("q-" + el.name);
      if (!block || block.hidden) { return; }
      if (block.querySelector("input[type=number]")) { return; }  // numbers below
      if (el.type === "checkbox") {
        if (block.querySelectorAll("input[type=checkbox][name='" + el.name + "']").length > 1 || el.value !== "na") {
          out[el.name] = out[el.name] || [];
          if (el.checked) { out[el.name].push(el.value); }
          return;
        }
        if (el.checked) { out[el.name] = "na"; }
        return;
      }
      if (el.type === "radio") { if (el.checked) { out[el.name] = el.value; } return; }
      if (el.value !== "") { out[el.name] = el.value; }
    });
    // A multi question answered "not applicable" or "don't know" alone sends that word.
    Object.keys(out).forEach(function (k) {
      if (Array.isArray(out[k]) && out[k].length === 1 && (out[k][0] === "na" || out[k][0] === "dk")) { out[k] = out[k][0]; }
    });
    // A number question: its box, its "not applicable" and "no data" boxes under the same name,
    // and with trustworthiness the source of the figure under "<id>.source".
    Array.prototype.forEach.call(form.querySelectorAll("input[type=number]"), function (box) {
      var block = document.getElementById("q-" + box.name);
      if (!block || block.hidden) { return; }
      var reserved = block.querySelector("input[type=checkbox][name='" + box.name + "']:checked");
      if (reserved) { out[box.name] = reserved.value; return; }
      if (box.value === "") { return; }
      var sources = block.querySelectorAll("input[type=radio][name='" + box.name + ".source']");
      if (!sources.length) { out[box.name] = Number(box.value); return; }
      var source = block.querySelector("input[type=radio][name='" + box.name + ".source']:checked");
      out[box.name] = {value: Number(box.value), source: source ? source.value : ""};
    });
    return out;
  }

  function fmt(value) { return value === null || value === undefined ? "–" : value.toFixed(1); }

  function update() {
    fetch(form.getAttribute("data-score-url"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": form.elements.csrf_token.value},
      body: JSON.stringify(answers())
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (!result.dimensions) { return; }
      document.getElementById("overall-score").textContent =
        fmt(result.overall.score) + (result.overall.level ? " · " + result.overall.level : "");
      Object.keys(result.dimensions).forEach(function (id) {
        var row = form.ownerDocument.querySelector("tr[data-dimension='" + id + "']");
        var d = result.dimensions[id];
        row.querySelector(".dim-score").textContent = fmt(d.score);
        row.querySelector(".dim-level").textContent = d.level || "–";
        row.querySelector(".dim-counted").textContent = d.counted + " / " + d.of;
        var advice = document.querySelector("[data-advice='" + id + "']");
        if (advice) { advice.textContent = d.advice || "–"; }
        var links = document.querySelector("[data-resources='" + id + "']");
        if (links) {
          links.textContent = "";
          (d.resources || []).forEach(function (r) {
            var item = document.createElement("li");
            var a = document.createElement("a");
            a.href = r.url; a.textContent = r.title;
            item.appendChild(a); links.appendChild(item);
          });
        }
      });
      if (result.report) {
        document.getElementById("report-level").textContent = result.report.level;
        document.getElementById("report-summary").textContent = result.report.summary;
      }
      Array.prototype.forEach.call(form.querySelectorAll(".contribution"), function (p) {
        var q = result.questions[p.id.slice("contribution-".length)];
        p.textContent = q ? "weight " + q.weight + " × s " + q.s.toFixed(3) + " = " + q.contribution.toFixed(3) : "";
      });
    }).catch(function () {});
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
