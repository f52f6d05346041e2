// Small progressive enhancements: gallery switching, confirm prompts, and inline SVG bar charts.
(function () {
  "use strict";
  function gallery() {
    var main = document.getElementById("gallery-main");
    if (!main) { return; }
    document.querySelectorAll(".thumb").forEach(function (button, i) {
      button.addEventListener("click", function () {
        main.src = button.dataset.src;
        main.alt = "Photo " + (i + 1);
        document.querySelectorAll(".thumb").forEach(function (b) { b.removeAttribute("aria-current"); });
        button.setAttribute("aria-current", "true");
      });
    });
  }
  function confirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }
  var SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function bars(target, series) {
    var labels = Object.keys(series);
    var values = labels.map(function (k) { return Number(series[k]) || 0; });
    if (!labels.length) { target.textContent = "No data yet."; return; }
    var max = Math.max.apply(null, values.concat([1]));
    var w = 320, rowH = 24, h = labels.length * rowH + 8, left = 100;
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, "aria-hidden": "true" });
    labels.forEach(function (label, i) {
      var y = 4 + i * rowH, bw = (w - left - 50) * values[i] / max;
      svg.appendChild(el("text", { x: 0, y: y + 15 }, label));
      svg.appendChild(el("rect", { x: left, y: y + 3, width: Math.max(bw, 1), height: rowH - 8, fill: "#0b5cad", rx: 2 }));
      svg.appendChild(el("text", { x: left + bw + 4, y: y + 15 }, String(series[label])));
    });
    target.appendChild(svg);
    // Screen readers get the numbers as text.
    target.setAttribute("aria-label", labels.map(function (l, i) { return l + ": " + values[i]; }).join(", "));
  }
  function charts() {
    var source = document.getElementById("chart-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart=bars]").forEach(function (target) { bars(target, data[target.dataset.key] || {}); });
  }
  function timeZone() {
    // The server shows dates in the reader's time zone (forecourt_core.display reads this cookie).
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("tz=" + tz) === -1) {
      document.cookie = "tz=" + tz + "; path=/; max-age=31536000; SameSite=Lax";
    }
  }
  function drawers() {
    // Filters start closed on a phone and open on a wide screen (the server renders them closed).
    var wide = window.matchMedia("(min-width: 48rem)").matches;
    document.querySelectorAll("details.drawer").forEach(function (d) { if (wide) { d.open = true; } });
  }
  function init() { timeZone(); drawers(); gallery(); confirms(); charts(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
