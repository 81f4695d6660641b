// All Orders: filters, removable chips, sort on any column, cursor pages; the URL holds all of it, so a view
// can be shared and reloaded. Query parameters: from, to (YYYY-MM-DD, UTC), number, buyer, min, max, status,
// state (comma-separated codes), sort (FIELD:ASC|DESC), after (the page's cursor), trail (earlier pages' cursors).

import { gql } from "../api.js";
import { field, h, replace, showFieldError } from "../dom.js";
import { IMPORT_STATES, STATUSES, label } from "../format.js";
import { navigate } from "../main.js";
import { COLUMNS, ordersTable } from "./table.js";

const PAGE_SIZE = 25;
const AMOUNT = /^\d+(\.\d{1,4})?$/;
const FILTER_KEYS = ["from", "to", "number", "buyer", "min", "max", "status", "state"];

function readState() {
  const q = new URLSearchParams(location.search);
  const list = (key) => (q.get(key) || "").split(",").filter(Boolean);
  const [field, direction] = (q.get("sort") || "PURCHASE_DATE:DESC").split(":");
  return {
    from: q.get("from") || "",
    to: q.get("to") || "",
    number: q.get("number") || "",
    buyer: q.get("buyer") || "",
    min: q.get("min") || "",
    max: q.get("max") || "",
    status: list("status"),
    state: list("state"),
    sort: { field: COLUMNS.some(([k]) => k === field) ? field : "PURCHASE_DATE", direction: direction === "ASC" ? "ASC" : "DESC" },
    after: q.get("after") || null,
    trail: list("trail"),
  };
}

function urlFor(storeId, state) {
  const q = new URLSearchParams();
  for (const key of ["from", "to", "number", "buyer", "min", "max"]) if (state[key]) q.set(key, state[key]);
  if (state.status.length) q.set("status", state.status.join(","));
  if (state.state.length) q.set("state", state.state.join(","));
  if (state.sort.field !== "PURCHASE_DATE" || state.sort.direction !== "DESC") q.set("sort", `${state.sort.field}:${state.sort.direction}`);
  if (state.after) q.set("after", state.after);
  if (state.trail.length) q.set("trail", state.trail.join(","));
  const text = q.toString();
  return `stores/${storeId}/orders${text ? `?${text}` : ""}`;
}

function toFilter(state) {
  const filter = {};
  if (state.from || state.to) {
    filter.purchaseDate = {};
    if (state.from) filter.purchaseDate.from = `${state.from}T00:00:00Z`;
    if (state.to) filter.purchaseDate.to = `${state.to}T23:59:59.999999Z`;
  }
  if (state.number) filter.orderNumber = state.number;
  if (state.buyer) filter.buyerName = state.buyer;
  if (state.min || state.max) {
    filter.total = {};
    if (state.min) filter.total.from = state.min;
    if (state.max) filter.total.to = state.max;
  }
  if (state.status.length) filter.status = state.status;
  if (state.state.length) filter.importState = state.state;
  return filter;
}

function chips(state) {
  const out = [];
  if (state.from || state.to) out.push([["from", "to"], `Purchased: ${state.from || "…"} to ${state.to || "…"}`]);
  if (state.number) out.push([["number"], `Order number: ${state.number}`]);
  if (state.buyer) out.push([["buyer"], `Buyer: ${state.buyer}`]);
  if (state.min || state.max) out.push([["min", "max"], `Total: ${state.min || "…"} to ${state.max || "…"}`]);
  if (state.status.length) out.push([["status"], `Status: ${state.status.map(label).join(", ")}`]);
  if (state.state.length) out.push([["state"], `Import state: ${state.state.map(label).join(", ")}`]);
  return out;
}

function withoutPaging(state) {
  return { ...state, after: null, trail: [] };
}

function checkboxes(legend, name, codes, chosen) {
  return h(
    "fieldset",
    { class: "checks" },
    h("legend", {}, legend),
    codes.map((code) => {
      const id = `${name}-${code}`;
      return h("span", { class: "check" }, h("input", { type: "checkbox", id, name, value: code, checked: chosen.includes(code) }), h("label", { for: id }, label(code)));
    }),
  );
}

function filterForm(storeId, state) {
  const input = (name, attrs = {}) => h("input", { name, value: state[name], ...attrs });
  const form = h(
    "form",
    { class: "filters card", "aria-label": "Filter orders" },
    h(
      "div",
      { class: "filter-grid" },
      field("Purchased from", input("from", { type: "date" })),
      field("Purchased to", input("to", { type: "date" })),
      field("Order number", input("number", { type: "search", placeholder: "111-1234567-1234567" })),
      field("Buyer name", input("buyer", { type: "search" })),
      field("Total from", input("min", { inputmode: "decimal", placeholder: "10.50" })),
      field("Total to", input("max", { inputmode: "decimal", placeholder: "99.99" })),
    ),
    checkboxes("Status", "status", STATUSES, state.status),
    checkboxes("Import state", "state", IMPORT_STATES, state.state),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Apply filters")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = withoutPaging({ ...state });
    for (const key of ["from", "to", "number", "buyer", "min", "max"]) next[key] = String(data.get(key) || "").trim();
    next.status = data.getAll("status").map(String);
    next.state = data.getAll("state").map(String);
    let valid = true;
    for (const key of ["min", "max"]) {
      if (next[key] && !AMOUNT.test(next[key])) {
        showFieldError(form, key, "Enter an amount such as 10 or 10.50.");
        valid = false;
      }
    }
    if (valid) navigate(urlFor(storeId, next));
  });
  return form;
}

export async function renderOrders(root, storeId) {
  const state = readState();
  const data = await gql("AllOrders", {
    storeId,
    filter: toFilter(state),
    sort: state.sort,
    first: PAGE_SIZE,
    after: state.after,
  });
  const connection = data.amazonOrders;
  const orders = connection.edges.map((e) => e.node);
  const page = state.after ? state.trail.length + 2 : 1;
  const applied = chips(state);
  const onSort = (key) => {
    const direction = state.sort.field === key && state.sort.direction === "DESC" ? "ASC" : "DESC";
    navigate(urlFor(storeId, withoutPaging({ ...state, sort: { field: key, direction } })));
  };
  const previous = () => {
    const trail = [...state.trail];
    const after = trail.pop() || null;
    navigate(urlFor(storeId, { ...state, after, trail }));
  };
  const next = () => {
    const trail = state.after ? [...state.trail, state.after] : [];
    navigate(urlFor(storeId, { ...state, after: connection.pageInfo.endCursor, trail }));
  };
  replace(
    root,
    h("h1", {}, "All Orders"),
    filterForm(storeId, state),
    applied.length
      ? h(
          "div",
          { class: "chips", "aria-label": "Applied filters", role: "group" },
          applied.map(([keys, text]) =>
            h(
              "span",
              { class: "chip" },
              text,
              h(
                "button",
                {
                  type: "button",
                  "aria-label": `Remove filter ${text}`,
                  onclick: () => {
                    const cleared = withoutPaging({ ...state });
                    for (const key of keys) cleared[key] = Array.isArray(state[key]) ? [] : "";
                    navigate(urlFor(storeId, cleared));
                  },
                },
                "×",
              ),
            ),
          ),
          h(
            "button",
            {
              type: "button",
              class: "link",
              onclick: () => {
                const cleared = withoutPaging({ ...state });
                for (const key of FILTER_KEYS) cleared[key] = Array.isArray(state[key]) ? [] : "";
                navigate(urlFor(storeId, cleared));
              },
            },
            "Clear all",
          ),
        )
      : null,
    h("p", { class: "result-count", role: "status" }, `${connection.totalCount} ${connection.totalCount === 1 ? "order" : "orders"} · page ${page}`),
    orders.length
      ? ordersTable(storeId, orders, "All Orders", { sort: state.sort, onSort })
      : h("div", { class: "empty" }, h("p", {}, applied.length ? "No orders match these filters." : "No orders yet.")),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      h("button", { type: "button", disabled: !state.after, onclick: previous }, "Previous page"),
      h("button", { type: "button", disabled: !connection.pageInfo.hasNextPage, onclick: next }, "Next page"),
    ),
  );
}
