// Forgotten password, end to end, with JavaScript off and on: ask on /forgot-password, open
// the .eml the server wrote to its outbox folder (no mail server configured), follow the
// link, choose a new password, land signed in; the old password no longer works. And an
// administrator's invitation followed the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, linkInMail as linkInOutbox, pageReady, registerConfirmed, watchConsole } from './browser.mjs';

const PASSWORD = 'river lantern quietly';
const OUTBOX = process.env.OUTBOX_DIR;
const ADMIN_EMAIL = process.env.ADMIN_EMAIL;
let browser;
before(async () => {
  assert.ok(OUTBOX, 'OUTBOX_DIR names the server\'s outbox folder (.ci/test sets it)');
  browser = await launch();
});
after(async () => { await browser?.close(); });

// The newest message of `kind` to `email` in the outbox folder, its first link with `path`.
const linkInMail = (email, kind, path) => linkInOutbox(OUTBOX, email, kind, path);

async function forgotAndReset(page, email, { hydrated }) {
  const ready = async () => { if (hydrated) await pageReady(page); };
  await registerConfirmed(page, { base: BASE_URL, outbox: OUTBOX, email, password: PASSWORD, name: 'Rosa Vega', ready });
  await page.click('button:has-text("Sign out")');
  await page.waitForURL(`${BASE_URL}/`);

  await page.goto(`${BASE_URL}/login`);
  await ready();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL(/\/forgot-password$/);
  await ready();
  await page.fill('#field-email', email);
  await page.click('button:has-text("Send me a link")');
  await page.getByText('If an account uses that address').waitFor();

  const link = await linkInMail(email, 'password-reset', '/reset-password?token=');
  await page.goto(link);
  await ready();
  await page.getByText(`For the account ${email}`).waitFor();
  // The registration rules hold here too.
  await page.fill('#field-new_password', 'short');
  await page.click('button:has-text("Set the new password")');
  assert.match(await page.locator('#field-new_password-error').textContent(), /at least 12/);
  await page.fill('#field-new_password', 'amber kettle horizon');
  await page.click('button:has-text("Set the new password")');
  await page.waitForURL(/\/account$/);
  await page.getByText('Your new password is set and you are signed in').waitFor();
  await page.getByText(`Signed in as ${email}`).waitFor();

  // The link was for once.
  await page.goto(link);
  await page.getByText('This link was used already').waitFor();

  // The old password is gone, the new one works.
  await page.goto(`${BASE_URL}/account`);
  await page.click('button:has-text("Sign out")');
  await page.goto(`${BASE_URL}/login`);
  await page.fill('#field-email', email);
  await page.fill('#field-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.getByText('The email or password is not right').waitFor();
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'amber kettle horizon');
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/account$/);
}

test('forgot password, open the .eml, follow the link, new password, signed in: JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  await forgotAndReset(await context.newPage(), `reset-off-${Date.now()}@clinic.org`, { hydrated: false });
  await context.close();
});

test('forgot password, open the .eml, follow the link, new password, signed in: JavaScript on', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await forgotAndReset(page, `reset-on-${Date.now()}@clinic.org`, { hydrated: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('an administrator invites an educator, who follows the link and is signed in', async () => {
  assert.ok(ADMIN_EMAIL, 'ADMIN_EMAIL names the administrator .ci/test made');
  const admin = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await admin.goto(`${BASE_URL}/login`);
  await admin.fill('#field-email', ADMIN_EMAIL);
  await admin.fill('#field-password', PASSWORD);
  await admin.click('button:has-text("Sign in")');
  await admin.waitForURL(/\/account$/);
  await admin.goto(`${BASE_URL}/admin/users`);
  const email = `invited-${Date.now()}@clinic.org`;
  await admin.fill('#field-invite_email', email);
  await admin.selectOption('#field-invite_role', 'educator');
  await admin.click('button:has-text("Send the invitation")');
  await admin.getByText(`${email} is invited as Educator`).waitFor();

  const link = await linkInMail(email, 'invitation', '/invitation?token=');
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(link);
  await pageReady(page);
  await page.getByText(`to join as Educator with the address ${email}`).waitFor();
  await page.fill('#field-password', 'amber kettle horizon');
  await page.fill('#field-full_name', 'Dr Kim Lee');
  await page.selectOption('#field-profession', 'physician');
  await page.click('button:has-text("Create my account")');
  await page.waitForURL(/\/account$/);
  await page.getByText(`Signed in as ${email} (Educator)`).waitFor();
  assert.deepEqual(problems, []);

  // The outbox shows both messages sent.
  await admin.goto(`${BASE_URL}/admin/outbox?status=sent`);
  await admin.getByText(email).first().waitFor();
  await admin.context().close();
  await context.close();
});
