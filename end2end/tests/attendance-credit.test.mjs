// From attendance to a certificate, JavaScript off and on, on servers of this test's own
// (the real binary on a rehearsal clock): during the session (clock 15:05 UTC, 09:05 in
// Chicago) an organizer shows an attendance code and a registered learner enters it; the
// server is then started again on the same database after the session (17:00 UTC); the
// organizer uploads a Zoom participant report, previews it and writes it; the learner sees
// the minutes recorded, evaluates the session, claims credit and downloads the certificate.
// axe-core runs on the organizer's attendance page and code screen and on the learner's
// webinar page with the evaluation form.
//
// The database is ATTENDANCE_DATABASE_URL (.ci/test gives an empty PostgreSQL database on
// the PostgreSQL run) or else a new SQLite file; the binary is GRANDROUNDS_BIN or
// target/debug/grandrounds, its site files GRANDROUNDS_SITE_ROOT or target/site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { axeContext, axeViolations, launch, pageReady, registerConfirmed, watchConsole } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = process.env.GRANDROUNDS_BIN ?? join(ROOT, 'target/debug/grandrounds');
const SITE_ROOT = process.env.GRANDROUNDS_SITE_ROOT ?? join(ROOT, 'target/site');
const PASSWORD = 'river lantern quietly';
const ORGANIZER = 'olu.organizer@clinic.org';
const DURING = '2031-03-04T15:05:00Z';
const AFTER = '2031-03-04T17:00:00Z';
const SOURCE = join(ROOT, 'content/webinars/store-and-forward-case-conference.md');
// The right answers of the case conference's post-test (its options are shuffled).
const POST_TEST_ANSWERS = [
  'A distant view that shows where it is on the body, then a close-up with a ruler or scale beside it',
  'A stable rash that has been there for weeks',
  'A mole the patient wants checked before their next routine visit',
  'A short note with the history, the question being asked and what has been tried',
  'Take the photographs again, steadied and in good light, or arrange a live video visit',
];
const ZOOM = join(ROOT, 'server/tests/fixtures/attendance/zoom-participants.csv');
const PASSES = [
  { slug: 'attendance-js-off', title: 'Attendance rehearsal, JavaScript off', javaScriptEnabled: false },
  { slug: 'attendance-js-on', title: 'Attendance rehearsal, JavaScript on', javaScriptEnabled: true },
];

let dir;
let content;
let env;
let server;
let base;
let browser;
const learners = new Map();

function webinar(title) {
  let text = readFileSync(SOURCE, 'utf8');
  const swaps = [
    [/^title = .*$/m, `title = "${title}"`],
    [/^registration_closes = .*$/m, 'registration_closes = 2031-03-04T09:30:00'],
    [/^organizers = .*$/m, `organizers = ["${ORGANIZER}"]`],
  ];
  for (const [pattern, line] of swaps) {
    assert.match(text, pattern, `${SOURCE} has a line matching ${pattern}`);
    text = text.replace(pattern, line);
  }
  return text;
}

async function start(clock) {
  server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--content-dir', content, '--clock', clock], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${log}`)), 60000);
    const read = (chunk) => {
      log += chunk;
      const found = log.match(/^Grand Rounds is serving at (http:\S+)/m);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server stopped (${code}):\n${log}`)); });
  });
}

async function stop() {
  if (server && server.exitCode === null) {
    const stopped = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await stopped;
  }
  server = undefined;
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} exists (cargo leptos build makes it)`);
  dir = mkdtempSync(join(tmpdir(), 'attendance-'));
  content = join(dir, 'content');
  cpSync(join(ROOT, 'content'), content, { recursive: true });
  for (const pass of PASSES) {
    writeFileSync(join(content, 'webinars', `${pass.slug}.md`), webinar(pass.title));
    cpSync(
      join(content, 'webinars', 'store-and-forward-case-conference.post-test.quiz.md'),
      join(content, 'webinars', `${pass.slug}.post-test.quiz.md`),
    );
  }
  env = {
    ...process.env,
    DATABASE_URL: process.env.ATTENDANCE_DATABASE_URL ?? `sqlite:${join(dir, 'attendance.db')}`,
    GRANDROUNDS_KEY_DIR: join(dir, 'keys'),
    GRANDROUNDS_OUTBOX_DIR: join(dir, 'outbox'),
    GRANDROUNDS_SITE_ROOT: SITE_ROOT,
  };
  delete env.GRANDROUNDS_SMTP_URL;
  delete env.GRANDROUNDS_CLOCK;
  const added = spawnSync(BIN, ['user', 'add', '--email', ORGANIZER, '--role', 'educator', '--name', 'Olu Organizer'], {
    env,
    input: `${PASSWORD}\n`,
    encoding: 'utf8',
  });
  assert.equal(added.status, 0, `user add: ${added.stderr}`);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function opened(context, path, hydrated) {
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  if (hydrated) await pageReady(page);
  return page;
}

async function signIn(context, email, hydrated) {
  const page = await opened(context, '/login', hydrated);
  await page.fill('#field-email', email);
  await page.fill('#field-password', PASSWORD);
  await page.click('main button[type="submit"]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await page.close();
}

async function axeOn(context, pass, paths) {
  const checker = await axeContext(browser, pass);
  await checker.addCookies(await context.cookies());
  const page = await checker.newPage();
  const found = [];
  for (const [path, waitFor] of paths) {
    await page.goto(`${base}${path}`);
    if (pass.javaScriptEnabled) await pageReady(page);
    await page.getByText(waitFor, { exact: false }).first().waitFor();
    for (const violation of await axeViolations(page)) found.push(`${path}: ${violation}`);
  }
  await checker.close();
  assert.deepEqual(found, [], found.join('\n'));
}

// During the session: register, the organizer shows a code, the learner enters it.
async function during(pass) {
  const hydrated = pass.javaScriptEnabled;
  const email = `learner-${Date.now()}-${hydrated ? 'on' : 'off'}@clinic.org`;
  learners.set(pass.slug, email);
  const learner = await browser.newContext({ javaScriptEnabled: hydrated });
  const page = await learner.newPage();
  const ready = async () => { if (hydrated) await pageReady(page); };
  await registerConfirmed(page, { base, outbox: join(dir, 'outbox'), email, password: PASSWORD, name: 'Rosa Vega', ready });
  await page.goto(`${base}/webinars/${pass.slug}`);
  await page.click('button:has-text("Register")');
  await page.getByText('You are registered.', { exact: true }).waitFor();

  const organizer = await browser.newContext({ javaScriptEnabled: hydrated });
  await signIn(organizer, ORGANIZER, hydrated);
  const desk = await opened(organizer, `/webinars/${pass.slug}`, hydrated);
  await desk.getByRole('link', { name: 'attendance', exact: true }).click();
  await desk.waitForURL(new RegExp(`/webinars/${pass.slug}/attendance$`));
  await desk.fill('#field-minutes', '5');
  await desk.click('button:has-text("Show a new code")');
  await desk.waitForURL(new RegExp(`/webinars/${pass.slug}/code$`));
  const code = (await desk.locator('.attendance-code').innerText()).trim();
  assert.match(code, /^[A-Z0-9]{6}$/);
  await axeOn(organizer, pass, [[`/webinars/${pass.slug}/code`, code], [`/webinars/${pass.slug}/attendance`, 'Import a participant report']]);

  const consoles = hydrated ? [watchConsole(page)] : [];
  await page.goto(`${base}/webinars/${pass.slug}`);
  if (hydrated) await pageReady(page);
  await page.fill('#field-code', 'WRONG1');
  await page.click('button:has-text("Record my attendance")');
  await page.getByText('That is not the code being shown.', { exact: false }).waitFor();
  await page.fill('#field-code', code.toLowerCase());
  await page.click('button:has-text("Record my attendance")');
  await page.getByText('Code accepted at 09:05', { exact: false }).waitFor();
  assert.deepEqual(consoles.flat(), []);
  await learner.close();
  await organizer.close();
}

// After the session: the organizer imports the report; the learner evaluates and claims.
async function afterwards(pass) {
  const hydrated = pass.javaScriptEnabled;
  const email = learners.get(pass.slug);
  const organizer = await browser.newContext({ javaScriptEnabled: hydrated });
  await signIn(organizer, ORGANIZER, hydrated);
  const desk = await opened(organizer, `/webinars/${pass.slug}/attendance`, hydrated);
  // The made-up Zoom sample, with this learner in Ada's place: 09:00 to 10:00, twice; the
  // second stay as a guest row without an email, under the name she registered with.
  const sample = readFileSync(ZOOM, 'utf8');
  assert.ok(sample.includes('"Okafor, Ada",ada.okafor@example.org'));
  const report = join(dir, `zoom-${pass.slug}.csv`);
  writeFileSync(report, sample
    .replace('"Okafor, Ada",ada.okafor@example.org', 'Rosa Vega,')
    .replaceAll(/ada\.okafor@example\.org/gi, email));
  await desk.setInputFiles('#field-file', report);
  await desk.click('button:has-text("Preview the import")');
  await desk.getByText('Read as a Zoom participant report', { exact: false }).waitFor();
  await desk.getByText('1 to add, 1 matched by name only', { exact: false }).first().waitFor();
  await desk.getByText('ben.lindqvist@example.org has no seat in this webinar').first().waitFor();
  // The name-only row is a suggestion: the account's address is beside it, and it is
  // written only when ticked.
  await desk.getByLabel(`Same person as the account ${email}: write this row`).check();
  await axeOn(organizer, pass, [[`/webinars/${pass.slug}/attendance`, 'matched by name only']]);
  await desk.click('button:has-text("Write 1 row and the rows ticked to the ledger")');
  await desk.getByText('2 rows added to the ledger', { exact: false }).first().waitFor();
  await desk.getByText('Rosa Vega').first().waitFor();

  const learner = await browser.newContext({ javaScriptEnabled: hydrated, acceptDownloads: true });
  await signIn(learner, email, hydrated);
  const page = await opened(learner, `/webinars/${pass.slug}`, hydrated);
  const consoles = hydrated ? [watchConsole(page)] : [];
  await page.getByText('Session 1: 1 h recorded').waitFor();
  await page.getByText('Eligible for credit for this session.').waitFor();
  await axeOn(learner, pass, [[`/webinars/${pass.slug}`, 'Evaluate session 1']]);
  for (const index of [0, 1, 2]) await page.check(`#rating-${index}-5`);
  await page.fill('#field-practice_change', 'Photograph every lesion with a ruler in the frame.');
  await page.click('button:has-text("Send the evaluation")');
  await page.getByText('Thank you: your evaluation is recorded', { exact: false }).waitFor();
  // The webinar's post-test comes before the claim.
  await page.getByRole('link', { name: 'Take the post-test' }).click();
  await page.waitForURL(new RegExp(`/webinars/${pass.slug}/post-test$`));
  await page.getByText('Attempt 1 of 3').waitFor();
  for (const answer of POST_TEST_ANSWERS) await page.getByLabel(answer, { exact: true }).check();
  await page.click('button:has-text("Submit answers")');
  await page.waitForURL(new RegExp(`/webinars/${pass.slug}/post-test/1$`));
  await page.getByText('Passed: the pass mark is 75 %.').waitFor();
  await axeOn(learner, pass, [[`/webinars/${pass.slug}/post-test/1`, 'Passed: the pass mark is 75 %.']]);
  await page.getByRole('link', { name: 'Go on to your credit claim' }).click();
  await page.waitForURL(new RegExp(`/webinars/${pass.slug}(#attendance)?$`));
  await page.locator('#field-hours-nursing-contact-hours').waitFor();
  assert.equal(await page.inputValue('#field-hours-nursing-contact-hours'), '1');
  await page.fill('#field-hours-nursing-contact-hours', '1.25');
  await page.click('button:has-text("Claim and issue my certificate")');
  await page.getByText('claim no more than 1 hours', { exact: false }).waitFor();
  await page.fill('#field-hours-nursing-contact-hours', '1');
  await page.click('button:has-text("Claim and issue my certificate")');
  await page.getByText('You claimed 1 hours of', { exact: false }).waitFor();
  await page.getByRole('link', { name: 'Your certificate' }).click();
  await page.waitForURL(/\/certificates\//);
  await page.getByText('Live webinar', { exact: false }).first().waitFor();
  await page.getByText('live session of 4 March 2031, 09:00 CST (America/Chicago)', { exact: false }).first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the PDF' }).click(),
  ]);
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.deepEqual(consoles.flat(), []);
  await learner.close();
  await organizer.close();
}

test('from a code and a Zoom report to a live-webinar certificate, JavaScript off and on', async () => {
  await start(DURING);
  for (const pass of PASSES) await during(pass);
  await stop();
  await start(AFTER);
  for (const pass of PASSES) await afterwards(pass);
});
