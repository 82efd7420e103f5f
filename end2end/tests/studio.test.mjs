// The studio with JavaScript off and on: an educator writes a course with two lessons and a
// post-test, previews it, fixes a problem shown at its line, publishes it, and a learner
// finds it in the catalog and enrols; the same educator writes a webinar with one session
// and a learner registers. Every studio page has no WCAG 2.2 AA violation (axe-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeContext, axeViolations, BASE_URL, launch, pageReady, registerConfirmed, watchConsole } from './browser.mjs';

const PASSWORD = 'river lantern quietly';
const ADMIN_EMAIL = process.env.ADMIN_EMAIL;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email, ready) {
  await page.goto(`${BASE_URL}/login`);
  await ready();
  await page.fill('#field-email', email);
  await page.fill('#field-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/account$/);
}

// A 1 × 1 PNG.
const DOT_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

// A confirmed account an administrator makes an educator (on the users page, JS off).
async function educator(email, page, ready) {
  await registerConfirmed(page, { base: BASE_URL, outbox: process.env.OUTBOX_DIR, email, password: PASSWORD, name: 'Edna Educator', profession: 'nurse', ready });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const admin = await context.newPage();
  await signIn(admin, ADMIN_EMAIL, async () => {});
  await admin.goto(`${BASE_URL}/admin/users?q=${encodeURIComponent(email)}`);
  const row = admin.locator('tr', { hasText: email });
  await row.locator('select[name="role"]').selectOption('educator');
  await row.locator('button:has-text("Save")').click();
  await admin.getByText('Educator', { exact: false }).first().waitFor();
  await context.close();
  await signIn(page, email, ready);
}

// The studio pages seen, checked with axe-core afterwards in a context of their own (axe
// needs the browser's JavaScript: see axeContext) signed in as the same educator.
const seen = [];
async function noViolations(page, label) {
  seen.push({ url: page.url(), label, context: page.context() });
}

async function checkSeen({ javaScriptEnabled }) {
  const pages = seen.splice(0);
  const context = await axeContext(browser, { javaScriptEnabled });
  await context.addCookies(await pages[0].context.cookies());
  const page = await context.newPage();
  for (const { url, label } of pages) {
    await page.goto(url);
    if (javaScriptEnabled) await pageReady(page);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${label} (${url}): ${JSON.stringify(violations, null, 1)}`);
  }
  await context.close();
}

async function writeAndPublish(page, { hydrated }) {
  const ready = async () => { if (hydrated) await pageReady(page); };
  const stamp = `${hydrated ? 'on' : 'off'}-${Date.now()}`;
  await educator(`studio-${stamp}@clinic.org`, page, ready);

  await page.goto(`${BASE_URL}/studio`);
  await ready();
  await noViolations(page, '/studio');
  const title = `Cold chain basics ${stamp}`;
  const slug = `cold-chain-${stamp}`;
  await page.selectOption('#field-kind', 'course');
  await page.fill('#field-title', title);
  await page.fill('#field-slug', slug);
  await page.click('button:has-text("Start the draft")');
  await page.waitForURL(new RegExp(`/studio/course/${slug}$`));
  await ready();
  await page.getByText('Never published').first().waitFor();
  await noViolations(page, 'the draft');

  // A second lesson, with a broken link: shown at its line.
  await page.fill('#field-title', 'Packing the cool box');
  await page.fill('#field-new_slug', 'packing');
  await page.click('button:has-text("Add the lesson")');
  await page.getByText('Lesson "Packing the cool box" added as 02-packing.md.').waitFor();
  await page.getByRole('link', { name: '02-packing.md' }).click();
  await page.waitForURL(/\/files\/02-packing\.md$/);
  await ready();
  await page.fill('#field-text', '# Packing the cool box\n\nIce packs first, as [the introduction](09-missing.md) says.\n');
  await page.click('button:has-text("Save and preview")');
  await page.getByText('Saved in the draft').waitFor();
  await page.getByText('Line 3:').waitFor();
  await page.getByText('broken link: 09-missing.md is not a lesson file of this course').waitFor();
  await noViolations(page, 'a file in its editor');
  await page.fill('#field-text', '# Packing the cool box\n\nIce packs first, as [the introduction](01-introduction.md) says.\n');
  await page.click('button:has-text("Save and preview")');
  await page.getByText('Saved in the draft').waitFor();
  assert.ok(!(await page.content()).includes('Line 3:'), 'the problem is gone');
  const preview = page.locator('#preview-section');
  await preview.getByText('Ice packs first').waitFor();
  assert.equal(await preview.locator(`a[href="/courses/${slug}/introduction"]`).count(), 1);

  // With JavaScript, the preview follows the typing without a save or a reload (a file's
  // page is the one kind of page that loads the site's script).
  if (hydrated) {
    assert.equal(await page.locator('link[rel="modulepreload"]').count(), 1);
    await page.fill('#field-text', '# Packing the cool box\n\nTyped live, **not saved** yet.\n');
    await preview.locator('strong', { hasText: 'not saved' }).waitFor({ timeout: 10000 });
    await page.reload();
    await ready();
    await preview.getByText('Ice packs first').waitFor();
  }

  // The details form: the summary changed in its field, saved into course.md.
  await page.goto(`${BASE_URL}/studio/course/${slug}/details`);
  await ready();
  await page.fill('#field-summary', `How vaccines stay cold from the depot to the clinic (${stamp}).`);
  await page.click('button:has-text("Save the details")');
  await page.getByText('Saved in the draft').waitFor();
  assert.equal(await page.inputValue('#field-summary'), `How vaccines stay cold from the depot to the clinic (${stamp}).`);
  await noViolations(page, 'the details form');

  // An image, uploaded with its alt text; the line that shows it is offered.
  await page.goto(`${BASE_URL}/studio/course/${slug}`);
  await ready();
  await page.fill('#field-alt', 'A red dot');
  await page.setInputFiles('#field-file', { name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(DOT_PNG, 'base64') });
  await page.click('button:has-text("Upload the image")');
  await page.getByText('dot.png uploaded (1 × 1 pixels)').waitFor();
  await page.getByText('![A red dot](/media/').waitFor();
  await noViolations(page, 'the draft with an image');

  // The post-test's preview marks the correct option for the educator.
  await page.goto(`${BASE_URL}/studio/course/${slug}/files/post-test.quiz.md`);
  await ready();
  await page.locator('#preview-section li.correct').first().waitFor();

  await page.goto(`${BASE_URL}/studio/course/${slug}`);
  await ready();
  await page.click('a:has-text("Review and publish")');
  await page.waitForURL(/\/publish$/);
  await ready();
  await page.getByText('02-packing.md (added)').waitFor();
  await noViolations(page, 'the publish review');
  await page.click('button:has-text("Publish these changes")');
  await page.getByText('Published as revision 1.').waitFor();
  await page.goto(`${BASE_URL}/studio/course/${slug}/history`);
  await ready();
  await page.getByText('Edna Educator (studio)').waitFor();
  await noViolations(page, 'the history');

  // A webinar with one session.
  const webinarTitle = `Cold chain questions, live ${stamp}`;
  const webinarSlug = `cold-chain-live-${stamp}`;
  await page.goto(`${BASE_URL}/studio`);
  await ready();
  await page.selectOption('#field-kind', 'webinar');
  await page.fill('#field-title', webinarTitle);
  await page.fill('#field-slug', webinarSlug);
  await page.click('button:has-text("Start the draft")');
  await page.waitForURL(new RegExp(`/studio/webinar/${webinarSlug}$`));
  await ready();
  await page.click('a:has-text("Review and publish")');
  await page.waitForURL(/\/publish$/);
  await page.click('button:has-text("Publish these changes")');
  await page.getByText('Published as revision 1.').waitFor();
  return { title, slug, webinarTitle, webinarSlug, ready };
}

async function learnerFinds(page, { title, slug, webinarTitle, webinarSlug }, ready) {
  await registerConfirmed(page, { base: BASE_URL, outbox: process.env.OUTBOX_DIR, email: `learner-${slug}@clinic.org`, password: PASSWORD, name: 'Lena Learner', profession: 'nurse', ready });
  await page.goto(`${BASE_URL}/courses`);
  await ready();
  await page.getByRole('link', { name: title }).click();
  await page.waitForURL(new RegExp(`/courses/${slug}$`));
  await ready();
  await page.click('button:has-text("Enroll in this course")');
  await page.getByText('0 of 2 lessons complete').waitFor();
  await page.goto(`${BASE_URL}/webinars/${webinarSlug}`);
  await ready();
  await page.getByRole('heading', { name: webinarTitle }).waitFor();
  await page.click('button:has-text("Register")');
  await page.getByText('You are registered.', { exact: true }).waitFor();
}

test('an educator writes, previews, fixes and publishes; a learner enrols and registers: JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const written = await writeAndPublish(await context.newPage(), { hydrated: false });
  await checkSeen({ javaScriptEnabled: false });
  const learner = await browser.newContext({ javaScriptEnabled: false });
  await learnerFinds(await learner.newPage(), written, async () => {});
  await context.close();
  await learner.close();
});

test('an educator writes, previews, fixes and publishes; a learner enrols and registers: JavaScript on, without console errors', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  const written = await writeAndPublish(page, { hydrated: true });
  await checkSeen({ javaScriptEnabled: true });
  const learner = await browser.newContext();
  const learnerPage = await learner.newPage();
  await learnerFinds(learnerPage, written, async () => pageReady(learnerPage));
  assert.deepEqual(problems, []);
  await context.close();
  await learner.close();
});
