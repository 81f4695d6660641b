// Orders per purchase day, stacked by import state, as a hand-drawn SVG: a merchant sees at a glance whether
// imports keep up (a growing blocked or waiting band means they do not).

import { IMPORT_STATES, label } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function days(since, until) {
  const out = [];
  for (let d = new Date(`${since}T00:00:00Z`); d <= new Date(`${until}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

export function volumeChart(volume) {
  const dayList = days(volume.since, volume.until);
  const byDay = new Map(dayList.map((d) => [d, {}]));
  const totals = Object.fromEntries(IMPORT_STATES.map((st) => [st, 0]));
  for (const c of volume.counts) {
    if (!byDay.has(c.day)) continue;
    byDay.get(c.day)[c.importState] = c.count;
    totals[c.importState] += c.count;
  }
  const max = Math.max(1, ...dayList.map((d) => Object.values(byDay.get(d)).reduce((a, b) => a + b, 0)));
  const width = 720;
  const height = 220;
  const left = 36;
  const bottom = 24;
  const plot = height - bottom - 8;
  const step = (width - left) / dayList.length;
  const all = Object.values(totals).reduce((a, b) => a + b, 0);
  const summary =
    `Orders per day from ${volume.since} to ${volume.until}: ${all} in all` +
    IMPORT_STATES.filter((st) => totals[st]).map((st) => `, ${totals[st]} ${label(st).toLowerCase()}`).join("");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": summary, class: "chart" });
  svg.append(s("title", {}, summary));
  for (const tick of [0, max]) {
    const y = 8 + plot - (tick / max) * plot;
    svg.append(s("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }));
    svg.append(s("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "axis" }, tick));
  }
  dayList.forEach((day, index) => {
    let y = 8 + plot;
    const group = s("g", { class: "bar", "data-day": day });
    const parts = [];
    for (const st of IMPORT_STATES) {
      const n = byDay.get(day)[st] || 0;
      if (!n) continue;
      const barHeight = (n / max) * plot;
      y -= barHeight;
      parts.push(`${n} ${label(st).toLowerCase()}`);
      group.append(s("rect", { x: left + index * step + 1, y, width: Math.max(step - 2, 1), height: barHeight, class: `state-${st}` }));
    }
    group.prepend(s("title", {}, `${day}: ${parts.length ? parts.join(", ") : "no orders"}`));
    svg.append(group);
  });
  svg.append(s("text", { x: left, y: height - 6, class: "axis" }, volume.since));
  svg.append(s("text", { x: width, y: height - 6, "text-anchor": "end", class: "axis" }, volume.until));
  const legend = document.createElement("ul");
  legend.className = "legend";
  for (const st of IMPORT_STATES) {
    const item = document.createElement("li");
    const swatch = s("svg", { width: 12, height: 12, "aria-hidden": "true" }, s("rect", { width: 12, height: 12, class: `state-${st}` }));
    item.append(swatch, ` ${label(st)} (${totals[st]})`);
    legend.append(item);
  }
  return [svg, legend];
}
