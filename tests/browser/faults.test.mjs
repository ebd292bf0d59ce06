// Browser end-to-end tests of what goes wrong around a lab left open in a class: a dataset
// download cut half-way (the connection dropped after half the announced bytes, or a body that
// simply ends early), the browser's storage refusing to keep the dataset (QuotaExceededError),
// the tab hidden and frozen mid-training and shown again, and the training worker killed
// mid-epoch. Each is reported naming the file or the worker, and nothing trained is lost.
// Screenshots go to $CNNLAB_ARTIFACTS (faults-*.png).
//
// The cut downloads come from a small server of this test's own (the site's files, with the
// first request for a pack cut); the others run on the site run.sh serves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, siteDir, sitePacks } from
    './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

function subsetFile() {
  const pack = manifest.packs.find((p) => p.id === SUBSET);
  return pack ? pack.file : null;
}

// ---- A server that cuts the first download of a pack ---------------------------------------------

const TYPES = {'.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
               '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
               '.ttf': 'font/ttf'};

// Serves siteDir on 127.0.0.1; the first `cuts` requests for a .pack file get half of it: with
// mode 'drop' the response announces the whole size and the connection is dropped after half;
// with mode 'short' it announces no size and ends after half (as a broken proxy would).
// {url, packRequests(), close()}.
function startCuttingServer({mode, cuts = 1}) {
  let packRequests = 0;
  const server = http.createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url, 'http://x/').pathname);
    const file = path.join(siteDir, urlPath.endsWith('/') ? urlPath + 'index.html' : urlPath);
    if (!file.startsWith(siteDir)) {
      response.writeHead(403).end();
      return;
    }
    let bytes;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      response.writeHead(404).end();
      return;
    }
    const type = TYPES[path.extname(file)] || 'application/octet-stream';
    if (!file.endsWith('.pack') || packRequests++ >= cuts) {
      response.writeHead(200, {'Content-Type': type, 'Content-Length': bytes.length,
                               'Cache-Control': 'no-store'});
      response.end(bytes);
      return;
    }
    const half = bytes.subarray(0, Math.floor(bytes.length / 2));
    if (mode === 'drop') {
      response.writeHead(200, {'Content-Type': type, 'Content-Length': bytes.length,
                               'Cache-Control': 'no-store'});
      response.write(half, () => setTimeout(() => response.socket.destroy(), 50));
    } else {
      response.writeHead(200, {'Content-Type': type, 'Cache-Control': 'no-store'});  // chunked
      response.end(half);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}/`,
      packRequests: () => packRequests,
      close: () => new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
    }));
  });
}

// Opens the lab at url and waits until its first dataset has failed (phase 'error').
async function openLabExpectingDatasetFailure(page, url) {
  await page.goto(url, {waitUntil: 'load'});
  await page.waitForFunction(() => window.cnnlab && window.cnnlab.state().phase === 'error',
                             null, {timeout: 240000});
  return page.evaluate(() => window.cnnlab.state());
}

for (const [mode, pattern] of [
  ['drop', /Download of \S*subset-1k\.pack (was interrupted|is incomplete)/],
  ['short', /subset-1k\.pack is not a usable dataset: \S/],
]) {
  test(`a dataset download cut half-way (${mode === 'drop' ? 'connection dropped' : 'body ends early'}) ` +
       'is reported naming the file, and Retry downloads it whole', {timeout: 400000}, async (t) => {
    if (!subsetFile()) {
      t.skip(`the site has no '${SUBSET}' pack`);
      return;
    }
    const server = await startCuttingServer({mode});
    const {context, page} = await newPage(browser, {width: 1280, height: 800});
    try {
      const failed = await openLabExpectingDatasetFailure(page, server.url);
      assert.match(failed.error, pattern);
      assert.equal(failed.dataset, null, 'no half dataset was loaded');
      assert.ok(await page.locator('.cnnlab-error').isVisible(), 'the error box is shown');
      assert.match(await page.locator('.cnnlab-error-box h2').textContent(), /dataset/);
      assert.match(await page.locator('.cnnlab-error-message').textContent(), /subset-1k\.pack/);
      await saveScreenshot(page, `faults-cut-${mode}-1280x800.png`);

      // Retry: the pack is asked for again (nothing broken was kept in the dataset cache) and
      // arrives whole this time; the lab runs with it.
      await page.locator('.cnnlab-retry').click();
      await page.waitForFunction(() => {
        const s = window.cnnlab.state();
        return s.phase === 'error' || (s.loading === null && s.dataset !== null);
      }, null, {timeout: 240000});
      const back = await page.evaluate(() => window.cnnlab.state());
      assert.notEqual(back.phase, 'error', back.error);
      assert.equal(server.packRequests(), 2, 'Retry downloaded the pack again');
      assert.equal(back.dataset.train + back.dataset.val, 1000);
      await page.evaluate(() => window.cnnlab.ready.then(() => true));
      await page.evaluate(() => window.cnnlab.step());
      await page.waitForFunction(() => window.cnnlab.state().step === 1, null, {timeout: 60000});
    } finally {
      await context.close();
      await server.close();
    }
  });
}

// ---- The browser's storage refuses the dataset ---------------------------------------------------

// Installed before the page's scripts: the dataset cache opens, but its put() (or, with
// openFails, caches.open itself) rejects with a QuotaExceededError, as a full profile does.
function refuseStorage({openFails}) {
  const realOpen = CacheStorage.prototype.open;
  const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  CacheStorage.prototype.open = async function (name) {
    if (name !== 'cnnlab-datasets-v1') return realOpen.call(this, name);
    if (openFails) throw quota();
    const cache = await realOpen.call(this, name);
    cache.put = () => Promise.reject(quota());
    return cache;
  };
}

for (const openFails of [false, true]) {
  test(`a full storage quota (${openFails ? 'caches.open' : 'cache.put'} refused) is said in a ` +
       'notice naming the file, and the lab runs from memory', {timeout: 300000}, async (t) => {
    if (!subsetFile()) {
      t.skip(`the site has no '${SUBSET}' pack`);
      return;
    }
    const {context, page} = await newPage(browser, {width: 1280, height: 800});
    try {
      await page.addInitScript(refuseStorage, {openFails});
      const opened = await openLab(page, {timeout: 240000});
      assert.notEqual(opened.phase, 'error');
      await page.waitForFunction(() => window.cnnlab.state().dataset !== null, null,
                                 {timeout: 120000});
      const state = await page.evaluate(() => window.cnnlab.state());
      assert.match(state.pageNotice, /subset-1k\.pack could not be kept.*storage for this site is full/);
      assert.match(state.pageNotice, /runs with it from memory/);
      const notice = page.locator('.cnnlab-notice');
      assert.ok(await notice.isVisible(), 'the notice is shown');
      assert.equal(await notice.getAttribute('role'), 'status');
      await frames(page, 5);
      await saveScreenshot(page, `faults-storage-full${openFails ? '-open' : ''}-1280x800.png`);
      // Nothing is in the dataset cache, and the lab trains from memory.
      const cached = await page.evaluate(async () => {
        const keys = await caches.keys();
        return keys.includes('cnnlab-datasets-v1') &&
            (await (await caches.open('cnnlab-datasets-v1')).keys()).length > 0;
      });
      assert.equal(cached, false);
      await page.evaluate(() => window.cnnlab.step());
      await page.waitForFunction(() => window.cnnlab.state().step === 1, null, {timeout: 60000});
      // Dismissed, it goes.
      await page.locator('.cnnlab-notice-dismiss').click();
      assert.equal(await notice.isVisible(), false);
      assert.equal(await page.evaluate(() => window.cnnlab.state().pageNotice), null);
      if (!openFails) {
        // On a phone-sized window the notice fits beside the text view's button.
        await page.setViewportSize({width: 390, height: 844});
        await page.evaluate(() => window.cnnlab.configure({dataset: 'data/subset-1k.pack?again'}));
        assert.ok(await notice.isVisible(), 'a second dataset that is not kept says so again');
        await frames(page, 5);
        await saveScreenshot(page, 'faults-storage-full-390x844.png');
      }
    } finally {
      await context.close();
    }
  });
}

// ---- The tab hidden, frozen and shown again mid-training -----------------------------------------

// What a browser does to a background tab: document.hidden, a visibilitychange, then the page
// frozen (no tasks run: timers, animation frames and the worker's messages wait); and back.
async function hideAndFreeze(page, cdp) {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
    Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await cdp.send('Page.setWebLifecycleState', {state: 'frozen'});
}

async function unfreezeAndShow(page, cdp) {
  await cdp.send('Page.setWebLifecycleState', {state: 'active'});
  await page.evaluate(() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

test('a tab hidden and frozen mid-training, then shown again, loses no step and doubles none',
     {timeout: 400000}, async (t) => {
  if (!subsetFile()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const epochs = 2;
    const configured = await page.evaluate((o) => window.cnnlab.configure(o),
        {subset: SUBSET, model: 'cnn', kernel: 3, epochs, batch: 32, lr: 0.001, seed: 7,
         patience: 0});
    assert.equal(configured.phase, 'ready', configured.error);
    const cdp = await context.newCDPSession(page);
    await page.evaluate(() => window.cnnlab.train());
    await page.waitForFunction(() => window.cnnlab.state().step >= 3, null, {timeout: 120000});
    const before = await page.evaluate(() => window.cnnlab.state());
    assert.equal(before.phase, 'training', 'hidden while it trains');
    assert.ok(before.step < epochs * before.stepsPerEpoch, 'hidden before the run ends');
    await hideAndFreeze(page, cdp);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await unfreezeAndShow(page, cdp);
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase === 'error' || (s.phase === 'done' && s.testAcc !== null);
    }, null, {timeout: 300000});
    const done = await page.evaluate(() => window.cnnlab.state());
    assert.notEqual(done.phase, 'error', done.error);
    assert.equal(done.step, epochs * done.stepsPerEpoch, 'every step once');
    assert.equal(done.epoch, epochs);
    const history = await page.evaluate(() => window.cnnlab.history());
    const run = history.find((r) => r.run === done.run);
    assert.deepEqual(run.epochs.map((e) => e.epoch), [1, 2], 'each epoch recorded once');
    const runs = await page.evaluate(() => window.cnnlab.runs());
    assert.equal(runs.length, 1, 'one run logged');
    assert.equal(runs[0].epochs, epochs);
    await frames(page, 5);
    await saveScreenshot(page, 'faults-hidden-and-shown-1280x800.png');
    assert.deepEqual(errors.filter((e) => !/could not cache/.test(e)), []);
  } finally {
    await context.close();
  }
});

// ---- The training worker killed mid-epoch --------------------------------------------------------

test('a worker killed mid-epoch: the last weights the app received can be saved, and loaded ' +
     'into the restarted trainer', {timeout: 600000}, async (t) => {
  if (!subsetFile()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate((o) => window.cnnlab.configure(o),
        {subset: SUBSET, model: 'cnn', kernel: 3, epochs: 2, batch: 32, lr: 0.001, seed: 7,
         patience: 0});
    assert.equal(configured.phase, 'ready', configured.error);
    await page.evaluate(() => window.cnnlab.train());
    // Into the second epoch: the first one's weights and curves are with the app.
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.epoch >= 1 && s.step >= s.stepsPerEpoch + 3;
    }, null, {timeout: 300000});
    const before = await page.evaluate(() => window.cnnlab.state());
    assert.equal(before.phase, 'training', 'killed while it trains');
    // An uncaught error ends the worker, as a trap in its wasm would.
    for (const worker of page.workers()) {
      await worker.evaluate(() => setTimeout(() => { throw new Error('simulated crash mid-epoch'); }, 0));
    }
    await page.waitForFunction(() => window.cnnlab.state().phase === 'error', null,
                               {timeout: 30000});
    const failed = await page.evaluate(() => window.cnnlab.state());
    assert.match(failed.error, /simulated crash mid-epoch/);
    // The curves so far stay; the last weights the app received save as a model file.
    const history = await page.evaluate(() => window.cnnlab.history());
    assert.ok(history[0].epochs.length >= 1, 'the first epoch is still in the curves');
    // The bytes stay in the page (a model file is megabytes: as a JSON array through the
    // DevTools protocol it would take a minute); node sees their size and magic.
    const saved = await page.evaluate(async () => {
      window.savedModel = await window.cnnlab.saveModel();
      return {size: window.savedModel.length,
              magic: String.fromCharCode(...window.savedModel.subarray(0, 8))};
    });
    assert.equal(saved.magic, 'CNNLABMF', 'a model file');
    await saveScreenshot(page, 'faults-worker-killed-mid-epoch-1280x800.png');
    // The failed worker is ended, not left training: a few seconds on (it sent weights about
    // once a second while it trained) the app still holds exactly those weights.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const later = await page.evaluate(async () => {
      const bytes = await window.cnnlab.saveModel();
      return {size: bytes.length, same: bytes.every((b, i) => b === window.savedModel[i])};
    });
    assert.equal(later.size, saved.size);
    assert.ok(later.same, 'the weights kept did not change after the failure');

    // Restart: the new worker gets the last weights and tests them. Then load what was saved:
    // the new trainer takes the file (settings and weights) and tests it: the same weights, the
    // same result.
    await page.evaluate(() => window.cnnlab.restartTrainer());
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase !== 'error' && s.dataset !== null && s.testAcc !== null;
    }, null, {timeout: 120000});
    const restored = await page.evaluate(() => window.cnnlab.state());
    assert.equal(restored.model.name, 'cnn', 'the restarted trainer has the settings back');
    assert.ok((await page.evaluate(() => window.cnnlab.history()))[0].epochs.length >= 1,
              'the curves survive the restart');
    const loaded = await page.evaluate(() => window.cnnlab.loadModel(
        window.savedModel, 'mid-epoch.cnnlab').then((s) => s.phase, (e) => `refused: ${e.message}`));
    assert.doesNotMatch(loaded, /refused|error/);
    // The trainer's report names the file it loaded; its test result follows that report.
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return /mid-epoch\.cnnlab$/.test(s.files.modelFile || '') && s.testAcc !== null;
    }, null, {timeout: 120000});
    const tested = await page.evaluate(() => window.cnnlab.state());
    assert.equal(tested.model.name, 'cnn');
    assert.ok(Math.abs(tested.testAcc - restored.testAcc) < 1e-9,
              `the saved file tests at ${tested.testAcc}, the restored weights at ${restored.testAcc}`);
  } finally {
    await context.close();
  }
});
