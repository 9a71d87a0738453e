// Draws the radar chart from the figure in data-figure (no inline script: the CSP forbids it).
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      window.Plotly.newPlot(el, figure.data, figure.layout, {displayModeBar: false, responsive: true});
    });
  }
  var print = document.getElementById("print-report");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
  // Submitting the peer group form on change saves a click; the button stays for keyboards without JS.
  var select = document.getElementById("peers");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
