// The main pages as served are valid HTML (the Nu HTML checker, vnu-jar from npm, run on
// the machine's Java) and have no WCAG 2.2 AA violations (axe-core), signed out and signed
// in, with JavaScript off and on. Only the framework's own hydration comment markers are
// allowed through the checker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeContext, axeViolations, BASE_URL, launch, pageReady, registerConfirmed } from './browser.mjs';

const require = createRequire(import.meta.url);
const VNU = require('vnu-jar');
const PASSWORD = 'river lantern quietly';
const COURSE = 'telehealth-for-clinical-teams';

const PUBLIC_PAGES = [
  '/',
  '/courses',
  `/courses/${COURSE}`,
  `/courses/${COURSE}/modalities`,
  '/login',
  '/register',
  '/webinars',
  '/webinars?profession=nurse',
  '/webinars/store-and-forward-case-conference',
  '/webinars/remote-monitoring-journal-club',
  '/forgot-password',
  '/reset-password?token=not-a-working-token',
  '/invitation?token=not-a-working-token',
  '/verify/NO-SUCH-CODE',
  '/no-such-page',
];
const LEARNER_PAGES = ['/account', '/learning', `/learning/${COURSE}/credit`, `/learning/${COURSE}/quiz/pre-test`, '/transcript'];
// The administrator .ci/test makes with `grandrounds user add` (ADMIN_EMAIL).
const ADMIN_PAGES = [
  '/admin/users',
  '/admin/outbox',
  '/webinars/store-and-forward-case-conference/registrations',
  '/studio',
  `/studio/course/${COURSE}`,
  `/studio/course/${COURSE}/files/02-modalities.md`,
  `/studio/course/${COURSE}/files/post-test.quiz.md`,
  `/studio/course/${COURSE}/publish`,
  `/studio/course/${COURSE}/history`,
  `/studio/course/${COURSE}/details`,
  '/studio/webinar/store-and-forward-case-conference/details',
  '/studio/webinar/store-and-forward-case-conference',
];

async function signedInAdmin(context) {
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/login`);
  await page.fill('#field-email', process.env.ADMIN_EMAIL);
  await page.fill('#field-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/account$/);
  return page;
}

let browser;
let dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'vnu-'));
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A learner enrolled in the demo course, signed in within `context`.
async function signedInLearner(context) {
  const page = await context.newPage();
  const email = `valid-${Date.now()}-${Math.random().toString(36).slice(2)}@clinic.org`;
  await registerConfirmed(page, { base: BASE_URL, outbox: process.env.OUTBOX_DIR, email, password: PASSWORD, name: 'Rosa Vega' });
  await page.goto(`${BASE_URL}/courses/${COURSE}`);
  await page.click('button:has-text("Enroll in this course")');
  await page.getByText('0 of 5 lessons complete').waitFor();
  return page;
}

// The only messages allowed: Leptos' hydration markers. It writes `<!>` between dynamic
// parts (an empty "bogus comment" to the checker) and `<!--HEAD-->` after the head's own
// tags; both are how the framework finds its places when hydrating, nothing of ours.
const ALLOWED = [(m) => m.message === 'Bogus comment.' && (m.extract ?? '').includes('<!>')];

function validate(pages) {
  const files = pages.map(({ path, html }, index) => {
    const file = join(dir, `page-${index}.html`);
    writeFileSync(file, html);
    return { file, path };
  });
  let out;
  try {
    out = execFileSync('java', ['-jar', VNU, '--errors-only', '--format', 'json', ...files.map((f) => f.file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // vnu exits 1 when it found errors; the report is on stderr.
    out = error.stderr?.toString() || error.stdout?.toString() || '';
    if (!out.trim().startsWith('{')) throw error;
  }
  const report = JSON.parse(out || '{"messages":[]}');
  const byFile = new Map(files.map((f) => [`file:${f.file}`, f.path]));
  return report.messages
    .filter((m) => m.type === 'error' && !ALLOWED.some((allowed) => allowed(m)))
    .map((m) => `${byFile.get(m.url) ?? m.url}:${m.lastLine}: ${m.message} [${(m.extract ?? '').trim()}]`);
}

test('the main pages are valid HTML (Nu HTML checker)', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const learner = await signedInLearner(context);
  const pages = [];
  for (const path of PUBLIC_PAGES) {
    const response = await fetch(`${BASE_URL}${path}`);
    pages.push({ path, html: await response.text() });
  }
  for (const path of LEARNER_PAGES) {
    const response = await learner.request.get(`${BASE_URL}${path}`);
    assert.equal(response.status(), 200, path);
    pages.push({ path: `${path} (signed in)`, html: await response.text() });
  }
  const adminContext = await browser.newContext({ javaScriptEnabled: false });
  const admin = await signedInAdmin(adminContext);
  for (const path of ADMIN_PAGES) {
    const response = await admin.request.get(`${BASE_URL}${path}`);
    assert.equal(response.status(), 200, path);
    pages.push({ path: `${path} (administrator)`, html: await response.text() });
  }
  await adminContext.close();
  const errors = validate(pages);
  assert.deepEqual(errors, [], `Nu HTML checker errors:\n${errors.join('\n')}`);
  // The checker does see errors: a page with a duplicate id is refused.
  const broken = validate([{ path: 'broken', html: '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p id="a"></p><p id="a"></p></body></html>' }]);
  assert.equal(broken.length, 1, broken.join('\n'));
  await context.close();
});

for (const javaScriptEnabled of [false, true]) {
  test(`no WCAG 2.2 AA violations (axe-core), JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
    // axe is evaluated from outside the page (the site's CSP would rightly refuse it). axe
    // needs the browser's JavaScript itself, so "off" means the site's own scripts and wasm
    // never load: the page stays the server's HTML, as in a browser with JavaScript off.
    const open = () => axeContext(browser, { javaScriptEnabled });
    const context = await open();
    const learner = await signedInLearner(context);
    const anonymous = await (await open()).newPage();
    const admin = await signedInAdmin(await open());
    const found = [];
    for (const [page, paths] of [[anonymous, PUBLIC_PAGES], [learner, LEARNER_PAGES], [admin, ADMIN_PAGES]]) {
      for (const path of paths) {
        await page.goto(`${BASE_URL}${path}`);
        if (javaScriptEnabled) await pageReady(page);
        for (const violation of await axeViolations(page)) found.push(`${path}: ${violation}`);
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
    await anonymous.context().close();
    await admin.context().close();
    await context.close();
  });
}
