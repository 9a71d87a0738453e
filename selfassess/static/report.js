// Draws the charts from the figure in data-figure (no inline script: the CSP forbids it).
// The labels are wrapped to the width the chart has (a phone, a wide screen, the printed page)
// and the margins widened until every label is inside the chart.
(function () {
  "use strict";
  var LABELS = ".angularaxistick text, .xtick text, .legendtext, .ytick text, .ytitle";

  function escapeText(text) {
    // As charts.plain does in Python: Plotly reads a little HTML in labels, a title's <a> stays text.
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // A word much longer than a line is broken with a hyphen where a compound most likely joins:
  // after a linking "s" ("kvalitets-opfølgning"), else between two consonants before a vowel
  // ("Medarbejder-mobilitet"), else between syllables, else at the line's end.
  var VOWEL = /[aeiouyæøåäöü]/i;
  function breakWord(word, width) {
    if (word.length <= width + 2) { return [word]; }
    var best = -1, kind = -1;
    for (var i = 4; i <= Math.min(width - 1, word.length - 5); i++) {
      var before = word.charAt(i - 1), here = word.charAt(i), next = word.charAt(i + 1);
      var k = -1;
      if (before === "s" && i >= 6) { k = 3; }
      else if (!VOWEL.test(before) && !VOWEL.test(here) && VOWEL.test(next)) { k = 2; }
      else if (VOWEL.test(before) && !VOWEL.test(here) && VOWEL.test(next)) { k = 1; }
      if (k >= kind) { kind = k; best = i; }
    }
    if (best < 0) { best = width - 1; }
    return [word.slice(0, best) + "-"].concat(breakWord(word.slice(best), width));
  }

  function wrap(text, width) {
    var lines = [];
    text.split(/\s+/).forEach(function (word) {
      breakWord(word, width).forEach(function (piece, i) {
        var last = lines.length - 1;
        if (i === 0 && last >= 0 && lines[last].length + 1 + piece.length <= width) {
          lines[last] += " " + piece;
        } else {
          lines.push(piece);
        }
      });
    });
    return lines.map(escapeText).join("<br>");
  }

  // The figure with its labels wrapped for *width* pixels: the radar's dimension names, the box plots' names.
  function fitted(figure, width) {
    var titles = figure.titles || [];
    var radar = figure.data.some(function (t) { return t.type === "scatterpolar"; });
    var small = width < 560;
    // Box plots: names across under wide boxes; on a narrow screen turned upright, in longer lines.
    var across = width / Math.max(titles.length, 1) >= 70;
    var perLine = radar ? Math.max(12, Math.min(18, Math.floor(width / 32)))
      : (across ? Math.floor(width / Math.max(titles.length, 1) / 6.5) : 28);
    var labels = titles.map(function (t) { return wrap(t, perLine); });
    var layout = JSON.parse(JSON.stringify(figure.layout));
    layout.font = layout.font || {};
    layout.font.size = small ? 10 : 12;
    var data = figure.data.map(function (trace) {
      var copy = Object.assign({}, trace);
      if (radar && trace.theta && figure.data[0].theta) {
        var order = figure.data[0].theta.slice(0, titles.length);
        copy.theta = trace.theta.map(function (label) {
          var i = order.indexOf(label);
          return i >= 0 ? labels[i] : label;
        });
      }
      return copy;
    });
    if (!radar) {
      data.forEach(function (trace, i) { if (i < labels.length) { trace.name = labels[i]; } });
      layout.xaxis = Object.assign({}, layout.xaxis, {tickangle: across ? 0 : -90});
    }
    if (radar && small) {
      layout.margin = {l: 60, r: 60, t: 40, b: 30};
    }
    return {data: data, layout: layout};
  }

  // How far the labels reach beyond the chart on each side, in pixels; the axis labels stop above the legend.
  function overflow(el) {
    var box = el.getBoundingClientRect();
    var legend = el.querySelector(".legend .bg");
    var floor = legend ? Math.min(box.bottom, legend.getBoundingClientRect().top) : box.bottom;
    var out = {l: 0, r: 0, t: 0, b: 0};
    Array.prototype.forEach.call(el.querySelectorAll(LABELS), function (text) {
      var b = text.getBoundingClientRect();
      if (!b.width) { return; }
      var bottom = text.classList.contains("legendtext") ? box.bottom : floor;
      out.l = Math.max(out.l, box.left - b.left + 4);
      out.r = Math.max(out.r, b.right - box.right + 4);
      out.t = Math.max(out.t, box.top - b.top + 4);
      out.b = Math.max(out.b, b.bottom - bottom + 4);
    });
    return out;
  }

  function draw(el) {
    var figure = JSON.parse(el.getAttribute("data-figure"));
    var width = el.clientWidth;
    if (!width) { return; }
    var fit = fitted(figure, width);
    fit.layout.width = width;  // the element's size now (the screen's, or the printed page's)
    fit.layout.height = el.clientHeight;
    // A newer drawing (the window resized again) makes this one stale: it stops widening.
    var token = (el.drawToken || 0) + 1;
    el.drawToken = token;
    el.removeAttribute("data-fitted");
    window.Plotly.react(el, fit.data, fit.layout, {displayModeBar: false, responsive: false}).then(function () {
      var tries = 0;
      function widen() {
        var need = overflow(el);
        if (token !== el.drawToken || tries++ >= 4 || (need.l <= 0 && need.r <= 0 && need.t <= 0 && need.b <= 0)) { return null; }
        var m = el.layout.margin;
        var margin = {l: m.l + Math.max(0, need.l), r: m.r + Math.max(0, need.r),
          t: m.t + Math.max(0, need.t), b: m.b + Math.max(0, need.b)};
        return window.Plotly.relayout(el, {margin: margin}).then(widen);
      }
      return widen();
    }).then(function () {
      if (token === el.drawToken) { el.setAttribute("data-fitted", el.clientWidth + "x" + el.clientHeight); }
    });
  }

  function drawAll(force) {
    if (!window.Plotly) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), function (el) {
      var size = el.clientWidth + "x" + el.clientHeight;
      if (force || el.getAttribute("data-drawn-size") !== size) { el.setAttribute("data-drawn-size", size); draw(el); }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { drawAll(false); }, 150);
  });
  // The printed page is narrower or wider than the screen: draw again for it, and back afterwards.
  window.addEventListener("beforeprint", function () { drawAll(false); });
  window.addEventListener("afterprint", function () { drawAll(false); });
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) { print.addEventListener("change", function () { drawAll(false); }); }
  }

  var printButton = document.getElementById("print-report");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  // Submitting the peer group form on change saves a click; the button stays for keyboards without JS.
  var select = document.getElementById("peers");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(true); });
  } else {
    drawAll(true);
  }
})();
