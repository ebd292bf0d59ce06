// Browser end-to-end test of a training worker that dies: on the site's 1k subset an MLP trains
// one epoch; then the worker throws an uncaught error (as a crash would). The lab reports it
// (state().phase 'error', the Training panel's "Restart the trainer"), and nothing the app shows
// is lost: lab.restartTrainer() starts a new worker, loads the dataset again and hands it the
// last weights; the finished run stays in history() and runs() with its test result, and the
// next run is numbered on from it. Screenshots of the panel with the failure and after the
// restart go to $CNNLAB_ARTIFACTS. On a phone-sized window the failure brings the Training area
// forward.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks, trainToEnd } from
    './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

test('a dead training worker is reported with a Restart that loses nothing trained',
     {timeout: 900000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate((subset) => window.cnnlab.configure(
        {subset, model: 'mlp', epochs: 1, batch: 32, lr: 0.001, seed: 7}), SUBSET);
    assert.equal(configured.phase, 'ready', configured.error);
    const first = await trainToEnd(page);
    const historyBefore = await page.evaluate(() => window.cnnlab.history());
    assert.equal(historyBefore.length, 1);

    // The worker dies: an uncaught error in it, as a crash of its wasm would throw.
    const workers = page.workers();
    assert.ok(workers.length >= 1, 'the lab runs a training worker');
    for (const worker of workers) {
      await worker.evaluate(() => setTimeout(() => { throw new Error('simulated crash'); }, 0));
    }
    await page.waitForFunction(() => window.cnnlab.state().phase === 'error', null,
                               {timeout: 30000});
    const failed = await page.evaluate(() => window.cnnlab.state());
    assert.match(failed.error, /simulated crash/);
    // The app still shows what it had: the run's curves and its logged result.
    assert.equal((await page.evaluate(() => window.cnnlab.history())).length, 1);
    assert.equal((await page.evaluate(() => window.cnnlab.runs())).length, 1);
    await page.evaluate(() => window.cnnlab.showPanel('runs'));
    await frames(page, 10);
    await saveScreenshot(page, 'trainer-died-1280x800.png');

    await page.evaluate(() => window.cnnlab.restartTrainer());
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase !== 'error' && s.dataset !== null && s.testAcc !== null;
    }, null, {timeout: 120000});
    const restored = await page.evaluate(() => window.cnnlab.state());
    // The new worker evaluated the weights it was handed: the same test accuracy as before.
    assert.ok(Math.abs(restored.testAcc - first.testAcc) < 1e-9,
              `restored weights test at ${restored.testAcc}, the run ended at ${first.testAcc}`);
    assert.equal(restored.model.name, 'mlp');
    await frames(page, 10);
    await saveScreenshot(page, 'trainer-restarted-1280x800.png');

    // Training goes on in the new worker; runs are numbered on and the first stays listed.
    await page.evaluate(() => window.cnnlab.configure({epochs: 1, seed: 8}));
    await trainToEnd(page);
    const history = await page.evaluate(() => window.cnnlab.history());
    const numbers = history.map((r) => r.run);
    assert.equal(numbers[0], 1);
    assert.equal(history[0].testAcc, historyBefore[0].testAcc);
    assert.ok(numbers.length >= 2 && new Set(numbers).size === numbers.length,
              `run numbers ${numbers} are unique`);
    const runs = await page.evaluate(() => window.cnnlab.runs());
    assert.ok(runs.length >= 2, `the run log lists ${runs.length} runs`);
  } finally {
    await context.close();
  }
});

test('on a phone-sized window a dead worker brings the Training area, with its Restart, forward',
     {timeout: 600000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page} = await newPage(browser, {width: 390, height: 844});
  try {
    await openLab(page, {timeout: 240000});
    await page.evaluate(() => window.cnnlab.showPanel('data'));
    await frames(page, 6);
    const openArea = async () => (await page.evaluate(() => window.cnnlab.state().ui)).openTabs.areas;
    assert.equal(await openArea(), 'Setup');
    for (const worker of page.workers()) {
      await worker.evaluate(() => setTimeout(() => { throw new Error('simulated crash'); }, 0));
    }
    await page.waitForFunction(() => window.cnnlab.state().phase === 'error', null,
                               {timeout: 30000});
    await frames(page, 6);
    assert.equal(await openArea(), 'Training', 'the failure and its Restart are in view');
    await saveScreenshot(page, 'trainer-died-390x844.png');
    // The student may look elsewhere afterwards: the area is not forced back to Training.
    await page.evaluate(() => window.cnnlab.showPanel('data'));
    await frames(page, 6);
    assert.equal(await openArea(), 'Setup');
  } finally {
    await context.close();
  }
});
