// A store's dashboard: who it is, how its last sync went, its orders per import state, the 30-day chart, the last
// reconciliation and Recent Orders.

import { gql } from "../api.js";
import { volumeChart } from "../chart.js";
import { h, replace } from "../dom.js";
import { dateTime, label } from "../format.js";
import { ordersTable } from "./table.js";

export async function renderDashboard(root, storeId) {
  const [data, recent] = await Promise.all([gql("StoreDashboard", { storeId }), gql("RecentOrders", { storeId })]);
  const store = data.amazonStores.find((s) => s.id === storeId);
  if (!store) {
    replace(root, h("h1", {}, "Store not found"), h("p", {}, `There is no Amazon store ${storeId}.`));
    return;
  }
  const sync = store.lastSyncAt
    ? `${dateTime(store.lastSyncAt)} — ${store.lastSyncResult === "OK" ? "OK" : `failed: ${store.lastSyncError || "unknown error"}`}`
    : "Not synced yet";
  const orders = recent.amazonOrders.edges.map((e) => e.node);
  replace(
    root,
    h("h1", {}, store.name),
    h(
      "dl",
      { class: "facts" },
      h("div", {}, h("dt", {}, "Website"), h("dd", {}, store.website)),
      h("div", {}, h("dt", {}, "Status"), h("dd", {}, store.active ? "Active" : "Inactive")),
      h("div", {}, h("dt", {}, "Marketplace"), h("dd", {}, store.marketplaceId)),
      h("div", {}, h("dt", {}, "Last sync"), h("dd", { class: store.lastSyncResult === "ERROR" ? "error" : null }, sync)),
    ),
    h("h2", {}, "Orders by import state"),
    h(
      "ul",
      { class: "counts" },
      store.importStateCounts.map((c) =>
        h(
          "li",
          { "data-state": c.importState },
          h(
            "a",
            { href: `stores/${storeId}/orders?state=${c.importState}`, "data-link": true },
            h("span", { class: "count" }, String(c.count)),
            h("span", { class: `badge state-${c.importState}` }, label(c.importState)),
          ),
        ),
      ),
    ),
    h("h2", {}, "Orders per day, last 30 days"),
    h("figure", { class: "chart-box" }, volumeChart(data.orderVolume)),
    h("h2", {}, "Last reconciliation"),
    reconciliation(data.reconciliation),
    h("h2", {}, "Recent Orders"),
    orders.length
      ? ordersTable(storeId, orders, "Recent Orders: the 10 newest")
      : h("p", { class: "empty" }, "No orders yet: they appear here after the next sync."),
    h("p", {}, h("a", { href: `stores/${storeId}/orders`, "data-link": true }, `See all ${recent.amazonOrders.totalCount} orders`)),
  );
}

// The newest day the last pass re-read: what Amazon listed, what is here, and what only the pass found.
function reconciliation(days) {
  const [last] = days;
  if (!last) return h("p", { class: "empty" }, "No reconciliation yet: it runs once a day.");
  const facts = [
    ["On Amazon", last.onAmazon],
    ["Stored", last.stored],
    ["Imported", last.imported],
    ["Blocked", last.blocked],
    ["Found late", last.foundLate],
  ];
  return h(
    "dl",
    { class: "facts", "data-reconciliation": last.day },
    h("div", {}, h("dt", {}, "Day (UTC)"), h("dd", {}, `${last.day}, checked ${dateTime(last.ranAt)}`)),
    facts.map(([name, value]) => h("div", {}, h("dt", {}, name), h("dd", {}, String(value)))),
  );
}
