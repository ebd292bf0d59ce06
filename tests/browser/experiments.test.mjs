// Browser end-to-end test of controlled experiments through window.cnnlab: on the site's
// 1k subset, a kernel sweep 3, 5, 7 (one epoch each, in the page's training worker) is started
// with experiment(), runs to the end, and results() shows every configuration trained on the same
// data order (the engine's per-run data-order fingerprint), a 3-row table with test accuracies and
// one winner. Invalid sweeps are rejected with an Error that says why before anything starts;
// pause pauses every run, resume continues and stop keeps the results so far. The exports
// (CSV, Markdown, JSON, the plots as PNG) come back through exportExperiment(). Screenshots of the
// Experiment tabs (controls, curves, table, feature maps) at 1280x800 and 800x600 go to
// $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { canvasStats, frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks,
         writeArtifact } from './lib/harness.mjs';
import { decodePng, imageStats } from './lib/png.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
let lab = null;  // {context, page, errors}: one page for the tests below (loading it is slow)

before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => {
  if (lab) await lab.context.close();
  if (browser) await browser.close();
});

function hasSubset() { return manifest.packs.some((p) => p.id === SUBSET); }

async function labPage() {
  if (lab) return lab;
  lab = await newPage(browser, {width: 1280, height: 800});
  await openLab(lab.page, {timeout: 240000});
  const configured = await lab.page.evaluate((subset) => window.cnnlab.configure(
      {subset, model: 'cnn', kernel: 3, epochs: 1, batch: 32, lr: 0.001, optimizer: 'adam',
       seed: 7, augment: false, patience: 0}), SUBSET);
  assert.equal(configured.phase, 'ready', configured.error);
  return lab;
}

// The experiment's Error message for these options, or null when it started.
function refusal(page, options) {
  return page.evaluate((o) => window.cnnlab.experiment(o).then(() => null, (e) => e.message),
                       options);
}

async function waitForExperiment(page, predicate, timeout) {
  await page.waitForFunction(predicate, null, {timeout, polling: 250});
  return page.evaluate(() => window.cnnlab.results());
}

// The fixed layout (web/app/app.cpp): Setup top-left, Training below, Curves top-right, Results
// below it; each holds an Experiment tab.
async function experimentScreenshots(page, prefix) {
  const {width, height} = page.viewportSize();
  const left = Math.floor(Math.min(Math.max(width * 0.4, 300), 560, width * 0.5));
  const top = 22;
  const setup = Math.floor((height - top) * 0.56);
  const curves = Math.floor((height - top) * 0.46);
  const dir = process.env.CNNLAB_ARTIFACTS;
  await page.screenshot({path: path.join(dir, `${prefix}-setup.png`),
                         clip: {x: 0, y: top, width: left, height: setup}});
  await page.screenshot({path: path.join(dir, `${prefix}-curves.png`),
                         clip: {x: left, y: top, width: width - left, height: curves}});
  const results = {x: left, y: top + curves, width: width - left, height: height - top - curves};
  await page.screenshot({path: path.join(dir, `${prefix}-results.png`), clip: results});
  // The feature maps further down the Results tab: scrolled into view with the mouse wheel.
  await page.mouse.move(results.x + results.width / 2, results.y + results.height * 0.7);
  await page.mouse.wheel(0, 600);
  await frames(page, 8);
  await page.screenshot({path: path.join(dir, `${prefix}-results-maps.png`), clip: results});
  await page.mouse.wheel(0, -600);
  await frames(page, 4);
  await saveScreenshot(page, `${prefix}-page.png`);
}

test('invalid sweeps are refused with the reason before anything starts', {timeout: 300000},
     async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {page} = await labPage();
  // A kernel larger than the feature map at some layer (CIFAR-10: 32x32 input).
  const tooLarge = await refusal(page, {vary: 'kernel', values: [3, 99]});
  assert.ok(tooLarge && /kernel=99/.test(tooLarge), `kernel 99 refused, naming it: ${tooLarge}`);
  const nine = await refusal(page, {vary: 'filters', values: [1, 2, 3, 4, 5, 6, 7, 8, 9]});
  assert.ok(nine && /9 configurations; at most 8/.test(nine), `9 configurations refused: ${nine}`);
  const empty = await refusal(page, {vary: 'kernel', values: []});
  assert.ok(empty && /empty/.test(empty), `an empty list refused: ${empty}`);
  const memory = await refusal(page, {vary: 'filters', values: [512, 1024], batch: 512});
  assert.ok(memory && /MB/.test(memory), `a sweep over the memory limit refused: ${memory}`);
  const unknown = await refusal(page, {vary: 'colour'});
  assert.ok(unknown && /colour/.test(unknown), `an unknown variable refused: ${unknown}`);
  const notObject = await page.evaluate(
      () => window.cnnlab.experiment('kernel').then(() => null, (e) => e.message));
  assert.ok(notObject && /object/.test(notObject), notObject);
  // Nothing started, nothing sent to the worker.
  await frames(page, 10);
  assert.equal(await page.evaluate(() => window.cnnlab.results()), null);
  assert.notEqual(await page.evaluate(() => window.cnnlab.state().phase), 'error');
});

test('a kernel sweep 3, 5, 7 on the 1k subset: identical data order, table, curves, maps, exports',
     {timeout: 900000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {page, errors} = await labPage();
  const started = await page.evaluate(
      () => window.cnnlab.experiment({vary: 'kernel', values: [3, 5, 7], repeats: 1}));
  assert.notEqual(started.phase, 'error', started.error);
  // Live: every configuration advances (interleaved), before any has finished.
  const live = await waitForExperiment(
      page, () => {
        const r = window.cnnlab.results();
        return r && r.runs.length === 3 && r.runs.every((run) => run.step >= 3);
      }, 300000);
  assert.equal(live.config.vary, 'kernel');
  assert.deepEqual(live.config.values, ['3', '5', '7']);
  // The page's frame rate while the experiment trains in the worker (recorded, not judged: timing
  // targets live in bench/).
  const fpsLive = await page.evaluate(() => window.cnnlab.state().fps);
  writeArtifact('experiment-fps.json', JSON.stringify({whileTraining: fpsLive}));
  await frames(page, 5);
  await experimentScreenshots(page, 'experiment-live');

  const done = await waitForExperiment(page, () => {
    const r = window.cnnlab.results();
    return r && r.done;
  }, 800000);
  await frames(page, 20);  // the last weights and report reach the panels
  writeArtifact('state-experiment.json', JSON.stringify(done, null, 2));
  assert.equal(done.running, false);
  assert.equal(done.runs.length, 3);
  // Identical conditions: the same mini-batches in the same order in every configuration.
  assert.equal(done.identicalDataOrder, true);
  const orders = new Set(done.runs.map((r) => r.dataOrder));
  assert.equal(orders.size, 1, `one data-order fingerprint: ${[...orders].join(', ')}`);
  for (const run of done.runs) {
    assert.equal(run.finished, true, `${run.configuration} finished`);
    assert.equal(run.failed, false, `${run.configuration}: ${run.stopReason}`);
    assert.equal(run.epoch, 1);
    assert.equal(run.step, run.stepsPerEpoch, `${run.configuration}: one epoch of steps`);
    assert.ok(run.testAcc > 0 && run.testAcc <= 1, `${run.configuration} test accuracy ${run.testAcc}`);
    assert.ok(run.testLoss > 0, `${run.configuration} test loss ${run.testLoss}`);
    assert.ok(run.imagesPerSecond > 0 && run.seconds > 0);
  }
  // Bigger kernels: more parameters and more multiply-accumulates per image.
  const params = done.runs.map((r) => r.parameters);
  const macs = done.runs.map((r) => r.macs);
  assert.ok(params[0] < params[1] && params[1] < params[2], `parameters grow: ${params}`);
  assert.ok(macs[0] < macs[1] && macs[1] < macs[2], `MACs grow: ${macs}`);
  // The table: 3 rows with test accuracies and exactly one winner (the best test accuracy).
  assert.equal(done.summary.length, 3);
  assert.equal(done.summary.filter((s) => s.winner).length, 1);
  const best = Math.max(...done.summary.map((s) => s.test_accuracy_mean));
  assert.equal(done.summary.find((s) => s.winner).test_accuracy_mean, best);
  const rows = done.table.trim().split('\n').slice(2);
  assert.equal(rows.length, 3, done.table);
  for (const row of rows) assert.match(row, /\d+\.\d %/, `a test accuracy in: ${row}`);
  assert.ok(done.interpretation.length > 20, done.interpretation);

  // Exports through the API: the same CSV and table, the histories as JSON, the plots as PNG.
  const csv = await page.evaluate(() => window.cnnlab.exportExperiment('csv'));
  assert.equal(csv, done.csv);
  assert.equal(csv.trim().split('\n').length, 4);
  const markdown = await page.evaluate(() => window.cnnlab.exportExperiment('markdown'));
  assert.ok(markdown.startsWith(done.table), markdown);
  const histories = JSON.parse(await page.evaluate(() => window.cnnlab.exportExperiment('json')));
  assert.equal(histories.runs.length, 3);
  assert.equal(histories.runs[0].epochs.length, 1);
  assert.equal(histories.config.vary, 'kernel');
  const badFormat = await page.evaluate(
      () => window.cnnlab.exportExperiment('xls').then(() => null, (e) => e.message));
  assert.ok(badFormat && /xls/.test(badFormat), badFormat);
  const png = await page.evaluate(async () => {
    const blob = await window.cnnlab.exportExperiment('png');
    return {type: blob.type, bytes: Array.from(new Uint8Array(await blob.arrayBuffer()))};
  });
  assert.equal(png.type, 'image/png');
  const plots = decodePng(Buffer.from(png.bytes));
  const plotStats = imageStats(plots);
  assert.ok(plots.width > 300 && plots.height > 100, `plots PNG ${plots.width}x${plots.height}`);
  assert.ok(plotStats.distinctColors > 10, `the plots PNG shows curves: ${JSON.stringify(plotStats)}`);
  writeArtifact('experiment-plots-export.png', Buffer.from(png.bytes));

  // The panels show it: the three Experiment tabs (the start opened them).
  await page.evaluate(() => window.cnnlab.showPanel('experiment'));
  await frames(page, 10);
  const stats = await canvasStats(page);
  assert.ok(stats.distinctColors > 30, `the canvas shows the panels: ${JSON.stringify(stats)}`);
  await experimentScreenshots(page, 'experiment-done');
  // Usable at 800x600 too.
  await page.setViewportSize({width: 800, height: 600});
  await frames(page, 15);
  await experimentScreenshots(page, 'experiment-800x600');
  await page.setViewportSize({width: 1280, height: 800});
  await frames(page, 10);
  assert.deepEqual(errors, []);
});

test('pause pauses every run, resume continues, stop keeps the results so far',
     {timeout: 600000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {page, errors} = await labPage();
  await page.evaluate(() => window.cnnlab.experiment(
      {vary: 'model', values: ['mlp', 'cnn'], epochs: 3}));
  await waitForExperiment(page, () => {
    const r = window.cnnlab.results();
    return r && r.config.vary === 'model' && r.runs.every((run) => run.step >= 2);
  }, 300000);
  await page.evaluate(() => window.cnnlab.pause());
  const paused = await waitForExperiment(page, () => {
    const r = window.cnnlab.results();
    return r && !r.running;
  }, 30000);
  assert.equal(paused.done, false);
  await page.waitForTimeout(1500);
  const still = await page.evaluate(() => window.cnnlab.results());
  assert.deepEqual(still.runs.map((r) => r.step), paused.runs.map((r) => r.step),
                   'no run advances while paused');
  await page.evaluate(() => window.cnnlab.resumeExperiment());
  const resumed = await waitForExperiment(page, (steps) => {
    const r = window.cnnlab.results();
    return r && r.running && r.runs[0].step > 0;
  }, 30000);
  assert.equal(resumed.running, true);
  await page.waitForTimeout(1000);
  await page.evaluate(() => window.cnnlab.stopExperiment());
  const stopped = await waitForExperiment(page, () => {
    const r = window.cnnlab.results();
    return r && !r.running && r.done;
  }, 30000);
  writeArtifact('state-experiment-stopped.json', JSON.stringify(stopped, null, 2));
  // Every run keeps what it trained; none finished its 3 epochs.
  for (const run of stopped.runs) {
    assert.ok(run.step >= paused.runs.find((p) => p.configuration === run.configuration).step,
              `${run.configuration} kept its steps (${run.step})`);
    assert.ok(run.step < 3 * run.stepsPerEpoch, `${run.configuration} stopped early`);
    assert.match(run.stopReason, /stopped/);
  }
  assert.equal(stopped.summary.length, 2);
  assert.equal(stopped.table.trim().split('\n').length, 4, stopped.table);
  // Still there a moment later; a resume of a stopped experiment is refused with the reason.
  await page.waitForTimeout(1000);
  const later = await page.evaluate(() => window.cnnlab.results());
  assert.deepEqual(later.runs.map((r) => r.step), stopped.runs.map((r) => r.step));
  const resumeError = await page.evaluate(() => {
    try {
      window.cnnlab.resumeExperiment();
      return null;
    } catch (e) {
      return e.message;
    }
  });
  assert.ok(resumeError && /finished/.test(resumeError), `resume after stop refused: ${resumeError}`);
  await frames(page, 10);
  await experimentScreenshots(page, 'experiment-stopped');
  assert.deepEqual(errors, []);
});
