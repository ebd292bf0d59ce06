// Browser test of the Guide tab's lessons (lab/lesson.h, app/guide_actions.h) through
// window.cnnlab on the site's 1k subset: the built-in assignment opens from a link; a step's
// check turns true only once its real run has finished and been tested, not when "Set it up for
// me" was pressed; the parameter-matched MLP is sized to the CNN's count; answers quote the
// student's own numbers; a teacher's lesson from a URL runs a small experiment to its check; bad
// lesson files are refused naming the line and field, and the lesson open before stays.
// The kernel lesson's "Look inside" shows a CNN's feature maps even when the lab holds an MLP,
// its next step opens the pixel explainer, and every step opens scrolled to its top.
// Screenshots of the steps at 1280x800 and 390x844 go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, percent, saveScreenshot, sitePacks,
         siteUrl } from './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

const guide = (page) => page.evaluate(() => window.cnnlab.state().guide);

// Waits until step n of the open lesson is complete (the history reaching the app may follow the
// run's end by a report or two).
function waitForStepDone(page, n) {
  return page.waitForFunction((n) => {
    const g = window.cnnlab.state().guide;
    return g && g.completed.includes(n);
  }, n, {timeout: 60000, polling: 250});
}

// Waits until a run later than `testedRun` has finished and been tested. `state().run` numbers
// the current (or next) run; it goes up when a new run starts. The number, not the phase alone:
// just after "Set it up for me" the state is still the previous run's 'done' with its test
// accuracy until the worker's first report of the new run arrives.
function waitForTested(page, testedRun) {
  return page.waitForFunction((testedRun) => {
    const s = window.cnnlab.state();
    return s.phase === 'error' || (s.run > testedRun && s.phase === 'done' && s.testAcc !== null);
  }, testedRun, {timeout: 300000, polling: 250});
}

// The number of the run whose test result the state shows now (0: none).
const testedRun = (page) => page.evaluate(() => {
  const s = window.cnnlab.state();
  return s.phase === 'done' && s.testAcc !== null ? s.run : 0;
});

const TEACHER_LESSON = `---
lesson: 1
id: two-kernels
title: Two kernels, two seeds
---

## Compare 3x3 with 5x5
setup: experiment vary=kernel values=3,5 repeats=2 epochs=1
done: experiment vary=kernel values=3,5 repeats=2

A short experiment: {experiment.3.accuracy} for 3x3 against {experiment.5.accuracy} for 5x5.

? Which was better?
= {experiment.verdict}
`;

test('the assignment from a link: checks follow the real runs, answers quote them', {timeout: 900000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' subset`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    const url = new URL(siteUrl);
    url.searchParams.set('lesson', 'assignment');
    url.searchParams.set('subset', SUBSET);
    await openLab(page, {url: url.href});
    await page.waitForFunction(() => window.cnnlab.state().guide !== null, null, {timeout: 30000});
    let g = await guide(page);
    assert.equal(g.lesson, 'assignment');
    assert.equal(g.steps, 6);
    assert.equal(g.step, 1);
    assert.deepEqual(g.completed, [1], 'the dataset is loaded: step 1 only');
    assert.match(g.text, /900 images to train on, 100 held back/, 'the data step quotes the subset');
    await frames(page, 5);
    assert.equal((await page.evaluate(() => window.cnnlab.state().ui.openTabs)).setup, 'Guide');
    await saveScreenshot(page, 'guide-step1-1280x800.png');
    // The text view beside the canvas reads the same step, for screen readers.
    await page.waitForFunction(() => {
      const box = document.querySelector('.cnnlab-lesson');
      return box && box.textContent.includes('Look at the data');
    }, null, {timeout: 10000});
    const lessonText = await page.evaluate(() => document.querySelector('.cnnlab-lesson').textContent);
    assert.match(lessonText, /step 1 of 6, 1 done/);
    assert.match(lessonText, /900 images to train on/);

    // Step 2: the MLP. Set it up: the run starts, but the step is not done until it is tested.
    g = await page.evaluate(() => window.cnnlab.goToStep(2));
    assert.equal(g.step, 2);
    assert.match(g.setUp, /Sets the model to mlp and 5 epochs/);
    assert.match(g.questions[0].answer, /not measured yet/);
    await page.evaluate(() => window.cnnlab.configure({batch: 64}));
    let run = await testedRun(page);
    g = await page.evaluate(() => window.cnnlab.setUpStep());
    let s = await page.evaluate(() => window.cnnlab.state());
    assert.equal(s.options.model, 'mlp');
    assert.equal(s.options.epochs, 5);
    assert.ok(!g.completed.includes(2), 'not done when the button is pressed');
    await waitForTested(page, run);
    s = await page.evaluate(() => window.cnnlab.state());
    assert.equal(s.phase, 'done', s.error);
    await waitForStepDone(page, 2);
    g = await guide(page);
    const mlpPercent = percent(s.testAcc);
    assert.ok(g.questions[0].answer.includes(mlpPercent), `${g.questions[0].answer} quotes ${mlpPercent}`);
    assert.ok(g.questions[0].answer.includes('1,707,274'), 'and the MLP\'s parameter count');

    // Step 4 before step 3: there is no CNN to match yet.
    await page.evaluate(() => window.cnnlab.goToStep(4));
    const early = await page.evaluate(() => {
      try { window.cnnlab.setUpStep(); return null; } catch (e) { return e.message; }
    });
    assert.match(early, /train and test a CNN first/);
    assert.equal((await guide(page)).messageError, true);

    // Step 3: the CNN.
    await page.evaluate(() => window.cnnlab.goToStep(3));
    run = await testedRun(page);
    await page.evaluate(() => window.cnnlab.setUpStep());
    await waitForTested(page, run);
    s = await page.evaluate(() => window.cnnlab.state());
    assert.equal(s.model.name, 'cnn');
    const cnnParams = s.model.params;
    await waitForStepDone(page, 3);
    await saveScreenshot(page, 'guide-step3-1280x800.png');

    // Step 4: an MLP with the CNN's parameter count, within 2 %.
    await page.evaluate(() => window.cnnlab.goToStep(4));
    run = await testedRun(page);
    await page.evaluate(() => window.cnnlab.setUpStep());
    s = await page.evaluate(() => window.cnnlab.state());
    assert.equal(s.options.model, 'mlp');
    assert.ok(Math.abs(s.model.params - cnnParams) <= 0.02 * cnnParams,
              `matched MLP ${s.model.params} vs CNN ${cnnParams}`);
    assert.ok(!(await guide(page)).completed.includes(4));
    await waitForTested(page, run);
    await waitForStepDone(page, 4);
    g = await guide(page);
    assert.match(g.text, /its kernels have 896 weights and biases/, 'weight sharing on the real layer');
    assert.match(g.questions[0].answer, new RegExp(`hidden width ${s.options.dense}\\b`));
    await frames(page, 5);
    await saveScreenshot(page, 'guide-step4-1280x800.png');

    // Step 5 straight after the matched MLP: its button puts the CNN back (at its own widths, not
    // the matched MLP's) and starts the kernel sweep; stopped here, it is not done.
    g = await page.evaluate(() => window.cnnlab.goToStep(5));
    assert.match(g.setUp, /Sets the model to cnn and starts an experiment varying kernel over 3, 5, 7, 3 seeds each, 5 epochs per run/);
    g = await page.evaluate(() => window.cnnlab.setUpStep());
    assert.equal(g.messageError, false, g.message);
    await page.waitForFunction(() => window.cnnlab.state().experiment !== null, null, {timeout: 30000});
    const sweep = await page.evaluate(() => window.cnnlab.state().experiment.config);
    assert.equal(sweep.model, 'cnn');
    assert.equal(sweep.base.dense, 0, 'the preset width, not the matched MLP\'s');
    assert.deepEqual(sweep.values, ['3', '5', '7']);
    await page.evaluate(() => window.cnnlab.stopExperiment());
    assert.ok(!(await guide(page)).completed.includes(5));

    // The last step is a reading step: done when the student says so; receptive fields quoted.
    g = await page.evaluate(() => window.cnnlab.goToStep(6));
    assert.ok(!g.completed.includes(6));
    assert.match(g.text, /3x3 px after conv 1, 8x8 px after conv 2/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a teacher\'s lesson from a URL runs its experiment to the check; bad lessons are refused by line', {timeout: 900000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' subset`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 390, height: 844});
  try {
    const lessons = {
      'two-kernels.md': TEACHER_LESSON,
      'bad-action.md': TEACHER_LESSON.replace('setup: experiment', 'setup: launch'),
      'bad-placeholder.md': TEACHER_LESSON.replace('{experiment.verdict}', '{experiment.winner}'),
      'newer.md': TEACHER_LESSON.replace('lesson: 1', 'lesson: 7'),
    };
    await context.route('**/lessons-test/*.md', (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop();
      if (name in lessons) route.fulfill({status: 200, contentType: 'text/markdown', body: lessons[name]});
      else route.fulfill({status: 404, body: 'no such lesson'});
    });
    await openLab(page);
    let g = await page.evaluate(() => window.cnnlab.openLesson('lessons-test/two-kernels.md'));
    assert.equal(g.lesson, 'two-kernels');
    assert.equal(g.source, 'two-kernels.md');
    assert.deepEqual(g.completed, []);
    assert.match(g.text, /not measured yet/);
    await frames(page, 5);
    await saveScreenshot(page, 'guide-teacher-390x844.png');

    // Refusals name the file, line and field; the open lesson stays.
    const refusal = (what) => page.evaluate((what) => window.cnnlab.openLesson(what).then(
        () => null, (e) => e.message), what);
    assert.match(await refusal('lessons-test/bad-action.md'), /lesson bad-action\.md: line 8: setup: unknown action 'launch'/);
    assert.match(await refusal('lessons-test/bad-placeholder.md'), /line 14: answer: unknown placeholder \{experiment\.winner\}/);
    assert.match(await refusal('lessons-test/newer.md'), /line 2: lesson: format version '7'/);
    assert.match(await refusal('lessons-test/missing.md'), /lesson .*missing\.md: the server answered 404/);
    assert.match(await refusal('no-such-lesson'), /'no-such-lesson' is not a built-in lesson \(assignment, kernel-sees\)/);
    g = await guide(page);
    assert.equal(g.lesson, 'two-kernels', 'the open lesson stays');
    assert.equal(g.messageError, true);
    await frames(page, 5);
    await saveScreenshot(page, 'guide-refused-390x844.png');

    // The experiment: done only once both kernels' two seeds are tested.
    await page.evaluate(() => window.cnnlab.configure({batch: 64}));
    await page.evaluate(() => window.cnnlab.setUpStep());
    assert.deepEqual((await guide(page)).completed, []);
    await page.waitForFunction(() => {
      const x = window.cnnlab.state().experiment;
      return x && x.done;
    }, null, {timeout: 600000, polling: 500});
    await waitForStepDone(page, 1);
    g = await guide(page);
    const results = await page.evaluate(() => window.cnnlab.results());
    const row3 = results.summary.find((r) => r.configuration === 'kernel=3');
    assert.ok(g.text.includes(`${percent(row3.test_accuracy_mean)} for 3x3`), g.text);
    assert.equal(g.questions[0].answer, results.interpretation);
    await page.evaluate(() => window.cnnlab.showPanel('guide'));
    await frames(page, 5);
    await saveScreenshot(page, 'guide-teacher-done-390x844.png');
    // The one console error is the browser's own line for the missing lesson's 404, asked for above.
    assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('the kernel lesson shows a CNN\'s feature maps and the pixel explainer, each step from its top',
     {timeout: 600000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' subset`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 600});
  try {
    await openLab(page, {timeout: 240000});
    // The lab holds an MLP (the other lesson's run), last left on Inside's "Where it looks".
    await page.evaluate(() => window.cnnlab.configure({subset: '1k', model: 'mlp', epochs: 1, batch: 64}));
    const before = await testedRun(page);
    await page.evaluate(() => window.cnnlab.train());
    await waitForTested(page, before);
    await page.evaluate(() => window.cnnlab.showPanel('where'));
    await frames(page, 5);
    assert.equal((await page.evaluate(() => window.cnnlab.state().ui.openTabs)).inside, 'Where it looks');

    await page.evaluate(() => window.cnnlab.openLesson('kernel-sees'));
    let g = await page.evaluate(() => window.cnnlab.goToStep(2));
    assert.equal(g.stepTitle, 'Look inside');
    g = await page.evaluate(() => window.cnnlab.setUpStep());
    assert.equal(g.messageError, false, g.message);
    assert.match(g.message, /No CNN has been trained yet: training a CNN with 3x3 kernels/);
    assert.equal((await page.evaluate(() => window.cnnlab.state().options)).model, 'cnn');
    await page.waitForFunction(() => window.cnnlab.state().ui.openTabs.inside === 'Feature maps',
                               null, {timeout: 30000});
    await frames(page, 5);
    await saveScreenshot(page, 'guide-kernel-step2-1280x600.png');

    // Step 3 opens the pixel explainer.
    await page.evaluate(() => window.cnnlab.showPanel('guide'));
    await page.evaluate(() => window.cnnlab.goToStep(3));
    g = await page.evaluate(() => window.cnnlab.setUpStep());
    assert.equal(g.messageError, false, g.message);
    await page.waitForFunction(() => window.cnnlab.state().ui.openTabs.inside === 'Explain one pixel',
                               null, {timeout: 30000});

    // A step scrolled down: the next one opens at its top (its title and the step buttons).
    await page.evaluate(() => window.cnnlab.showPanel('guide'));
    await page.evaluate(() => window.cnnlab.goToStep(1));
    await page.setViewportSize({width: 1280, height: 420});  // short: the step scrolls
    await frames(page, 10);
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    const tab = ui.tabs.find((x) => x.bar === 'setup' && x.name === 'Guide');
    await page.mouse.move((tab.x + 20) / ui.scale, (tab.y + tab.h + 120) / ui.scale);
    for (let i = 0; i < 5; ++i) await page.mouse.wheel(0, 200);
    await frames(page, 5);
    const scrolled = (await page.evaluate(() => window.cnnlab.state().ui.scroll)).guide;
    assert.ok(scrolled && scrolled.maxY > 0 && scrolled.y > 0, `the step scrolls: ${JSON.stringify(scrolled)}`);
    await page.evaluate(() => window.cnnlab.goToStep(2));
    await frames(page, 5);
    assert.equal((await page.evaluate(() => window.cnnlab.state().ui.scroll)).guide.y, 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
