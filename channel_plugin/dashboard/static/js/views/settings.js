// The order settings of DESIGN.md section 3, each with its default; while import is off the rest are inert, so
// they are disabled; the server's errors appear beside the field they are about.

import { gql } from "../api.js";
import { clearFieldErrors, field, h, replace, select, showFieldError } from "../dom.js";
import { refresh } from "../main.js";

let saved = false;

const CHOICES = {
  customerCreation: [["GUEST", "Guest checkout"], ["NEW_ACCOUNT", "Find or create a customer account"]],
  orderNumberSource: [["COMMERCE", "Commerce increment id"], ["AMAZON", "Amazon order id"]],
  reserveQuantity: [["RESERVE", "Reserve quantity of Pending orders"], ["DO_NOT_RESERVE", "Do not reserve"]],
  orderStatus: [["DEFAULT", "The host's default processing status"], ["CUSTOM", "A status I choose"]],
};

export async function renderSettings(root, storeId) {
  const [data, stores] = await Promise.all([gql("OrderSettings", { storeId }), gql("StorePicker")]);
  const s = data.orderSettings;
  const store = stores.amazonStores.find((x) => x.id === storeId);
  const views = data.storeViews.filter((v) => !store || v.website === store.website);
  const websiteDefault = views.find((v) => v.isDefault);
  const enabled = h("input", { type: "checkbox", name: "importEnabled", id: "importEnabled", checked: s.importEnabled });
  const controls = {
    importStoreView: select(
      "importStoreView",
      [["", `Website default${websiteDefault ? ` (${websiteDefault.name})` : ""}`], ...views.map((v) => [v.code, `${v.name} (${v.code})`])],
      s.importStoreView || "",
    ),
    customerCreation: select("customerCreation", CHOICES.customerCreation, s.customerCreation),
    orderNumberSource: select("orderNumberSource", CHOICES.orderNumberSource, s.orderNumberSource),
    reserveQuantity: select("reserveQuantity", CHOICES.reserveQuantity, s.reserveQuantity),
    orderStatus: select("orderStatus", CHOICES.orderStatus, s.orderStatus),
    processingOrderStatus: select(
      "processingOrderStatus",
      [["", "Choose a status…"], ...data.orderStatuses.map((o) => [o.code, `${o.label} (${o.code})`])],
      s.processingOrderStatus || "",
    ),
  };
  const sync = () => {
    for (const control of Object.values(controls)) control.disabled = !enabled.checked;
    controls.processingOrderStatus.disabled = !enabled.checked || controls.orderStatus.value !== "CUSTOM";
  };
  enabled.addEventListener("change", sync);
  controls.orderStatus.addEventListener("change", sync);
  const status = h("p", { class: "form-status", role: "status" }, saved ? "Settings saved." : "");
  saved = false;
  const form = h(
    "form",
    { class: "card settings", "aria-label": "Order settings", novalidate: true },
    h("div", { class: "field check-field", "data-field": "importEnabled" }, enabled, h("label", { for: "importEnabled" }, "Import Amazon orders into Commerce"), h("p", { class: "hint" }, "Default: on. Off: orders are listed view-only and linked to Seller Central."), h("p", { class: "field-error", hidden: true })),
    field("Store view for imported orders", controls.importStoreView, "Default: the website's default store view."),
    field("Customer", controls.customerCreation, "Default: guest checkout."),
    field("Order number", controls.orderNumberSource, "Default: the Commerce increment id."),
    field("Reserve quantity", controls.reserveQuantity, "Default: reserve, so the storefront cannot oversell."),
    field("Order status", controls.orderStatus, "Default: the host's default processing status."),
    field("Processing status", controls.processingOrderStatus, "Required when you choose the status (not complete, canceled or closed)."),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save settings")),
  );
  sync();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.textContent = "";
    const input = { importEnabled: enabled.checked };
    if (enabled.checked) {
      for (const [name, control] of Object.entries(controls)) {
        if (!control.disabled) input[name] = control.value || null;
      }
    }
    const result = (await gql("UpdateOrderSettings", { storeId, input })).updateOrderSettings;
    if (result.errors.length) {
      for (const e of result.errors) {
        const name = (e.field || "").replace(/^input\./, "");
        if (!showFieldError(form, name, e.message)) status.textContent = e.message;
      }
      const first = form.querySelector("[aria-invalid]");
      if (first) first.focus();
      return;
    }
    saved = true;
    refresh();
  });
  replace(root, h("h1", {}, "Order settings"), form);
}
