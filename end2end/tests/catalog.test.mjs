// The main reading flow: catalog → filter → course → lesson → next, with JavaScript on
// (hydrated, no console errors) and off (plain HTML and forms).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, pageReady, watchConsole } from './browser.mjs';

const MAIN = 'Telehealth and telemedicine for clinical teams';
const NURSING = 'Running a remote patient monitoring programme';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function readingFlow(page, { hydrated }) {
  await page.goto(`${BASE_URL}/courses`);
  if (hydrated) await pageReady(page);
  assert.equal(await page.locator('h1').textContent(), 'Course catalog');
  assert.equal(await page.locator('.course-card').count(), 3);

  await page.selectOption('#profession', 'physician');
  await Promise.all([
    page.waitForURL(/profession=physician/),
    page.getByRole('button', { name: 'Show courses' }).click(),
  ]);
  await page.waitForSelector('text=1 course');
  const titles = await page.locator('.course-card h3').allTextContents();
  assert.deepEqual(titles, [MAIN]);
  assert.equal(await page.locator('#profession').inputValue(), 'physician');

  await page.getByRole('link', { name: MAIN }).click();
  await page.waitForURL(/\/courses\/telehealth-for-clinical-teams$/);
  await page.getByRole('heading', { level: 1, name: MAIN }).waitFor();
  assert.ok(await page.getByRole('heading', { name: 'Learning objectives' }).isVisible());
  assert.ok(await page.getByRole('heading', { name: 'Faculty, planners and disclosures' }).isVisible());

  await page.getByRole('link', { name: 'Start the first lesson' }).click();
  await page.waitForURL(/\/telehealth-and-telemedicine$/);
  await page.getByRole('heading', { level: 1, name: 'Telehealth and telemedicine: two words, two scopes' }).waitFor();
  assert.ok(await page.getByRole('navigation', { name: 'On this page' }).isVisible() ||
    await page.locator('nav.toc').isVisible());

  await page.getByRole('link', { name: /Next/ }).click();
  await page.waitForURL(/\/modalities$/);
  await page.getByRole('heading', { level: 1, name: 'The four modalities of remote care' }).waitFor();
  assert.match(await page.locator('.eyebrow').first().textContent(), /Lesson 2 of 5/);
}

test('reading flow with JavaScript on: no script or wasm on pages without an island, no console errors', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  const scripts = [];
  page.on('request', (request) => {
    if (/\/pkg\/.*\.(js|wasm)$/.test(request.url())) scripts.push(request.url());
  });
  await readingFlow(page, { hydrated: true });
  assert.deepEqual(scripts, [], 'the catalog, course and lesson pages load no script');
  assert.deepEqual(problems, []);
  await context.close();
});

test('reading flow with JavaScript off: plain HTML and GET forms', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await readingFlow(page, { hydrated: false });
  assert.equal(await page.locator('html[data-hydrated]').count(), 0, 'nothing hydrated');
  await context.close();
});

test('unknown pages are a real 404 page', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(`${BASE_URL}/courses/nope`);
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('h1').textContent(), 'Not found');
  await context.close();
});

test('the nursing course is listed for nurses', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/courses?profession=nurse`);
  const titles = await page.locator('.course-card h3').allTextContents();
  assert.ok(titles.some((t) => t.startsWith(NURSING)), titles.join(', '));
  await context.close();
});
