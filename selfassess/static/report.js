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

  function unescapeText(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  // Lines break at spaces, then after a hyphen a word already has ("Elev-og-lærling"); a word is only
  // split when it is longer than *longest* (it cannot fit beside the chart), into as few pieces as it
  // needs, with a hyphen where a compound most likely joins: after a linking "s"
  // ("kvalitets-opfølgning"), else between two consonants before a vowel ("Medarbejder-mobilitet"),
  // else between syllables; the most even such split wins, so no piece is a stub ("Inter-nationalis-ering").
  var VOWEL = /[aeiouyæøåäöüéèêàâîôûç]/i;
  function joinKind(word, i) {
    var before = word.charAt(i - 1), here = word.charAt(i), next = word.charAt(i + 1);
    // A linking "s" follows a consonant ("kvalitets"); after a vowel it is a suffix ("Internationalis-ering").
    if (before === "s" && i >= 6 && !VOWEL.test(word.charAt(i - 2))) { return 3; }
    if (!VOWEL.test(before) && !VOWEL.test(here) && VOWEL.test(next)) { return 2; }
    if (VOWEL.test(before) && !VOWEL.test(here) && VOWEL.test(next)) { return 1; }
    return 0;
  }
  function splitWord(word, longest) {
    if (word.length <= longest) { return [word]; }
    var pieces = Math.ceil(word.length / (longest - 1));  // each piece but the last carries a hyphen
    var ideal = Math.ceil(word.length / pieces);
    var best = -1, score = -Infinity;
    for (var i = Math.max(3, word.length - (pieces - 1) * (longest - 1)); i <= Math.min(longest - 1, word.length - 3); i++) {
      var s = joinKind(word, i) * 3 - Math.abs(i - ideal);
      if (s > score) { score = s; best = i; }
    }
    if (best < 0) { best = longest - 1; }
    return [word.slice(0, best) + "-"].concat(splitWord(word.slice(best), longest));
  }

  function wrap(text, width, longest) {
    var lines = [];
    text.split(/\s+/).forEach(function (word) {
      // After a hyphen the word has, the rest may go on the next line ("Erasmus+-" "accredited").
      word.split(/(?<=-)(?=.)/).forEach(function (part, p) {
        splitWord(part, Math.max(width, longest || 0)).forEach(function (piece, i) {
          var last = lines.length - 1;
          var gap = p === 0 ? " " : "";  // a word's later parts follow its hyphen without a space
          // A short word ("et", "og", "på") shares a line, before or after it, rather than standing alone.
          var room = piece.length <= 3 || (last >= 0 && lines[last].length <= 3) ? width + 3 : width;
          if (i === 0 && last >= 0 && lines[last].length + gap.length + piece.length <= room) {
            lines[last] += gap + piece;
          } else {
            lines.push(piece);
          }
        });
      });
    });
    return lines.map(escapeText).join("<br>");
  }

  // The figure with its labels wrapped for *width* pixels: the radar's dimension names, the box plots' names.
  // *tweaks* (per label, from labels that ran into each other) widen a label's lines or split its long words;
  // tweaks.axis turns the radial axis (its "100") away from a name it covered, in degrees.
  function fitted(figure, width, tweaks) {
    var titles = figure.titles || [];
    var radar = figure.data.some(function (t) { return t.type === "scatterpolar"; });
    var small = width < 560;
    // Box plots: names across under wide boxes; on a narrow screen turned upright, in longer lines.
    var across = width / Math.max(titles.length, 1) >= 70;
    var perLine = radar ? Math.max(12, Math.min(18, Math.floor(width / 32)))
      : (across ? Math.floor(width / Math.max(titles.length, 1) / 6.5) : 28);
    // A word is split only beyond about a third of the chart's width (at ~0.6 em a letter): "Internationalisering"
    // stays whole on a phone, a word of thirty letters does not.
    var longest = radar ? Math.floor(width * 0.36 / ((small ? 10 : 12) * 0.6)) : perLine + 2;
    var labels = titles.map(function (t, i) {
      var tweak = ((tweaks || {}).labels || [])[i] || {};
      var lineWidth = perLine + (tweak.wider || 0);
      return wrap(t, lineWidth, tweak.split ? lineWidth + 3 : longest);
    });
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
    if (radar && tweaks && tweaks.axis && layout.polar && layout.polar.radialaxis) {
      var axis = layout.polar.radialaxis;
      axis.angle += tweaks.axis;
      axis.tickangle = axis.angle;  // the numbers stay upright
    }
    if (radar) {
      // A long legend entry ("Organismes comparables : moitié centrale…") wraps within the chart's width:
      // wider margins cannot bring it back.
      var legendChars = Math.floor((width - 60) / ((small ? 10 : 12) * 0.6));
      data.forEach(function (trace) {
        if (trace.name) { trace.name = wrap(unescapeText(trace.name), legendChars); }
      });
    }
    return {data: data, layout: layout, labels: labels};
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

  function overlaps(a, b) {
    return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  }

  // A radar's dimension names that run into each other or into a radial tick ("100"), as tweaks for the
  // next drawing: the name more to the side gets wider lines (fewer of them, so less tall), the one
  // nearer the top or bottom has its long words split (narrower); the radial axis turns off a name it covers.
  // None when all is clear.
  function clashes(el, labels, tweaks) {
    // Plotly's drawing order is not the dimensions' order: each name is found by its text.
    var drawn = Array.prototype.slice.call(el.querySelectorAll(".angularaxistick text"));
    var names = labels.map(function (label) {
      var text = unescapeText(label.replace(/<br>/g, ""));
      return drawn.filter(function (t) { return t.textContent === text; })[0];
    });
    if (!names.length || names.some(function (t) { return !t; })) { return null; }
    var boxes = names.map(function (t) { return t.getBoundingClientRect(); });
    var ticks = Array.prototype.map.call(el.querySelectorAll(".xtick text"), function (t) { return t.getBoundingClientRect(); });
    var n = names.length, found = false;
    var next = {labels: (tweaks.labels || []).map(function (t) { return Object.assign({}, t); }), axis: tweaks.axis || 0};
    var step = 360 / n;
    function side(i) { return Math.abs(Math.cos((90 - i * 360 / n) * Math.PI / 180)); }
    for (var i = 0; i < n; i++) {
      for (var j = i + 1; j < n; j++) {
        if (!overlaps(boxes[i], boxes[j])) { continue; }
        found = true;
        var wide = side(i) >= side(j) ? i : j, narrow = wide === i ? j : i;
        next.labels[wide] = next.labels[wide] || {};
        next.labels[wide].wider = (next.labels[wide].wider || 0) + 5;
        next.labels[narrow] = next.labels[narrow] || {};
        next.labels[narrow].split = true;
      }
      ticks.forEach(function (tick) {
        if (tick.width && overlaps(tick, boxes[i])) {
          found = true;
          // The axis runs between the first two names: turn it towards the one it does not cover.
          next.axis += (i === 0 ? -1 : 1) * step * 0.12;
        }
      });
    }
    return found ? next : null;
  }

  function draw(el, tweaks, round) {
    var figure = JSON.parse(el.getAttribute("data-figure"));
    var width = el.clientWidth;
    if (!width) { return; }
    tweaks = tweaks || {};
    round = round || 0;
    var fit = fitted(figure, width, tweaks);
    fit.layout.width = width;  // the element's size now (the screen's, or the printed page's)
    fit.layout.height = el.clientHeight;
    // A newer drawing (the window resized again) makes this one stale: it stops widening.
    var token = round ? el.drawToken : (el.drawToken || 0) + 1;
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
      if (token !== el.drawToken) { return; }
      var next = round < 3 ? clashes(el, fit.labels, tweaks) : null;
      if (next) { draw(el, next, round + 1); return; }
      el.setAttribute("data-fitted", el.clientWidth + "x" + el.clientHeight);
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

  // A heat map's headers break between words. Only when the table is wider than its region do its
  // longest words get a soft hyphen where a compound likely joins ("Medarbejder-mobilitet"), one word at
  // a time, longest first, until it fits a laptop: never "Partnershi ps", never an unneeded "Certifi-cation".
  function softHyphens(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table.heatmap"), function (table) {
      var region = table.parentNode;
      var words = [];
      Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (th) {
        var walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
        for (var node = walker.nextNode(); node; node = walker.nextNode()) {
          (node.textContent.match(/[^\s\-\u00ad]{12,}/g) || []).forEach(function (word) {
            words.push({node: node, word: word});
          });
        }
      });
      words.sort(function (a, b) { return b.word.length - a.word.length; });
      for (var i = 0; i < words.length && table.offsetWidth > region.clientWidth; i++) {
        var word = words[i].word;
        var soft = splitWord(word, Math.ceil(word.length / 2) + 3).map(function (piece) {
          return piece.replace(/-$/, "");
        }).join("\u00ad");
        words[i].node.textContent = words[i].node.textContent.replace(word, soft);
      }
    });
  }
  softHyphens(document);

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
