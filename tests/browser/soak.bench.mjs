// Soak benchmark (bench/browser_soak.sh runs it; not part of the test suite, whose files end in
// .test.mjs: it runs for many minutes). A lab page left open for a class period: CNNLAB_SOAK_CYCLES
// cycles (default 50) of
//   train one epoch on the 1k subset / reset / switch the dataset / a 2-configuration experiment
//   of one epoch each,
// recording after every cycle state().memory (the app's and the training worker's heap in use,
// and the size of their wasm memories, which only grow: high-water marks), the run log's length
// and the resident memory of this run's browser processes. Writes browser-artifacts/soak.json;
// the shell script prints the table and judges it (the heaps in use after the last cycle within
// 10 % of after the first; the app's less its per-epoch snapshots, which fill their budgets).
//
// The switch alternates between the 1k subset and a second pack: the site's next subset when it
// has one, else the same file under another URL (a query string), which goes through the whole
// switch all the same (download or cache, parse in the worker, replace the dataset).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chromium } from 'playwright-core';

import { browserRss } from './lib/browser-rss.mjs';
import { CHROMIUM_FLAGS, openLab, saveScreenshot, sitePacks, writeArtifact } from './lib/harness.mjs';

const CYCLES = Number(process.env.CNNLAB_SOAK_CYCLES || 50);
const MODEL = process.env.CNNLAB_SOAK_MODEL || 'cnn';
const SUBSET = '1k';
const MARKER = `--cnnlab-soak-bench=${process.pid}`;
const CYCLE_TIMEOUT_MS = 600000;

// Waits (in the page) until fn(arg) holds; fails with the lab's state when it does not in time.
async function until(page, fn, arg, what) {
  try {
    await page.waitForFunction(fn, arg, {timeout: CYCLE_TIMEOUT_MS, polling: 250});
  } catch (e) {
    const state = await page.evaluate(() => window.cnnlab.state()).catch(() => null);
    throw new Error(`soak: ${what} did not happen: phase ${state && state.phase}, error ` +
                    `${state && state.error}`);
  }
}

test(`the lab soaks ${CYCLES} cycles of train / reset / switch / experiment`,
     {timeout: CYCLES * CYCLE_TIMEOUT_MS}, async () => {
  assert.ok(Number.isInteger(CYCLES) && CYCLES >= 2, `CNNLAB_SOAK_CYCLES must be >= 2, got ${CYCLES}`);
  const manifest = await sitePacks();
  const first = manifest.packs.find((p) => p.id === SUBSET);
  assert.ok(first, `the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
  const other = manifest.packs.find((p) => p.id !== SUBSET);
  const switches = [other ? {subset: other.id} : {dataset: `${first.file}?soak-switch`},
                    {subset: SUBSET}];

  const browser = await chromium.launch({
    executablePath: process.env.CNNLAB_CHROMIUM || '/usr/bin/chromium',
    headless: true, args: [...CHROMIUM_FLAGS, MARKER],
  });
  const samples = [];
  const started = Date.now();
  try {
    const context = await browser.newContext({viewport: {width: 1280, height: 800}});
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate((o) => window.cnnlab.configure(o),
        {subset: SUBSET, model: MODEL, epochs: 1, batch: 32, lr: 0.001, seed: 7, patience: 0});
    assert.equal(configured.phase, 'ready', configured.error);

    for (let cycle = 1; cycle <= CYCLES; ++cycle) {
      const cycleStart = Date.now();
      // Train one epoch to its test result. The waits poll state() only (cheap: the run log's
      // export grows with every run, and polling it four times a second would itself churn the
      // app's heap): first the run under way, then done, so the last cycle's 'done' is not
      // taken for this one's (one epoch takes seconds: the 250 ms polls see it training).
      await page.evaluate(() => window.cnnlab.train());
      await until(page, () => ['training', 'error'].includes(window.cnnlab.state().phase) ||
                               window.cnnlab.state().step > 0,
                  null, `cycle ${cycle}'s training run to start`);
      await until(page, () => {
        const s = window.cnnlab.state();
        return s.phase === 'error' || (s.phase === 'done' && s.testAcc !== null);
      }, null, `cycle ${cycle}'s training run`);
      const trained = await page.evaluate(() => window.cnnlab.state());
      assert.notEqual(trained.phase, 'error', `cycle ${cycle}: ${trained.error}`);
      assert.equal(trained.step, trained.stepsPerEpoch, `cycle ${cycle}: one epoch of steps`);
      // Reset, then switch the dataset (configure resolves once the worker has it).
      await page.evaluate(() => window.cnnlab.reset());
      const switched = await page.evaluate((o) => window.cnnlab.configure(o),
                                           switches[(cycle - 1) % 2]);
      assert.notEqual(switched.phase, 'error', `cycle ${cycle}'s switch: ${switched.error}`);
      // A 2-configuration experiment of one epoch each: running, then done.
      await page.evaluate(() => window.cnnlab.experiment(
          {vary: 'kernel', values: [3, 5], repeats: 1, epochs: 1}));
      await until(page, () => {
        const s = window.cnnlab.state();
        return s.phase === 'error' || (s.experiment && !s.experiment.done);
      }, null, `cycle ${cycle}'s experiment to start`);
      await until(page, () => {
        const s = window.cnnlab.state();
        return s.phase === 'error' || (s.experiment && s.experiment.done);
      }, null, `cycle ${cycle}'s experiment`);
      const state = await page.evaluate(() => window.cnnlab.state());
      assert.notEqual(state.phase, 'error', `cycle ${cycle}'s experiment: ${state.error}`);
      const runs = await page.evaluate(() => window.cnnlab.runs().length);
      assert.equal(runs, 3 * cycle, `cycle ${cycle}: the run and the experiment's two are logged`);
      const rss = browserRss(MARKER);
      samples.push({cycle, seconds: (Date.now() - cycleStart) / 1000,
                    ...state.memory,
                    browserRssBytes: rss.bytes, rssKbByKind: rss.kbByKind, runs,
                    dataset: state.dataset && state.dataset.name});
      console.log(`cycle ${cycle}/${CYCLES}: ${JSON.stringify(samples[samples.length - 1])}`);
      // Written after every cycle: a run cut short still leaves its figures.
      writeArtifact('soak.json', JSON.stringify(
          {cycles: CYCLES, model: MODEL, done: cycle, seconds: (Date.now() - started) / 1000,
           samples}, null, 2));
    }
    await saveScreenshot(page, 'soak-last-cycle.png');
    assert.deepEqual(errors, [], 'no uncaught errors in the page');
  } finally {
    await browser.close();
  }
});
