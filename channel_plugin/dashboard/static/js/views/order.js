// One order: its details, items, tracking, problems, blockers and history; the address editor, the cancel dialog
// and the resend form for a shipment confirmation Amazon refused.

import { gql } from "../api.js";
import { clearFieldErrors, field, h, replace, select, showFieldError } from "../dom.js";
import { CANCEL_REASONS, dateTime, label, money } from "../format.js";
import { refresh } from "../main.js";

const ADDRESS_FIELDS = [
  ["name", "Name", true],
  ["company", "Company", false],
  ["line1", "Address line 1", true],
  ["line2", "Address line 2", false],
  ["line3", "Address line 3", false],
  ["city", "City", true],
  ["region", "State or region", false],
  ["postalCode", "Postal code", false],
  ["countryCode", "Country code", true],
  ["phone", "Phone", false],
];

// What the last address save said (did the Commerce order get it too?), shown once on the page rendered after it.
let addressNotice = null;

const facts = (pairs) =>
  h("dl", { class: "facts" }, pairs.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value ?? "—"))));

function table(caption, headers, rows, empty) {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, h("caption", { class: "visually-hidden" }, caption), h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))),
  );
}

function addressLines(a) {
  if (!a) return "—";
  const parts = [a.name, a.company, a.line1, a.line2, a.line3, [a.postalCode, a.city].filter(Boolean).join(" "), a.region, a.countryCode, a.phone];
  return h("address", {}, parts.filter(Boolean).map((p) => h("span", { class: "line" }, p)));
}

function addressForm(storeId, order, onDone) {
  const current = order.shippingAddress || {};
  const form = h(
    "form",
    { class: "card address-form", "aria-label": "Edit shipping address", novalidate: true },
    h("h3", {}, "Edit shipping address"),
    h(
      "div",
      { class: "filter-grid" },
      ADDRESS_FIELDS.map(([name, text, required]) =>
        field(
          `${text}${required ? " (required)" : ""}`,
          h("input", { name, value: current[name] || "", required, maxlength: name === "countryCode" ? 2 : 200, autocomplete: "off" }),
          name === "countryCode" ? "Two letters, such as US or GB" : null,
        ),
      ),
    ),
    h("p", { class: "form-status", role: "status" }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save address"), h("button", { type: "button", onclick: () => onDone(false) }, "Discard")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const input = {};
    let valid = true;
    for (const [name, text, required] of ADDRESS_FIELDS) {
      const value = String(new FormData(form).get(name) || "").trim();
      if (value) input[name] = name === "countryCode" ? value.toUpperCase() : value;
      if (required && !value) {
        showFieldError(form, name, `${text} is required.`);
        valid = false;
      } else if (name === "countryCode" && value && !/^[A-Za-z]{2}$/.test(value)) {
        showFieldError(form, name, "Use the two-letter country code, such as US or GB.");
        valid = false;
      }
    }
    if (!valid) {
      form.querySelector("[aria-invalid]").focus();
      return;
    }
    const result = (await gql("UpdateShippingAddress", { storeId, amazonOrderId: order.amazonOrderId, input })).updateShippingAddress;
    if (result.errors.length) {
      for (const e of result.errors) {
        const name = (e.field || "").replace(/^input\./, "");
        if (!showFieldError(form, name, e.message)) form.querySelector(".form-status").textContent = e.message;
      }
      const first = form.querySelector("[aria-invalid]");
      if (first) first.focus();
      return;
    }
    addressNotice = { amazonOrderId: order.amazonOrderId, text: result.message, reachedCommerce: result.commerceUpdated };
    onDone(true);
  });
  return form;
}

function cancelDialog(storeId, order) {
  const reason = select("reason", [["", "Choose a reason…"], ...CANCEL_REASONS.map((r) => [r, label(r)])], "", { id: "cancel-reason", required: true });
  const status = h("p", { class: "field-error", role: "alert" });
  const dialog = h(
    "dialog",
    { "aria-labelledby": "cancel-title" },
    h(
      "form",
      { method: "dialog" },
      h("h2", { id: "cancel-title" }, `Cancel order ${order.amazonOrderId}?`),
      h("p", {}, "Amazon is told and the buyer is refunded; the Commerce order is canceled and its stock returned. This cannot be undone."),
      h("div", { class: "field" }, h("label", { for: "cancel-reason" }, "Reason (Amazon's code)"), reason),
      status,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", value: "confirm", class: "danger" }, "Cancel the order"),
        h("button", { type: "submit", value: "keep", formnovalidate: true }, "Keep the order"),
      ),
    ),
  );
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    const action = event.submitter ? event.submitter.value : "keep";
    if (action !== "confirm") return;
    event.preventDefault();
    if (!reason.value) {
      status.textContent = "Choose a reason first.";
      reason.focus();
      return;
    }
    const result = (await gql("CancelAmazonOrder", { storeId, amazonOrderId: order.amazonOrderId, reason: reason.value })).cancelAmazonOrder;
    if (result.errors.length) {
      status.textContent = result.errors.map((e) => e.message).join(" ");
      return;
    }
    dialog.close();
    refresh();
  });
  return dialog;
}

const PROBLEM_TEXT = {
  SHIPMENT_REJECTED: "Amazon refused the shipment confirmation",
  SHIPMENT_NOT_SENT: "The shipment confirmation never got through to Amazon",
};

function problemCard(storeId, order, problem) {
  const tracking = order.tracking.find((t) => t.packageReferenceId === problem.packageReferenceId) || {};
  const form = h(
    "form",
    { class: "card resend-form", "aria-label": `Resend package ${problem.packageReferenceId}`, novalidate: true },
    h("div", { class: "filter-grid" }, field("Carrier", h("input", { name: "carrier", value: tracking.carrier || "", required: true, autocomplete: "off" })), field("Tracking number", h("input", { name: "trackingNumber", value: tracking.trackingNumber || "", required: true, autocomplete: "off" }))),
    h("p", { class: "form-status", role: "status" }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Resend to Amazon")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const values = Object.fromEntries(["carrier", "trackingNumber"].map((n) => [n, String(new FormData(form).get(n) || "").trim()]));
    const result = (await gql("ResendShipmentConfirmation", { storeId, amazonOrderId: order.amazonOrderId, packageReferenceId: problem.packageReferenceId, ...values })).resendShipmentConfirmation;
    if (result.errors.length) {
      for (const e of result.errors) if (!showFieldError(form, e.field, e.message)) form.querySelector(".form-status").textContent = e.message;
      return;
    }
    refresh();
  });
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("p", {}, h("strong", {}, `${PROBLEM_TEXT[problem.code] || label(problem.code)} (package ${problem.packageReferenceId}, ${problem.attempts} attempt(s)). `), problem.message),
    h("p", {}, "The order stays open until Amazon accepts it. Correct the carrier or tracking number and resend: Amazon updates the same package."),
    form,
  );
}

// An outcome found again unchanged (a blocked order re-checked every cycle) is one line that says how often.
function repeats(e) {
  if (e.count < 2) return null;
  return h("span", { class: "repeats" }, ` (checked ${e.count} times, last at `, h("time", { datetime: e.lastAt }, dateTime(e.lastAt)), ")");
}

// A refusal with nothing to resend from here (a cancel Amazon refused): Amazon's words and when.
function problemNote(problem) {
  return h("div", { class: "problem" }, h("p", {}, h("strong", {}, `${PROBLEM_TEXT[problem.code] || label(problem.code)}. `), problem.message, " ", problem.at ? h("time", { datetime: problem.at }, dateTime(problem.at)) : null));
}

export async function renderOrder(root, storeId, amazonOrderId) {
  const { amazonOrder: order } = await gql("OrderDetails", { storeId, amazonOrderId });
  if (!order) {
    replace(root, h("h1", {}, "Order not found"), h("p", {}, `This store has no Amazon order ${amazonOrderId}.`), h("p", {}, h("a", { href: `stores/${storeId}/orders`, "data-link": true }, "Back to All Orders")));
    return;
  }
  const imported = Boolean(order.commerceOrder);
  const link = h(
    "a",
    { href: order.orderLink, class: "button", rel: "noopener", target: imported ? null : "_blank" },
    imported ? `Open Commerce order #${order.commerceOrder.incrementId}` : "Open in Seller Central",
  );
  const editable = order.fulfillmentChannel === "MERCHANT" && ["PENDING", "UNSHIPPED"].includes(order.status);
  const shipping = h("div", { class: "shipping" });
  const showAddress = (saved) => {
    replace(
      shipping,
      saved ? h("p", { class: saved.reachedCommerce ? "ok" : "error", role: "status" }, saved.text) : null,
      facts([
        ["Buyer", order.buyerName],
        ["Buyer email", order.buyerEmail],
        ["Ship service level", order.shipServiceLevel],
        ["Ship by", dateTime(order.shipBy)],
        ["Deliver by", dateTime(order.deliverBy)],
      ]),
      h("h3", {}, "Shipping address"),
      addressLines(order.shippingAddress),
      editable ? h("button", { type: "button", onclick: () => { replace(shipping, addressForm(storeId, order, (done) => (done ? refresh() : showAddress(false)))); shipping.querySelector("input").focus(); } }, "Edit address") : null,
    );
  };
  const notice = addressNotice && addressNotice.amazonOrderId === order.amazonOrderId ? addressNotice : null;
  addressNotice = null;
  showAddress(notice);
  const dialog = order.status === "UNSHIPPED" ? cancelDialog(storeId, order) : null;
  replace(
    root,
    h("p", {}, h("a", { href: `stores/${storeId}/orders`, "data-link": true }, "← All Orders")),
    h("h1", {}, `Order ${order.amazonOrderId}`),
    h(
      "div",
      { class: "actions" },
      link,
      dialog ? h("button", { type: "button", class: "danger", onclick: () => dialog.showModal() }, "Cancel order…") : null,
    ),
    dialog,
    order.problems.length
      ? h("section", { "aria-labelledby": "sec-problems", class: "problems", role: "alert" }, h("h2", { id: "sec-problems" }, "Problems"), order.problems.map((p) => (p.packageReferenceId ? problemCard(storeId, order, p) : problemNote(p))))
      : null,
    h("section", { "aria-labelledby": "sec-order" }, h("h2", { id: "sec-order" }, "Order"), facts([
      ["Status", label(order.status)],
      ["Import state", h("span", { class: `badge state-${order.importState}` }, label(order.importState))],
      ["Purchase date", dateTime(order.purchaseDate)],
      ["Last update", dateTime(order.lastUpdateDate)],
      ["Fulfilment", order.fulfillmentChannel === "AMAZON" ? "Amazon (FBA)" : "Merchant"],
      ["Marketplace", order.marketplaceId],
      ["Grand total", money(order.grandTotal)],
      ["Notes", order.notes],
      ["Commerce order", imported ? `#${order.commerceOrder.incrementId}` : "Not imported"],
    ])),
    h("section", { "aria-labelledby": "sec-ship" }, h("h2", { id: "sec-ship" }, "Shipping"), shipping),
    h("section", { "aria-labelledby": "sec-items" }, h("h2", { id: "sec-items" }, "Items"), table("Items", ["Seller SKU", "ASIN", "Title", "Ordered", "Shipped", "Unit price"], order.items.map((i) => [i.sellerSku, i.asin || "—", i.title || "—", String(i.quantityOrdered), String(i.quantityShipped), money(i.itemPrice)]), "No items.")),
    h("section", { "aria-labelledby": "sec-track" }, h("h2", { id: "sec-track" }, "Tracking"), table("Tracking", ["Carrier", "Tracking number", "Shipped"], order.tracking.map((t) => [t.carrier, t.trackingNumber, dateTime(t.shippedAt)]), "Not shipped yet.")),
    h("section", { "aria-labelledby": "sec-block", class: "blockers" }, h("h2", { id: "sec-block" }, "Blockers"), table("Blockers", ["Kind", "Seller SKU", "Message", "First seen", "Attempts"], order.blockers.map((b) => [label(b.kind), b.sellerSku || "—", b.message, dateTime(b.firstSeen), String(b.attempts)]), "Nothing blocks this order.")),
    h("section", { "aria-labelledby": "sec-hist" }, h("h2", { id: "sec-hist" }, "History"), h("ol", { class: "history" }, order.history.map((e) => h("li", {}, h("time", { datetime: e.at }, dateTime(e.at)), " ", h("strong", {}, label(e.kind)), " — ", e.message, repeats(e))))),
  );
}
