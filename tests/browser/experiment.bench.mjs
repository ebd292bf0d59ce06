// Experiment benchmark (bench/browser_experiment.sh runs it; not part of the test suite, whose
// files end in .test.mjs): the page's controlled experiment "kernel 3, 5, 7" with SEEDS seeds of
// EPOCHS epochs each on the site's SUBSET pack, started through window.cnnlab.experiment() and
// timed from the start to results().done. Writes browser-artifacts/experiment-bench.json:
// {subset, split, kernels, seeds, epochs, batch, trainerThreads, wallSeconds, runs: [{configuration,
// seed, imagesPerSecond, seconds, testAcc}], configurations: [{configuration, imagesPerSecond}]}
// (a configuration's images/s: the mean over its seeds of each run's training throughput).
//
// Environment (bench/browser_experiment.sh sets it): CNNLAB_EXPERIMENT_SUBSET (default 5k),
// CNNLAB_EXPERIMENT_KERNELS (3,5,7), CNNLAB_EXPERIMENT_SEEDS (3), CNNLAB_EXPERIMENT_EPOCHS (5),
// CNNLAB_EXPERIMENT_BATCH (64).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser, newPage, openLab, sitePacks, writeArtifact } from './lib/harness.mjs';

const env = process.env;
const subset = env.CNNLAB_EXPERIMENT_SUBSET || '5k';
const kernels = (env.CNNLAB_EXPERIMENT_KERNELS || '3,5,7').split(',').map(Number);
const seeds = Number(env.CNNLAB_EXPERIMENT_SEEDS || 3);
const epochs = Number(env.CNNLAB_EXPERIMENT_EPOCHS || 5);
const batch = Number(env.CNNLAB_EXPERIMENT_BATCH || 64);

test(`kernel experiment ${kernels} x ${seeds} seeds x ${epochs} epochs on ${subset}`,
     {timeout: 3 * 3600 * 1000}, async () => {
  const manifest = await sitePacks();
  assert.ok(manifest.packs.some((p) => p.id === subset),
            `the site has no '${subset}' pack (it has: ${manifest.packs.map((p) => p.id)}); ` +
            `configure the wasm build with -DCNNLAB_SITE_SUBSETS=${subset}:500:200`);
  const browser = await launchBrowser();
  try {
    const {page, errors} = await newPage(browser, {width: 1280, height: 800});
    await openLab(page, {timeout: 300000});
    const configured = await page.evaluate((o) => window.cnnlab.configure(o),
        {subset, model: 'cnn', kernel: kernels[0], batch, optimizer: 'adam', lr: 0.001, seed: 42,
         augment: false, patience: 0});
    assert.equal(configured.phase, 'ready', configured.error || '');
    // configure() resolves once the subset's pack is loaded; the lab is then idle.
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase === 'ready' && s.dataset !== null;
    }, null, {timeout: 300000, polling: 250});
    const split = await page.evaluate(() => window.cnnlab.state().dataset.split);
    const started = Date.now();
    const state = await page.evaluate((o) => window.cnnlab.experiment(o),
        {vary: 'kernel', values: kernels, repeats: seeds, epochs});
    assert.notEqual(state.phase, 'error', state.error || '');
    await page.waitForFunction(() => {
      const r = window.cnnlab.results();
      return r && r.done;
    }, null, {timeout: 3 * 3600 * 1000, polling: 500});
    const wallSeconds = (Date.now() - started) / 1000;
    const done = await page.evaluate(() => window.cnnlab.results());
    const trainerThreads = await page.evaluate(() => window.cnnlab.state().trainerThreads);
    const runs = done.runs.map((r) => ({configuration: r.configuration, seed: r.seed ?? null,
                                        finished: r.finished, failed: r.failed,
                                        imagesPerSecond: r.imagesPerSecond, seconds: r.seconds,
                                        testAcc: r.testAcc}));
    for (const r of runs) assert.ok(r.finished && !r.failed, `${r.configuration} did not finish`);
    const configurations = [...new Set(runs.map((r) => r.configuration))].map((c) => {
      const mine = runs.filter((r) => r.configuration === c);
      return {configuration: c,
              imagesPerSecond: mine.reduce((s, r) => s + r.imagesPerSecond, 0) / mine.length};
    });
    writeArtifact('experiment-bench.json', JSON.stringify(
        {subset, split, kernels, seeds, epochs, batch, trainerThreads, wallSeconds, runs, configurations},
        null, 2));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
