// Taking quizzes with the keyboard only, with JavaScript off and on; then the evaluation
// and the credit claim. The right answers come from the quiz file itself (the page never
// carries them), so the test follows the content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE_URL, launch, pageReady, registerConfirmed, watchConsole } from './browser.mjs';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const COURSE = 'telehealth-for-clinical-teams';
const PASSWORD = 'river lantern quietly';
const CONTENT = new URL(`../../content/courses/${COURSE}/`, import.meta.url);

const bare = (prompt) => prompt.replace('(select all that apply)', '').trim();

/** Question prompt → the texts of its correct options, read from a quiz file. */
function answerKey(file) {
  const key = new Map();
  let prompt = null;
  for (const line of readFileSync(new URL(file, CONTENT), 'utf8').split('\n')) {
    const heading = line.match(/^## (.+)$/);
    if (heading) { prompt = bare(heading[1]); key.set(prompt, []); continue; }
    const option = line.match(/^- \[x\] (.+)$/i);
    if (option && prompt) key.get(prompt).push(option[1].trim());
  }
  return key;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signUpAndEnroll(page, email, hydrated) {
  const ready = async () => { if (hydrated) await pageReady(page); };
  await registerConfirmed(page, { base: BASE_URL, outbox: process.env.OUTBOX_DIR, email, password: PASSWORD, name: 'Noor Haddad', ready });
  await page.goto(`${BASE_URL}/courses/${COURSE}`);
  await page.click('button:has-text("Enroll in this course")');
  await page.getByText('0 of 5 lessons complete').waitFor();
}

/** What has the keyboard focus: its kind, its option text and whether it is checked. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const legend = el?.closest('fieldset')?.querySelector('legend');
    const prompt = legend?.childNodes ? [...legend.childNodes]
      .filter((n) => !(n.nodeType === 1 && n.classList.contains('question-number')))
      .map((n) => n.textContent).join('') : '';
    return {
      tag: el?.tagName.toLowerCase(),
      type: el?.type,
      name: el?.name,
      text: el?.closest('label')?.textContent.trim() ?? el?.textContent.trim(),
      checked: el?.checked ?? false,
      prompt,
    };
  }).then((here) => ({ ...here, prompt: bare(here.prompt) }));
}

/**
 * Answers the quiz on the page with Tab, Space and the arrow keys only, choosing the right
 * options (or, with `wrong`, a wrong one for the first question), then presses Enter on
 * the submit button.
 */
async function answerWithKeyboard(page, key, { wrong = false } = {}) {
  await page.locator('form.quiz input[type="hidden"][name="token"]').waitFor({ state: 'attached' });
  await page.evaluate(() => document.activeElement?.blur());
  await page.locator('h1').focus();
  const seen = new Set();
  let firstName = null;
  for (let steps = 0; steps < 200; steps++) {
    await page.keyboard.press('Tab');
    let here = await focused(page);
    if (here.tag === 'button') {
      assert.equal(here.text, 'Submit answers');
      break;
    }
    if (here.tag !== 'input') continue;
    const right = key.get(here.prompt);
    assert.ok(right, `the quiz file has the question "${here.prompt}"`);
    firstName ??= here.name;
    const first = here.name === firstName;
    seen.add(here.name);
    // Wrong on purpose: a single wrong option (radio) or every wrong one (checkboxes).
    const want = (text) => (wrong && first ? !right.includes(text) : right.includes(text));
    if (here.type === 'radio') {
      // Arrow keys move within the group and check as they go; Space checks the first.
      for (let i = 0; i < 10 && !want(here.text); i++) {
        await page.keyboard.press('ArrowDown');
        here = await focused(page);
      }
      if (!here.checked) await page.keyboard.press('Space');
      assert.ok((await focused(page)).checked);
    } else if (want(here.text) !== here.checked) {
      await page.keyboard.press('Space');
    }
  }
  assert.equal(seen.size, key.size, 'every question was reached with Tab');
  await page.keyboard.press('Enter');
}

async function takeTheCourse(page, { hydrated }) {
  const post = answerKey('post-test.quiz.md');
  const pre = answerKey('pre-test.quiz.md');

  // The pre-test, from the learner's course panel.
  await page.getByRole('link', { name: 'Take the pre-test' }).click();
  await page.waitForURL(/\/quiz\/pre-test$/);
  if (hydrated) await pageReady(page);
  await answerWithKeyboard(page, pre);
  await page.waitForURL(/\/quiz\/pre-test\/1$/);
  await page.getByText('This is your baseline').waitFor();

  // The lessons.
  for (let i = 0; i < 5; i++) {
    await page.goto(`${BASE_URL}/learning`);
    await page.getByRole('link', { name: /^Continue:/ }).click();
    await page.click('button:has-text("Mark this lesson complete")');
    await page.getByText('You completed this lesson.').waitFor();
  }

  // The post-test, with the first question answered wrongly: 9 of 10 is 90 %, above the
  // 75 % pass mark. The results name the wrong answer and explain every question.
  await page.goto(`${BASE_URL}/learning/${COURSE}/quiz/post-test`);
  if (hydrated) await pageReady(page);
  assert.equal(await page.locator('.explanation').count(), 0, 'no explanations before submitting');
  await answerWithKeyboard(page, post, { wrong: true });
  await page.waitForURL(/\/quiz\/post-test\/1$/);
  await page.getByText('(your answer, incorrect)').first().waitFor();
  await page.locator('.explanation').first().waitFor();
  await page.getByRole('heading', { level: 1, name: /attempt 1: 90 %/ }).waitFor();

  // Passed: the quiz page now lists the one attempt and offers no form.
  await page.goto(`${BASE_URL}/learning/${COURSE}/quiz/post-test`);
  await page.getByText('You passed the post-test').waitFor();
  await page.getByRole('link', { name: 'Attempt 1' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Attempt 2' }).count(), 0);

  // Evaluation and claim.
  await page.goto(`${BASE_URL}/learning/${COURSE}/credit`);
  for (const index of [0, 1, 2]) await page.check(`input[name="rating-${index}"][value="4"]`);
  await page.fill('#field-practice_change', 'Offer video visits to patients who travel far.');
  await page.click('button:has-text("Submit the evaluation")');
  await page.getByText('your evaluation is recorded').waitFor();
  await page.selectOption('#field-hours-nursing-contact-hours', '0.75');
  await page.click('button:has-text("Claim credit")');
  // A browser test studies for seconds: the claim asks to attest the 0.75 hours.
  await page.getByText(/recorded \d+ minutes of study for this course, less than the 0.75 hours/).waitFor();
  await page.check('#field-attest');
  await page.click('button:has-text("Claim credit")');
  await page.getByText('Your claim of 0.75 Nursing contact hours is recorded').waitFor();

  // The certificate: its page, the PDF download, and the page its QR code points to.
  await page.getByRole('link', { name: 'View your certificate' }).click();
  await page.waitForURL(/\/certificates\/[A-Z0-9-]+$/);
  await page.getByText('Valid.').waitFor();
  await page.getByText('0.75 Nursing contact hours').first().waitFor();
  const code = await page.locator('.certificate .code').textContent();
  // Printing the page gives one clean page (the print stylesheet hides everything else).
  await page.emulateMedia({ media: 'print' });
  const printed = (await page.pdf({ format: 'A4', printBackground: false })).toString('latin1');
  assert.equal((printed.match(/\/Type\s*\/Page[^s]/g) ?? []).length, 1, 'the certificate prints on one page');
  await page.emulateMedia({ media: 'screen' });
  if (hydrated) await pageReady(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the PDF' }).click(),
  ]);
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.match(download.suggestedFilename(), new RegExp(`${code}\\.pdf$`));
  const shot = PNG.sync.read(await page.locator('.certificate .qr svg').screenshot());
  const qr = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
  assert.ok(qr, 'the QR code on the page decodes');
  assert.equal(qr.data, `${BASE_URL}/verify/${code}`);
  await page.goto(qr.data);
  await page.getByText('Valid.').waitFor();
  await page.getByText('Noor Haddad').waitFor();

  await page.goto(`${BASE_URL}/courses/${COURSE}`);
  await page.getByText(/post-test 90 % \(passed\)/).waitFor();
}

test('pre-test, post-test by keyboard, evaluation, claim, certificate PDF and QR with JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUpAndEnroll(page, `quiz-off-${Date.now()}@clinic.org`, false);
  await takeTheCourse(page, { hydrated: false });
  await context.close();
});

test('the same with JavaScript on, without console errors', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signUpAndEnroll(page, `quiz-on-${Date.now()}@clinic.org`, true);
  await takeTheCourse(page, { hydrated: true });
  assert.deepEqual(problems, []);
  await context.close();
});
