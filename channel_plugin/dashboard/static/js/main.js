// The page's router and shell: which view a path shows, the store picker, the store pages' nav, the banner,
// and the sign-in and "API unreachable" states every view falls back to.

import { AuthError, UnreachableError, adoptTokenFromFragment, apiUrl, gql, setToken, token } from "./api.js";
import { h, replace } from "./dom.js";
import { renderBlockers } from "./views/blockers.js";
import { renderDashboard } from "./views/dashboard.js";
import { renderOrder } from "./views/order.js";
import { renderOrders } from "./views/orders.js";
import { renderSettings } from "./views/settings.js";

const main = document.getElementById("main");
const base = new URL(document.baseURI).pathname;

const ROUTES = [
  [/^$/, renderHome],
  [/^stores\/(\d+)$/, renderDashboard],
  [/^stores\/(\d+)\/orders$/, renderOrders],
  [/^stores\/(\d+)\/orders\/([^/]+)$/, renderOrder],
  [/^stores\/(\d+)\/blockers$/, renderBlockers],
  [/^stores\/(\d+)\/settings$/, renderSettings],
];

function relativePath() {
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : "";
  return path.replace(/\/+$/, "");
}

export function navigate(target, { replace: replaceEntry = false } = {}) {
  const url = new URL(target, document.baseURI);
  if (replaceEntry) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

// Views call this after a change (a mutation) so that the banner and the view show where things stand now.
export function refresh() {
  render({ keepFocus: true });
}

let renderCount = 0;

async function render({ keepFocus = false } = {}) {
  const mine = (renderCount += 1);
  const path = relativePath();
  const [pattern, view] = ROUTES.find(([re]) => re.test(path)) || [null, renderNotFound];
  const params = pattern ? path.match(pattern).slice(1).map(decodeURIComponent) : [];
  const storeId = path.startsWith("stores/") ? params[0] : null;
  document.getElementById("sign-out").hidden = !token();
  if (!token()) {
    renderSignIn();
    return;
  }
  // The view fills a detached node that replaces the page only if no later navigation started meanwhile, so
  // a slow answer for an old URL never overwrites the current view.
  const fresh = document.createElement("div");
  try {
    await Promise.all([renderShell(storeId, path), view(fresh, ...params)]);
    if (mine !== renderCount) return;
    main.replaceChildren(...fresh.childNodes);
    if (!keepFocus) main.focus({ preventScroll: true });
  } catch (error) {
    if (mine === renderCount) showError(error);
  }
}

async function renderShell(storeId, path) {
  const data = await gql("StorePicker");
  const picker = document.getElementById("store-picker");
  const choose = h(
    "select",
    {
      id: "store-select",
      onchange: (event) => navigate(event.target.value ? `stores/${event.target.value}` : "./"),
    },
    h("option", { value: "" }, "All stores"),
    data.amazonStores.map((s) => h("option", { value: s.id, selected: s.id === storeId }, s.name)),
  );
  replace(picker, h("label", { for: "store-select", class: "visually-hidden" }, "Store"), choose);
  const nav = document.getElementById("store-nav");
  if (!storeId) {
    replace(nav);
  } else {
    const pages = [
      [`stores/${storeId}`, "Dashboard"],
      [`stores/${storeId}/orders`, "All Orders"],
      [`stores/${storeId}/blockers`, "Blockers"],
      [`stores/${storeId}/settings`, "Settings"],
    ];
    replace(
      nav,
      h(
        "ul",
        {},
        pages.map(([href, text]) =>
          h("li", {}, h("a", { href, "data-link": true, "aria-current": path === href ? "page" : null }, text)),
        ),
      ),
    );
  }
  await renderBanner();
}

async function renderBanner() {
  const banner = document.getElementById("banner");
  const { systemMessages } = await gql("SystemMessages");
  if (!systemMessages.length) {
    replace(banner);
    return;
  }
  replace(
    banner,
    systemMessages.map((m) =>
      h(
        "div",
        { class: "system-message", role: "status" },
        h("p", {}, m.text),
        h(
          "p",
          { class: "banner-links" },
          m.stores.map((s) => h("a", { href: `stores/${s.id}`, "data-link": true }, `Open ${s.name}`)),
        ),
      ),
    ),
  );
}

async function renderHome(root) {
  const data = await gql("StorePicker");
  if (!data.amazonStores.length) {
    replace(
      root,
      h("h1", {}, "Amazon stores"),
      h(
        "div",
        { class: "empty" },
        h("p", {}, "No Amazon store is integrated yet."),
        h("p", {}, "Add one with ", h("code", {}, "channel-plugin store add"), ", then reload this page."),
      ),
    );
    return;
  }
  replace(
    root,
    h("h1", {}, "Amazon stores"),
    h(
      "ul",
      { class: "store-list" },
      data.amazonStores.map((s) =>
        h(
          "li",
          {},
          h("a", { href: `stores/${s.id}`, "data-link": true }, s.name),
          ` — ${s.website}${s.active ? "" : " (inactive)"}`,
        ),
      ),
    ),
  );
}

function renderNotFound(root) {
  replace(root, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "./", "data-link": true }, "Back to the stores")));
}

function renderSignIn(message) {
  replace(document.getElementById("banner"));
  replace(document.getElementById("store-nav"));
  replace(document.getElementById("store-picker"));
  const input = h("input", { id: "token-input", name: "token", type: "password", autocomplete: "off", required: true });
  const form = h(
    "form",
    {
      class: "card sign-in",
      onsubmit: (event) => {
        event.preventDefault();
        setToken(input.value);
        render();
      },
    },
    h("h1", {}, "Sign in"),
    message ? h("p", { class: "error", role: "alert" }, message) : null,
    h("p", {}, "Paste an API token (", h("code", {}, "channel-plugin token create --scope write"), "; the demo prints one)."),
    h("div", { class: "field" }, h("label", { for: "token-input" }, "API token"), input),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  replace(main, form);
  input.focus();
}

function showError(error) {
  if (error instanceof AuthError) {
    const hadToken = Boolean(token());
    setToken(null);
    document.getElementById("sign-out").hidden = true;
    renderSignIn(hadToken ? "That token was not accepted: it is wrong, revoked or expired. Paste a valid one." : null);
    return;
  }
  const unreachable = error instanceof UnreachableError;
  replace(
    main,
    h(
      "div",
      { class: "card error-state", role: "alert" },
      h("h1", {}, unreachable ? "The Amazon orders API is unreachable" : "Something went wrong"),
      h(
        "p",
        {},
        unreachable
          ? `No answer from ${apiUrl()}. Check that the server is running, then try again.`
          : error.message,
      ),
      h("button", { type: "button", class: "primary", onclick: () => render() }, "Try again"),
    ),
  );
  main.focus();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", () => render());
document.getElementById("sign-out").addEventListener("click", () => {
  setToken(null);
  render();
});

adoptTokenFromFragment();
render();
