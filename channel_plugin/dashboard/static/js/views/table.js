// The orders table shared by Recent Orders and All Orders.

import { h } from "../dom.js";
import { dateTime, label, money } from "../format.js";

export const COLUMNS = [
  ["PURCHASE_DATE", "Purchase date"],
  ["ORDER_NUMBER", "Order number"],
  ["STATUS", "Status"],
  ["BUYER_NAME", "Buyer"],
  ["GRAND_TOTAL", "Grand total"],
  ["NOTES", "Notes"],
  ["IMPORT_STATE", "Import state"],
];

// sort: {field, direction} and onSort(field) make the headers sort buttons; without them the headers are text.
export function ordersTable(storeId, orders, caption, { sort, onSort } = {}) {
  const header = COLUMNS.map(([key, text]) => {
    if (!onSort) return h("th", { scope: "col" }, text);
    const active = sort.field === key;
    const arrow = active ? (sort.direction === "ASC" ? " ▲" : " ▼") : "";
    return h(
      "th",
      { scope: "col", "aria-sort": active ? (sort.direction === "ASC" ? "ascending" : "descending") : "none" },
      h("button", { type: "button", class: "sort", "data-sort": key, onclick: () => onSort(key) }, text, h("span", { "aria-hidden": "true" }, arrow)),
    );
  });
  const rows = orders.map((o) =>
    h(
      "tr",
      { "data-order": o.amazonOrderId },
      h("td", {}, dateTime(o.purchaseDate)),
      h("td", {}, h("a", { href: `stores/${storeId}/orders/${encodeURIComponent(o.amazonOrderId)}`, "data-link": true }, o.amazonOrderId)),
      h("td", {}, label(o.status)),
      h("td", {}, o.buyerName || "—"),
      h("td", { class: "num" }, money(o.grandTotal)),
      h("td", { class: "notes" }, o.notes || ""),
      h("td", {}, h("span", { class: `badge state-${o.importState}` }, label(o.importState))),
    ),
  );
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": caption, tabindex: "0" },
    h("table", { class: "orders" }, h("caption", { class: "visually-hidden" }, caption), h("thead", {}, h("tr", {}, header)), h("tbody", {}, rows)),
  );
}
