// Webinars with JavaScript off and on: find one from the home page, read its disclosures and
// times, register with the plain form, see the seat, cancel it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, pageReady, registerConfirmed, watchConsole } from './browser.mjs';

const PASSWORD = 'river lantern quietly';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function findRegisterCancel(page, email, { hydrated }) {
  const ready = async () => { if (hydrated) await pageReady(page); };
  await registerConfirmed(page, { base: BASE_URL, outbox: process.env.OUTBOX_DIR, email, password: PASSWORD, name: 'Rosa Vega', ready });

  await page.goto(`${BASE_URL}/`);
  await ready();
  await page.getByRole('link', { name: 'See live webinars' }).click();
  await page.waitForURL(/\/webinars$/);
  await page.getByRole('link', { name: 'Store-and-forward dermatology: a case conference' }).click();
  await page.waitForURL(/\/webinars\/store-and-forward-case-conference$/);
  await ready();
  await page.getByRole('heading', { name: 'Presenters, planners and disclosures' }).waitFor();
  await page.getByText('Tuesday 4 March 2031, 09:00–10:00 CST (UTC−06:00, America/Chicago)').waitFor();
  assert.ok(!(await page.content()).includes('zoom.example.org'), 'no join link before registering');

  await page.click('button:has-text("Register")');
  await page.getByText('You are registered. A confirmation is on its way by email.').waitFor();
  await page.getByText('You are registered.', { exact: true }).waitFor();
  assert.ok(!(await page.content()).includes('zoom.example.org'), 'no join link outside the join window');
  await page.click('button:has-text("Cancel my registration")');
  await page.getByText('Your registration is cancelled.').waitFor();
  await page.locator('button:has-text("Register")').waitFor();
}

test('find a webinar, register and cancel: JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  await findRegisterCancel(await context.newPage(), `webinar-off-${Date.now()}@clinic.org`, { hydrated: false });
  await context.close();
});

test('find a webinar, register and cancel: JavaScript on, without console errors', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await findRegisterCancel(page, `webinar-on-${Date.now()}@clinic.org`, { hydrated: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a signed-out visitor is asked to sign in', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/webinars/store-and-forward-case-conference`);
  await page.getByRole('link', { name: 'Sign in to register' }).waitFor();
  await context.close();
});
