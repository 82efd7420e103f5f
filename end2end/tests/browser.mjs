// Launches Debian's Chromium headless (Playwright cannot download browsers here).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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

// Ready for the test: a page with an island (the only pages that load the site's script
// and wasm) once the browser has taken it over; any other page at once, since it is
// complete HTML and loads no script.
export async function pageReady(page) {
  if ((await page.locator('link[rel="modulepreload"]').count()) > 0) {
    await page.waitForSelector('html[data-hydrated]', { timeout: 15000 });
  }
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

// The decoded text/plain part of a raw message (quoted-printable or plain).
export function textPart(raw) {
  const message = raw.replace(/\r\n/g, '\n');
  for (const section of message.split('\n--')) {
    const split = section.indexOf('\n\n');
    if (split < 0) continue;
    const head = section.slice(0, split).toLowerCase();
    if (!head.includes('content-type: text/plain')) continue;
    let body = section.slice(split + 2);
    if (head.includes('quoted-printable')) {
      body = body.replace(/=\n/g, '');
      body = Buffer.from(body.replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
    }
    return body;
  }
  throw new Error(`no text part in:\n${raw}`);
}

// Waits for the newest message of `kind` to `email` in the `outbox` folder (the server's
// sender writes it within a few seconds) and returns its first link containing `path`.
export async function linkInMail(outbox, email, kind, path) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    let names = [];
    try { names = readdirSync(outbox).filter((n) => n.endsWith('.eml') && n.includes(kind)).sort().reverse(); } catch { /* not yet made */ }
    for (const name of names) {
      const raw = readFileSync(join(outbox, name), 'utf8');
      if (!raw.includes(`<${email}>`)) continue;
      const text = textPart(raw);
      const found = text.match(new RegExp(`https?://[^\\s]*${path.replace(/[?]/g, '\\?')}[^\\s]*`));
      if (!found) throw new Error(`no ${path} link in:\n${text}`);
      return found[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no ${kind} message to ${email} in ${outbox}`);
}

// Registers through the form (which signs no one in), follows the confirmation link mailed
// to the outbox folder to the sign-in form, and signs in with the password, which confirms
// the address: the page ends on /account. `base` is the site's
// address; `ready` waits for hydration when JavaScript is on.
export async function registerConfirmed(page, { base, outbox, email, password, name, profession = 'nurse', ready = async () => {} }) {
  await page.goto(`${base}/register`);
  await ready();
  await page.fill('#field-email', email);
  await page.fill('#field-password', password);
  await page.fill('#field-full_name', name);
  await page.selectOption('#field-profession', profession);
  await page.click('button:has-text("Create account")');
  await page.waitForURL(/\/login$/);
  await page.getByText(`We sent a message to ${email}: it says what to do next.`).waitFor();
  const link = await linkInMail(outbox, email, 'address-confirmation', '/confirm-address?token=');
  const response = await page.goto(link.replace(/^https?:\/\/[^/]+/, base));
  if (!/\/login\?confirm=/.test(page.url())) {
    // Said in full, so a failure here can be read from the log alone.
    const text = await page.locator('main').innerText().catch(() => '(no main)');
    throw new Error(`the confirmation link ${link} led to ${page.url()} (${response?.status()}): ${text}`);
  }
  await ready();
  await page.getByText(`To confirm ${email}, sign in with the password you chose when you registered.`).waitFor();
  await page.fill('#field-email', email);
  await page.fill('#field-password', password);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/account$/);
  await page.getByText(`Thank you: ${email} is confirmed and you are signed in.`, { exact: false }).waitFor();
}
