// The flags every start of Debian's Chromium uses, in the browser tests (helpers.mjs) and in
// the first-query benchmark (benches/browser-bytes.mjs): headless, and none of its own network
// traffic (this machine's closed network refuses it). No dependency: both import it.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
