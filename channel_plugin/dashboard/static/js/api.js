// The only way the page reaches the server: the named operations of graphql/operations, POSTed as JSON with the
// bearer token. Failures become one of three errors the views know how to show.

const TOKEN_KEY = "channel-plugin.token";
const endpoint = document.querySelector('meta[name="graphql-url"]').content;
let definitions = null;

export class AuthError extends Error {}
export class UnreachableError extends Error {}
export class ApiError extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value.trim());
  else sessionStorage.removeItem(TOKEN_KEY);
}

// A #token=... fragment (the demo prints such a link) moves into sessionStorage and leaves the address bar.
export function adoptTokenFromFragment() {
  const match = location.hash.match(/^#token=(.+)$/);
  if (!match) return;
  setToken(decodeURIComponent(match[1]));
  history.replaceState(history.state, "", location.pathname + location.search);
}

export function apiUrl() {
  return new URL(endpoint, location.href).href;
}

// Top-level definitions of the operations document, by name (comments and strings cannot hold braces here).
function split(documentText) {
  const text = documentText.replace(/#[^\n]*/g, "");
  const found = new Map();
  let depth = 0;
  let start = null;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (start === null && /\S/.test(c)) start = i;
    if (c === "{") depth += 1;
    if (c === "}") {
      depth -= 1;
      if (depth === 0 && start !== null) {
        const body = text.slice(start, i + 1).trim();
        const name = body.match(/^(?:query|mutation|fragment)\s+(\w+)/);
        if (name) found.set(name[1], body);
        start = null;
      }
    }
  }
  return found;
}

async function loadDefinitions() {
  if (definitions) return definitions;
  let response;
  try {
    response = await fetch("operations.graphql", { headers: { Accept: "application/graphql" } });
  } catch (error) {
    throw new UnreachableError(String(error));
  }
  if (!response.ok) throw new UnreachableError(`operations: HTTP ${response.status}`);
  definitions = split(await response.text());
  return definitions;
}

// The operation plus every fragment it spreads, so each request carries only what it runs.
function documentFor(name, defs) {
  const seen = new Set();
  const parts = [];
  const visit = (key) => {
    if (seen.has(key)) return;
    const text = defs.get(key);
    if (!text) throw new ApiError(`Unknown operation ${key}`);
    seen.add(key);
    parts.push(text);
    for (const spread of text.matchAll(/\.\.\.\s*(\w+)/g)) {
      if (spread[1] !== "on") visit(spread[1]);
    }
  };
  visit(name);
  return parts.join("\n");
}

export async function gql(operationName, variables = {}) {
  const current = token();
  if (!current) throw new AuthError("Sign in with an API token.");
  const defs = await loadDefinitions();
  const query = documentFor(operationName, defs);
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${current}` },
      body: JSON.stringify({ query, operationName, variables }),
    });
  } catch (error) {
    throw new UnreachableError(String(error));
  }
  if (response.status === 401) throw new AuthError("The API did not accept this token.");
  let body;
  try {
    body = await response.json();
  } catch {
    throw new UnreachableError(`HTTP ${response.status} without a GraphQL answer`);
  }
  if (body.errors && body.errors.length) {
    const codes = body.errors.map((e) => e.extensions && e.extensions.code);
    if (codes.includes("UNAUTHENTICATED")) throw new AuthError("The API did not accept this token.");
    if (codes.includes("FORBIDDEN")) throw new ApiError("This token can only read: sign in with a write token.");
    throw new ApiError(body.errors.map((e) => e.message).join(" "));
  }
  return body.data;
}
