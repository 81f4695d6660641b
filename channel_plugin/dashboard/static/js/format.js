// Display formats. Money arrives as a decimal string and is never turned into a float.

const SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥", CAD: "CA$", AUD: "A$" };

export function money(value) {
  if (!value) return "—";
  const [whole, fraction] = String(value.amount).split(".");
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const amount = `${negative ? "-" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
  const symbol = SYMBOLS[value.currency];
  return symbol ? `${symbol}${amount}` : `${amount} ${value.currency}`;
}

const pad = (n) => String(n).padStart(2, "0");

export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function label(code) {
  if (!code) return "—";
  const words = code.toLowerCase().split("_").join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const STATUSES = [
  "PENDING", "PENDING_AVAILABILITY", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELED",
  "UNFULFILLABLE", "INVOICE_UNCONFIRMED", "COMPLETED", "ERROR",
];
export const IMPORT_STATES = ["WAITING", "IMPORTED", "BLOCKED", "VIEW_ONLY", "SKIPPED", "FAILED"];
export const CANCEL_REASONS = [
  "NO_INVENTORY", "SHIPPING_ADDRESS_UNDELIVERABLE", "CUSTOMER_EXCHANGE", "BUYER_CANCELED", "GENERAL_ADJUSTMENT",
  "CARRIER_CREDIT_DECISION", "RISK_ASSESSMENT_INFORMATION_NOT_VALID", "CARRIER_COVERAGE_FAILURE",
  "CUSTOMER_RETURN", "MERCHANDISE_NOT_RECEIVED",
];
