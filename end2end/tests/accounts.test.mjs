// Registering and signing in with JavaScript on and off: real forms, real redirects,
// messages next to the fields, typed values kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, linkInMail, pageReady, watchConsole } from './browser.mjs';

const PASSWORD = 'river lantern quietly';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function registerAndSignIn(page, email, { hydrated }) {
  await page.goto(`${BASE_URL}/register`);
  if (hydrated) await pageReady(page);

  // First a mistake: a too-short password and a wrong NPI check digit.
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'short');
  await page.fill('#field-full_name', 'Lee Park');
  await page.selectOption('#field-profession', 'nurse');
  await page.fill('#field-npi', '1234567890');
  await page.click('button:has-text("Create account")');
  await page.waitForURL(/\/register$/);
  await page.getByText('Please correct the 2 fields marked below.').waitFor();
  assert.match(await page.locator('#field-npi-error').textContent(), /check digit/);
  assert.match(await page.locator('#field-password-error').textContent(), /at least 12/);
  assert.equal(await page.inputValue('#field-email'), email, 'typed email kept');
  assert.equal(await page.inputValue('#field-full_name'), 'Lee Park', 'typed name kept');
  assert.equal(await page.inputValue('#field-password'), '', 'password never sent back');

  // Then right, using the keyboard only for the fix.
  await page.focus('#field-password');
  await page.keyboard.type(PASSWORD);
  await page.fill('#field-npi', '1234567893');
  await page.focus('#field-npi');
  await page.keyboard.press('Enter');
  // Registering signs no one in: the address is confirmed first, by the mailed link.
  await page.waitForURL(/\/login$/);
  await page.getByText(`We sent a message to ${email}: it says what to do next.`).waitFor();

  // Before its link the account does not sign in: the same words as a wrong password.
  await page.fill('#field-email', email);
  await page.fill('#field-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/login$/);
  await page.getByText('The email or password is not right').waitFor();

  // The link from the .eml the server wrote leads to the sign-in form, which confirms the
  // address with the password chosen.
  const link = await linkInMail(process.env.OUTBOX_DIR, email, 'address-confirmation', '/confirm-address?token=');
  await page.goto(link.replace(/^https?:\/\/[^/]+/, BASE_URL));
  await page.waitForURL(/\/login\?confirm=/);
  if (hydrated) await pageReady(page);
  await page.getByText(`To confirm ${email}, sign in with the password you chose when you registered.`).waitFor();
  await page.fill('#field-email', email);
  await page.fill('#field-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/account$/);
  await page.getByText(`Thank you: ${email} is confirmed and you are signed in.`, { exact: false }).waitFor();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();

  // Signed out and in again, the ordinary way.
  await page.click('button:has-text("Sign out")');
  await page.waitForURL(`${BASE_URL}/`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL(/\/login/);
  await page.fill('#field-email', email);
  await page.fill('#field-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/account$/);

  // Enroll, open the first lesson, mark it complete, see the progress.
  await page.goto(`${BASE_URL}/courses/telehealth-for-clinical-teams`);
  await page.click('button:has-text("Enroll in this course")');
  await page.getByText('0 of 5 lessons complete').waitFor();
  await page.getByRole('link', { name: /^Continue:/ }).click();
  await page.waitForURL(/\/telehealth-and-telemedicine$/);
  await page.click('button:has-text("Mark this lesson complete")');
  await page.getByText('You completed this lesson.').waitFor();
  await page.getByRole('link', { name: 'My learning' }).click();
  await page.waitForURL(/\/learning$/);
  await page.getByText('1 of 5 lessons complete').waitFor();
}

test('register, sign out and sign in with JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await registerAndSignIn(page, `off-${Date.now()}@clinic.org`, { hydrated: false });
  await context.close();
});

test('register, sign out and sign in with JavaScript on, without console errors', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await registerAndSignIn(page, `on-${Date.now()}@clinic.org`, { hydrated: true });
  assert.deepEqual(problems, []);
  await context.close();
});
