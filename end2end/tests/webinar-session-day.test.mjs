// A webinar's session day with JavaScript off and on, on a server of this test's own started
// with the rehearsal clock at 14:50 UTC on the day of a session at 15:00 UTC (the real
// binary, `grandrounds serve --clock`): two learners find the webinar and read its
// disclosures; the first takes its one seat, the second is waitlisted; the first downloads the
// .ics, follows the join link (the conferencing service is stubbed in the browser), and
// cancels; the second now holds the seat, sees the join link and is told by email. axe-core
// runs on the webinar page with its join link and on the account page.
//
// axe-core runs in a context that blocks the site's scripts for the JavaScript-off pass.
//
// The server's database is SESSION_DAY_DATABASE_URL (.ci/test gives an empty PostgreSQL
// database on the PostgreSQL run) or else a new SQLite file; the binary is
// GRANDROUNDS_BIN or target/debug/grandrounds, its site files GRANDROUNDS_SITE_ROOT or
// target/site (both made by `cargo leptos build`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { axeContext, axeViolations, launch, pageReady, registerConfirmed, watchConsole } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = process.env.GRANDROUNDS_BIN ?? join(ROOT, 'target/debug/grandrounds');
const SITE_ROOT = process.env.GRANDROUNDS_SITE_ROOT ?? join(ROOT, 'target/site');
const PASSWORD = 'river lantern quietly';
const CLOCK = '2031-03-04T14:50:00Z';
// The demo case conference's session: 09:00 in Chicago on 4 March 2031, 15:00 UTC.
const SOURCE = join(ROOT, 'content/webinars/store-and-forward-case-conference.md');
const PASSES = [
  { slug: 'session-day-js-off', title: 'Session day rehearsal, JavaScript off', javaScriptEnabled: false },
  { slug: 'session-day-js-on', title: 'Session day rehearsal, JavaScript on', javaScriptEnabled: true },
];

let dir;
let server;
let base;
let outbox;
let browser;

// One seat, so the second learner waits; registration open until 09:30 local (the clock
// stands at 08:50 local), so both learners register on the session day itself.
function sessionDayWebinar(title) {
  let text = readFileSync(SOURCE, 'utf8');
  const swaps = [
    [/^title = .*$/m, `title = "${title}"`],
    [/^capacity = .*$/m, 'capacity = 1'],
    [/^registration_closes = .*$/m, 'registration_closes = 2031-03-04T09:30:00'],
  ];
  for (const [pattern, line] of swaps) {
    assert.match(text, pattern, `${SOURCE} has a line matching ${pattern}`);
    text = text.replace(pattern, line);
  }
  return text;
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} exists (cargo leptos build makes it)`);
  dir = mkdtempSync(join(tmpdir(), 'session-day-'));
  const content = join(dir, 'content');
  cpSync(join(ROOT, 'content'), content, { recursive: true });
  for (const pass of PASSES) writeFileSync(join(content, 'webinars', `${pass.slug}.md`), sessionDayWebinar(pass.title));
  outbox = join(dir, 'outbox');
  const env = {
    ...process.env,
    DATABASE_URL: process.env.SESSION_DAY_DATABASE_URL ?? `sqlite:${join(dir, 'session-day.db')}`,
    GRANDROUNDS_KEY_DIR: join(dir, 'keys'),
    GRANDROUNDS_OUTBOX_DIR: outbox,
    GRANDROUNDS_SITE_ROOT: SITE_ROOT,
  };
  delete env.GRANDROUNDS_SMTP_URL;
  delete env.GRANDROUNDS_CLOCK;
  server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--content-dir', content, '--clock', CLOCK], {
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
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const stopped = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await stopped;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newLearner(context, email, name, { hydrated }) {
  const page = await context.newPage();
  const ready = async () => { if (hydrated) await pageReady(page); };
  await registerConfirmed(page, { base, outbox, email, password: PASSWORD, name, ready });
  return { page, ready };
}

// Home page → the webinars list → this webinar, its disclosures and its time read.
async function findWebinar({ page, ready }, { slug, title }) {
  await page.goto(`${base}/`);
  await ready();
  await page.getByRole('link', { name: 'See live webinars' }).click();
  await page.waitForURL(/\/webinars$/);
  await page.getByRole('link', { name: title }).click();
  await page.waitForURL(new RegExp(`/webinars/${slug}$`));
  await ready();
  await page.getByRole('heading', { name: 'Presenters, planners and disclosures' }).waitFor();
  await page.getByText('Dr Ines Moreau').first().waitFor();
  await page.getByText('Tuesday 4 March 2031, 09:00–10:00 CST (UTC−06:00, America/Chicago)').waitFor();
  await page.getByText('Rehearsal clock.').waitFor();
}

// The newest message of `kind` to `email` in the server's outbox, waited for.
async function mailTo(email, kind) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    let names = [];
    try { names = readdirSync(outbox).filter((n) => n.endsWith(`-${kind}.eml`)).sort().reverse(); } catch { /* not yet made */ }
    for (const name of names) {
      const raw = readFileSync(join(outbox, name), 'utf8');
      if (raw.includes(`<${email}>`)) return raw;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no ${kind} message to ${email} in ${outbox}`);
}

async function sessionDay(pass) {
  const hydrated = pass.javaScriptEnabled;
  const stamp = `${Date.now()}-${pass.javaScriptEnabled ? 'on' : 'off'}`;
  const first = { email: `first-${stamp}@clinic.org`, context: await browser.newContext({ javaScriptEnabled: hydrated, acceptDownloads: true }) };
  const second = { email: `second-${stamp}@clinic.org`, context: await browser.newContext({ javaScriptEnabled: hydrated }) };
  const one = await newLearner(first.context, first.email, 'Rosa Vega', { hydrated });
  const two = await newLearner(second.context, second.email, 'Tomas Reyes', { hydrated });
  // Console errors and warnings of both pages, read at the end.
  const consoles = hydrated ? [watchConsole(one.page), watchConsole(two.page)] : [];

  // The first learner takes the one seat; the join link is there at once (14:50 is inside
  // the window that opens at 14:45), and never the service's address itself.
  await findWebinar(one, pass);
  await one.page.click('button:has-text("Register")');
  await one.page.getByText('You are registered. A confirmation is on its way by email.').waitFor();
  const join = one.page.getByRole('link', { name: 'Join session 1 now' });
  assert.equal(await join.getAttribute('href'), `/webinars/${pass.slug}/join`);
  assert.ok(!(await one.page.content()).includes('zoom.example.org'), 'the service address is not in the page');

  // The second learner finds it full and joins the waitlist; no join link for a waiting place.
  await findWebinar(two, pass);
  await two.page.click('button:has-text("Join the waitlist")');
  await two.page.getByText('The webinar is full: you are number 1 on the waitlist.', { exact: false }).waitFor();
  await two.page.getByText('You are number 1 on the waitlist.', { exact: true }).waitFor();
  assert.equal(await two.page.getByRole('link', { name: 'Join session 1 now' }).count(), 0);
  assert.ok(!(await two.page.content()).includes('zoom.example.org'));

  // The .ics: UTC times, the session's UID, published for a calendar app to add.
  const [download] = await Promise.all([
    one.page.waitForEvent('download'),
    one.page.getByRole('link', { name: 'Add to your calendar (.ics file)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.ics$/);
  const calendar = readFileSync(await download.path(), 'utf8');
  assert.match(calendar, /^BEGIN:VCALENDAR\r\n/);
  assert.match(calendar, /\r\nMETHOD:PUBLISH\r\n/);
  assert.match(calendar, /\r\nDTSTART:20310304T150000Z\r\n/);
  assert.match(calendar, /\r\nDTEND:20310304T160000Z\r\n/);
  assert.match(calendar, /\r\nUID:session-\d+\.webinar@/);
  assert.match(calendar, /\r\nSTATUS:CONFIRMED\r\n/);

  // Axe on the webinar page as a seat holder sees it, join link and all, and on /account,
  // in a context of its own signed in as the first learner.
  const checker = await axeContext(browser, pass);
  await checker.addCookies(await first.context.cookies());
  const checked = await checker.newPage();
  const found = [];
  for (const [path, signedIn] of [[`/webinars/${pass.slug}`, 'Join session 1 now'], ['/account', 'Sign out']]) {
    await checked.goto(`${base}${path}`);
    if (hydrated) await pageReady(checked);
    await checked.getByText(signedIn, { exact: true }).first().waitFor();
    for (const violation of await axeViolations(checked)) found.push(`${path}: ${violation}`);
  }
  await checker.close();
  assert.deepEqual(found, [], found.join('\n'));

  // Joining: the site redirects to the service (stubbed here: it is not on this network).
  await first.context.route('https://zoom.example.org/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="en"><title>Stub meeting</title><h1>Stub meeting</h1></html>' }));
  await one.page.goto(`${base}/webinars/${pass.slug}`);
  await one.ready();
  await one.page.getByRole('link', { name: 'Join session 1 now' }).click();
  await one.page.waitForURL('https://zoom.example.org/j/84125530917?pwd=demo');
  await one.page.getByRole('heading', { name: 'Stub meeting' }).waitFor();

  // The first learner cancels; the seat goes to the second, who is told by email.
  await one.page.goto(`${base}/webinars/${pass.slug}`);
  await one.ready();
  await one.page.click('button:has-text("Cancel my registration")');
  await one.page.getByText('Your registration is cancelled. Thank you for freeing the seat.').waitFor();
  await one.page.locator('button:has-text("Join the waitlist")').waitFor();

  await two.page.reload();
  await two.ready();
  await two.page.getByText('You are registered.', { exact: true }).waitFor();
  await two.page.getByRole('link', { name: 'Join session 1 now' }).waitFor();
  const promoted = await mailTo(second.email, 'webinar-promoted');
  assert.match(promoted, new RegExp(`Subject: A seat is yours: ${pass.title}`));
  assert.match(promoted, /Content-Type: text\/calendar; charset=utf-8; method=PUBLISH/i);

  assert.deepEqual(consoles.flat(), []);
  await first.context.close();
  await second.context.close();
}

for (const pass of PASSES) {
  test(`a session day: register, waitlist, calendar, join, cancel, promotion; JavaScript ${pass.javaScriptEnabled ? 'on' : 'off'}`, async () => {
    await sessionDay(pass);
  });
}
