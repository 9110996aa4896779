// Small charts drawn as inline SVG (no library): bar charts, plain or stacked, with axis
// labels and a legend. Each chart is an <svg role="img"> named by its <title> and
// aria-label, followed by the same figures as a table for screen readers.

import { h } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
// Colour-blind-safe (Okabe–Ito), in series order.
export const COLOURS = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"];

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) element.setAttribute(name, value);
  for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/** A round step for about `count` ticks up to `max`. */
function niceStep(max, count = 4) {
  if (max <= 0) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  const nice = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10;
  return Math.max(nice * power, Number.EPSILON);
}

/**
 * barChart({ title, labels, series: [{ name, values }], format, id, xLabel, yLabel })
 * — one series draws plain bars, several draw stacked bars with a legend. `format`
 * writes a value (axis ticks, table cells); `width` is the width in CSS pixels it will be
 * shown at; `integer` keeps the ticks whole (counts). Returns a <figure>.
 */
export function barChart({ title, labels, series, format = (v) => String(v), id, xLabel, yLabel, empty = "—", width = 560, integer = false }) {
  // Drawn at the width it is shown at (a phone gets a narrower chart, not smaller text).
  width = Math.round(Math.max(280, Math.min(720, width)));
  const height = 260;
  const margin = { top: 12, right: 24, bottom: xLabel ? 58 : 42, left: 72 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
  const max = Math.max(0, ...totals);
  const step = integer ? Math.max(1, Math.round(niceStep(max))) : niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const y = (v) => margin.top + plotH - (v / top) * plotH;
  const band = labels.length ? plotW / labels.length : plotW;
  const barW = Math.max(2, Math.min(48, band * 0.7));
  const titleId = `${id || "chart"}-title`;

  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    ticks.push(
      svg("line", { x1: margin.left, x2: width - margin.right, y1: y(v), y2: y(v), stroke: "#d8dde6", "stroke-width": 1 }),
      svg("text", { x: margin.left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 13, fill: "#5b6475" }, format(v)),
    );
  }
  // A label per 64 px at most (counted back from the last), so days of a month stay readable.
  const every = Math.max(1, Math.ceil(labels.length / Math.max(2, Math.floor(plotW / 64))));
  const bars = [];
  const xLabels = [];
  labels.forEach((label, i) => {
    const x = margin.left + i * band + (band - barW) / 2;
    let base = 0;
    series.forEach((s, si) => {
      const value = s.values[i] || 0;
      if (value > 0) {
        bars.push(
          svg(
            "rect",
            { x: x.toFixed(1), y: y(base + value).toFixed(1), width: barW.toFixed(1), height: (y(base) - y(base + value)).toFixed(1), fill: s.colour || COLOURS[si % COLOURS.length] },
            svg("title", {}, `${label} · ${s.name}: ${format(value)}`),
          ),
        );
      }
      base += value;
    });
    if ((labels.length - 1 - i) % every === 0) {
      xLabels.push(svg("text", { x: (x + barW / 2).toFixed(1), y: margin.top + plotH + 16, "text-anchor": "middle", "font-size": 13, fill: "#1d2330" }, label));
    }
  });

  const chart = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": titleId, "aria-label": title, focusable: "false" },
    svg("title", { id: titleId }, title),
    ticks,
    svg("line", { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), stroke: "#1d2330" }),
    bars,
    xLabels,
    xLabel ? svg("text", { x: margin.left + plotW / 2, y: height - 8, "text-anchor": "middle", "font-size": 13, fill: "#5b6475" }, xLabel) : null,
    yLabel ? svg("text", { x: 14, y: margin.top + plotH / 2, "text-anchor": "middle", "font-size": 13, fill: "#5b6475", transform: `rotate(-90 14 ${margin.top + plotH / 2})` }, yLabel) : null,
  );

  const legend =
    series.length > 1
      ? h(
          "ul",
          { class: "legend" },
          series.map((s, si) => h("li", {}, svg("svg", { width: 12, height: 12, "aria-hidden": "true" }, svg("rect", { width: 12, height: 12, fill: s.colour || COLOURS[si % COLOURS.length] })), " ", s.name)),
        )
      : null;

  // (A table ignores a 1px width, so its wrapper is the one hidden.)
  const data = h(
    "div",
    { class: "visually-hidden" },
    h(
    "table",
    {},
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, xLabel || ""), series.map((s) => h("th", { scope: "col" }, s.name)))),
    h(
      "tbody",
      {},
      labels.map((label, i) => h("tr", {}, h("th", { scope: "row" }, label), series.map((s) => h("td", {}, format(s.values[i] || 0))))),
    ),
    ),
  );

  return h(
    "figure",
    { class: "chart", id: id || null, "data-bars": String(bars.length) },
    h("figcaption", {}, title),
    labels.length ? chart : h("p", { class: "empty" }, empty),
    legend,
    data,
  );
}
