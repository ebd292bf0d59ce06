// Browser test of the threaded trainer: a page served with the cross-origin isolation
// headers (web/serve.py --isolate, a server of this test's own) runs the site's threaded trainer
// with 2 threads and trains a small cnn one epoch on the 1k subset to the end, validation accuracy
// above chance, without console errors; the same page from run.sh's ordinary server runs the
// single-threaded trainer. The same seed gives the same first-step loss in both, and — the
// engine splits every reduction the same way whatever the thread count (GEMMs by output rows or
// columns, never along K) — the same validation and test results. Screenshots of the Training
// panel on the isolated page go to $CNNLAB_ARTIFACTS (threads-isolated-*.png). With CNNLAB_BENCH=1
// (bench/browser_threads.sh) both runs are longer (4 epochs at batch 64) and the two pages'
// images/s go to threads-measurements.json; speed is never asserted here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, panelScreenshots, sitePacks, siteUrl,
         startServer, waitForAsync, writeArtifact } from './lib/harness.mjs';

const SUBSET = '1k';
// As training.test.mjs: batch 16 gives 57 updates in one epoch of 900 images, enough to beat
// chance. A fixed seed, so that both pages train the same run.
const BENCH = process.env.CNNLAB_BENCH === '1';
const RUN = {subset: SUBSET, model: 'cnn', kernel: 3, epochs: BENCH ? 4 : 1, batch: BENCH ? 64 : 16,
             lr: 0.001, optimizer: 'adam', seed: 5, augment: false};

let browser;
let manifest = {packs: []};
let threaded = null;  // trainer.json's threaded trainer of the site (null: the site has none)
let isolated = null;  // {server, url}: this test's own server with the isolation headers
before(async () => {
  manifest = await sitePacks();
  const response = await fetch(new URL('trainer.json', siteUrl));
  threaded = response.ok ? (await response.json()).threaded : null;
  browser = await launchBrowser();
  isolated = await startServer({isolate: true});
});
after(async () => {
  if (browser) await browser.close();
  if (isolated) isolated.server.kill();
});

function hasSubset() { return manifest.packs.some((p) => p.id === SUBSET); }

// Opens the lab at url and waits for the trainer's first report (trainerThreads is null before).
async function openAndWaitForTrainer(page, url) {
  await openLab(page, {url, timeout: 120000});
  await page.waitForFunction(() => window.cnnlab.state().trainerThreads !== null, null,
                             {timeout: 60000});
  return page.evaluate(() => ({isolated: self.crossOriginIsolated === true,
                               state: window.cnnlab.state()}));
}

// One step, then the rest of the epoch: the first step's loss and the finished run's state.
async function trainRun(page) {
  await page.evaluate((run) => window.cnnlab.configure(run), RUN);
  await page.evaluate(() => window.cnnlab.step());
  await page.waitForFunction(() => window.cnnlab.state().step === 1 &&
                                   window.cnnlab.state().phase === 'paused', null,
                             {timeout: 120000});
  const firstLoss = await page.evaluate(() => window.cnnlab.state().trainLoss);
  await page.evaluate(() => window.cnnlab.train());
  // Done, and its test results reported (they follow the end of the run).
  await page.waitForFunction(() => {
    const s = window.cnnlab.state();
    return (s.phase === 'done' && s.testAcc !== null) || s.phase === 'error';
  }, null, {timeout: 300000, polling: 250});
  return {firstLoss, state: await page.evaluate(() => window.cnnlab.state())};
}

const results = {};

test('on a cross-origin isolated page the threaded trainer trains with 2 threads',
     {timeout: 600000}, async (t) => {
  if (!hasSubset()) return t.skip(`the site has no '${SUBSET}' pack`);
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    const opened = await openAndWaitForTrainer(page, isolated.url);
    assert.equal(opened.isolated, true, 'serve.py --isolate makes the page cross-origin isolated');
    assert.equal(opened.state.trainer, 'in a Web Worker');
    if (!threaded) {
      // A site built with -DCNNLAB_SITE_THREADED_TRAINER=OFF: the single-threaded trainer.
      assert.equal(opened.state.trainerThreads, 1);
      return t.skip('the site has no threaded trainer (trainer.json)');
    }
    assert.equal(opened.state.trainerThreads, 2);
    // The page downloaded the threaded trainer's wasm, not the single-threaded one as well.
    const wasm = await page.evaluate(() => performance.getEntriesByType('resource')
        .map((r) => new URL(r.name).pathname).filter((p) => p.endsWith('.wasm')));
    assert.ok(wasm.includes('/cnnlab_trainer_threads.wasm'), wasm.join(', '));
    assert.ok(!wasm.includes('/cnnlab_trainer.wasm'), wasm.join(', '));

    const run = await trainRun(page);
    results.isolated = run;
    const s = run.state;
    assert.equal(s.phase, 'done', `training ended: ${s.error}`);
    assert.equal(s.trainerThreads, 2);
    assert.equal(s.epoch, RUN.epochs);
    assert.equal(s.step, RUN.epochs * s.stepsPerEpoch);
    // It learned: one epoch on 900 images is little, so on 100 validation images the accuracy
    // is noisy (0.15-0.23 over seeds and pixel codecs); the loss is the steadier sign, below a
    // uniform guess's ln 10.
    assert.ok(s.valAcc > 0.1, `validation accuracy beats chance: ${s.valAcc}`);
    assert.ok(s.valLoss < Math.log(10), `validation loss below a uniform guess's: ${s.valLoss}`);
    assert.ok(s.testAcc > 0.1 && s.testAcc <= 1, `test accuracy: ${s.testAcc}`);
    await frames(page, 10);
    await panelScreenshots(page, 'threads-isolated');
    writeArtifact('state-threads-isolated.json', JSON.stringify(s, null, 2));
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});

test('on an ordinary page the single-threaded trainer runs, and the same seed trains the same run',
     {timeout: 600000}, async (t) => {
  if (!hasSubset()) return t.skip(`the site has no '${SUBSET}' pack`);
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    const opened = await openAndWaitForTrainer(page, siteUrl);
    assert.equal(opened.isolated, false);
    assert.equal(opened.state.trainerThreads, 1);
    const run = await trainRun(page);
    const s = run.state;
    assert.equal(s.phase, 'done', `training ended: ${s.error}`);
    assert.equal(s.trainerThreads, 1);
    // It learned: one epoch on 900 images is little, so on 100 validation images the accuracy
    // is noisy (0.15-0.23 over seeds and pixel codecs); the loss is the steadier sign, below a
    // uniform guess's ln 10.
    assert.ok(s.valAcc > 0.1, `validation accuracy beats chance: ${s.valAcc}`);
    assert.ok(s.valLoss < Math.log(10), `validation loss below a uniform guess's: ${s.valLoss}`);
    await frames(page, 5);
    await panelScreenshots(page, 'threads-ordinary');
    assert.deepEqual(errors, [], 'no console errors');
    if (!results.isolated) return t.skip('no isolated run to compare with');
    const measured = {run: RUN, ordinaryImagesPerSecond: s.imagesPerSecond,
                      isolatedImagesPerSecond: results.isolated.state.imagesPerSecond,
                      ratio: results.isolated.state.imagesPerSecond / s.imagesPerSecond};
    writeArtifact('threads-measurements.json', JSON.stringify(measured, null, 2));
    console.log(`# threads: ${JSON.stringify(measured)}`);
    // 1 and 2 threads: bit-identical arithmetic, so the same losses and accuracies.
    const other = results.isolated;
    assert.equal(run.firstLoss, other.firstLoss, 'first-step loss, 1 against 2 threads');
    assert.equal(s.trainLoss, other.state.trainLoss, 'epoch train loss, 1 against 2 threads');
    assert.equal(s.valAcc, other.state.valAcc, 'validation accuracy, 1 against 2 threads');
    assert.equal(s.testAcc, other.state.testAcc, 'test accuracy, 1 against 2 threads');
    assert.equal(s.testLoss, other.state.testLoss, 'test loss, 1 against 2 threads');
  } finally {
    await context.close();
  }
});

test('offline, an isolated page stays isolated: the service worker\'s copies keep the headers',
     {timeout: 300000}, async (t) => {
  if (!hasSubset()) return t.skip(`the site has no '${SUBSET}' pack`);
  if (!threaded) return t.skip('the site has no threaded trainer (trainer.json)');
  // A server of this test's own: it is stopped below.
  const {server, url} = await startServer({isolate: true});
  const {context, page, errors} = await newPage(browser, {width: 1000, height: 700});
  try {
    await openAndWaitForTrainer(page, url);
    // The service worker has the threaded trainer's files; the dataset cache has the pack.
    await waitForAsync(page, async () => {
      if (!navigator.serviceWorker || !(await navigator.serviceWorker.getRegistration())) return false;
      await navigator.serviceWorker.ready;
      const keys = (await (await caches.open('cnnlab-site-v1')).keys())
          .map((r) => new URL(r.url).pathname);
      return ['/trainer.json', '/cnnlab_trainer_threads.js', '/cnnlab_trainer_threads.wasm',
              '/cnnlab_trainer_threads.worker.js', '/page/trainer-worker.js']
          .every((p) => keys.includes(p)) &&
          (await (await caches.open('cnnlab-datasets-v1')).keys()).length === 1;
    }, null, {timeout: 60000});

    server.kill();
    await new Promise((resolve) => server.once('exit', resolve));
    await context.setOffline(true);
    // The same page again, now from the service worker's cache.
    const opened = await openAndWaitForTrainer(page, url);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    assert.equal(opened.isolated, true, 'the cached page is still cross-origin isolated');
    assert.equal(opened.state.trainerThreads, 2);
    await page.evaluate((run) => window.cnnlab.configure(run), RUN);
    await page.evaluate(() => window.cnnlab.step());
    await page.waitForFunction(() => window.cnnlab.state().step === 1, null, {timeout: 60000});
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.ok(Number.isFinite(state.trainLoss), JSON.stringify(state.trainLoss));
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
    server.kill();
  }
});
