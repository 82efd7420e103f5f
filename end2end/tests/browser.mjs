// Launches Debian's Chromium headless (Playwright cannot download browsers here).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3100';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Records console errors, warnings and uncaught exceptions of a page.
export function watchConsole(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

// axe-core's WCAG 2.2 AA violations on the page, one line each. axe needs the browser's
// JavaScript and a context opened with `bypassCSP: true` (the site's CSP would rightly refuse
// it); for "JavaScript off", block the site's own scripts instead (axeContext).
export async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

// A context for axe with JavaScript "off" in the sense that matters: the site's scripts and
// wasm never load, so the page stays the server's HTML; axe itself still runs.
export async function axeContext(browser, { javaScriptEnabled }) {
  const context = await browser.newContext({ bypassCSP: true });
  if (!javaScriptEnabled) await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  return context;
}
