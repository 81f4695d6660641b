// Open blockers grouped by seller SKU: how many orders each blocks and the earliest ship-by date, with retry per
// order and for all, and "match product" for a SKU the catalog does not know.

import { gql } from "../api.js";
import { h, replace } from "../dom.js";
import { dateTime, label } from "../format.js";
import { refresh } from "../main.js";

let lastOutcome = null; // shown once after the action that produced it, then forgotten

function outcome(results, errors, job) {
  if (errors.length) return { ok: false, text: errors.map((e) => e.message).join(" ") };
  if (job) return { ok: true, text: `Re-checking ${job.ordersTotal} orders in the background: refresh to see them leave this list.` };
  if (!results.length) return { ok: true, text: "No order needed a retry." };
  const imported = results.filter((r) => r.importState === "IMPORTED").length;
  return { ok: true, text: `${results.length} ${results.length === 1 ? "order" : "orders"} retried: ${imported} imported, ${results.length - imported} still not imported.` };
}

async function act(operation, variables, key) {
  const payload = (await gql(operation, variables))[key];
  lastOutcome = outcome(payload.results, payload.errors, payload.job);
  refresh();
}

function matchForm(storeId, sku) {
  const id = `match-${sku.replace(/\W/g, "_")}`;
  const input = h("input", { id, name: "productSku", required: true, autocomplete: "off" });
  return h(
    "form",
    {
      class: "inline-form",
      onsubmit: (event) => {
        event.preventDefault();
        if (input.value.trim()) act("MatchProduct", { storeId, sellerSku: sku, productSku: input.value.trim() }, "matchProduct");
      },
    },
    h("label", { for: id }, `Catalog SKU for ${sku}`),
    input,
    h("button", { type: "submit", class: "primary" }, "Match product"),
  );
}

export async function renderBlockers(root, storeId) {
  const data = await gql("Blockers", { storeId, first: 100 });
  const ordersBySku = new Map();
  const messageBySku = new Map();
  for (const { node } of data.importBlockers.edges) {
    const key = `${node.sellerSku || ""}|${node.kind}`;
    if (!ordersBySku.has(key)) ordersBySku.set(key, new Set());
    ordersBySku.get(key).add(node.amazonOrderId);
    messageBySku.set(key, node.message);
  }
  const shown = lastOutcome;
  lastOutcome = null;
  const groups = data.blockedSkus.map((g) => {
    const key = `${g.sellerSku || ""}|${g.kind}`;
    const orderIds = [...(ordersBySku.get(key) || [])].sort();
    return h(
      "section",
      { class: "card blocker-group", "data-sku": g.sellerSku || "", "aria-label": `Blocked on ${g.sellerSku || "order data"}` },
      h("h2", {}, g.sellerSku || "Order data", " ", h("span", { class: "badge state-BLOCKED" }, label(g.kind))),
      h("p", {}, messageBySku.get(key) || ""),
      h(
        "dl",
        { class: "facts" },
        h("div", {}, h("dt", {}, "Orders blocked"), h("dd", { class: "blocked-count" }, String(g.orders))),
        h("div", {}, h("dt", {}, "Earliest ship-by"), h("dd", {}, dateTime(g.earliestShipBy))),
      ),
      g.kind === "PRODUCT_NOT_FOUND" && g.sellerSku ? matchForm(storeId, g.sellerSku) : null,
      h(
        "ul",
        { class: "blocked-orders" },
        orderIds.map((id) =>
          h(
            "li",
            {},
            h("a", { href: `stores/${storeId}/orders/${encodeURIComponent(id)}`, "data-link": true }, id),
            " ",
            h("button", { type: "button", "aria-label": `Retry order ${id}`, onclick: () => act("RetryOrderImport", { storeId, amazonOrderIds: [id] }, "retryOrderImport") }, "Retry"),
          ),
        ),
      ),
    );
  });
  replace(
    root,
    h("h1", {}, "Blockers"),
    shown ? h("p", { class: shown.ok ? "ok" : "error", role: "status" }, shown.text) : null,
    groups.length
      ? [
          h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => act("RetryOrderImport", { storeId }, "retryOrderImport") }, "Retry all blocked orders")),
          groups,
        ]
      : h("div", { class: "empty" }, h("p", {}, "Nothing is blocked: every order that can be imported has been.")),
  );
}
