// Browser end-to-end test of time travel and the live confusion matrix, through window.cnnlab on
// the site's 1k subset: a CNN trains 3 epochs while the Evaluation tab is open, and at every
// epoch's end its matrix becomes that epoch's validation matrix (state().evaluationView, counts
// summing to the validation split, accuracy the epoch's valAcc). Once done, snapshots() lists the
// run's epochs 0..3; showEpoch(run, 0) and showEpoch(run, 3) put the untrained and the trained
// network on screen (the first conv layer's weights differ: state().timeTravel.conv1WeightSum),
// the Evaluation tab tests each on the test split (epoch 3's accuracy is the run's own test
// accuracy, epoch 0's near chance; exportNpz() exports the weights of the epoch on screen), and
// epochs or runs not kept are refused naming what is kept.
// Screenshots of the time slider in Inside and Evaluation at 1280x800 and 390x844, and of the live
// matrix, go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks, writeArtifact } from
    './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

// Opens the lab at 1280x800 with `options` on the SUBSET pack and runs body({page, errors,
// configured}) (configured: configure()'s state), closing the page afterwards; skips without the
// pack.
async function withConfiguredLab(t, options, body) {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate(([o, subset]) => window.cnnlab.configure({...o, subset}),
                                           [options, SUBSET]);
    assert.equal(configured.phase, 'ready', configured.error);
    await body({page, errors, configured});
  } finally {
    await context.close();
  }
}

async function showPanel(page, name) {
  await page.evaluate((n) => window.cnnlab.showPanel(n), name);
  await frames(page, 6);
}

// Shows an epoch and waits until the Evaluation view has tested it; returns state().
async function showTestedEpoch(page, run, epoch) {
  const shown = await page.evaluate(([r, e]) => window.cnnlab.showEpoch(r, e).shownEpoch,
                                    [run, epoch]);
  assert.equal(shown, epoch);
  await page.waitForFunction((e) => {
    const s = window.cnnlab.state();
    return s.shownEpoch === e && s.timeTravel.testAcc !== null && s.evaluationView &&
           s.evaluationView.source === 'epoch' && s.evaluationView.epoch === e;
  }, epoch, {timeout: 120000});
  await frames(page, 4);
  return page.evaluate(() => window.cnnlab.state());
}

test('time travel: scrub a 3-epoch run to epochs 0 and 3; a live validation matrix while it trains',
     {timeout: 900000}, async (t) => {
  // patience 0: the run keeps its last epoch's weights, so epoch 3 is the tested one.
  await withConfiguredLab(t, {model: 'cnn', kernel: 3, epochs: 3, batch: 32, lr: 0.002, seed: 11,
                              patience: 0}, async ({page, errors, configured}) => {
    const classes = configured.dataset.classes;
    await showPanel(page, 'eval');

    // Every frame, what the Evaluation view shows (collected in the page: epochs end quickly).
    await page.evaluate(() => {
      window.__views = [];
      const look = () => {
        const s = window.cnnlab.state();
        const v = s.evaluationView;
        if (v && v.source === 'validation' &&
            !window.__views.some((w) => w.epoch === v.epoch)) {
          window.__views.push({...v, phase: s.phase});
        }
        if (s.phase !== 'done') requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
    await page.evaluate(() => window.cnnlab.train());
    await page.waitForFunction(() => window.__views.length >= 1, null, {timeout: 240000});
    await saveScreenshot(page, 'snapshots-eval-live-1280x800.png');

    // A click on a cell of the live matrix shows its validation images (paused, so the matrix
    // stays that epoch's while the test looks).
    await page.evaluate(() => window.cnnlab.pause());
    await page.waitForFunction(() => window.cnnlab.state().phase === 'paused', null,
                               {timeout: 60000});
    await frames(page, 6);
    const live = await page.evaluate(() => window.cnnlab.state());
    assert.equal(live.evaluationView.source, 'validation');
    const cells = live.ui.controls.find((c) => c.panel === 'eval' && c.name === 'confusionCells');
    assert.ok(cells, 'the live matrix is drawn');
    // The diagonal cell with the most images, and one off it.
    const diag = [...Array(classes).keys()].sort(
        (a, b) => live.evaluationView.confusion[b * classes + b] -
                  live.evaluationView.confusion[a * classes + a])[0];
    const clickCell = async (truth, predicted) => {
      const size = cells.w / classes;
      await page.mouse.click((cells.x + (predicted + 0.5) * size) / live.ui.scale,
                             (cells.y + (truth + 0.5) * size) / live.ui.scale);
      await page.waitForFunction(([t, p, e]) => {
        const c = window.cnnlab.state().validationCell;
        return c && c.trueClass === t && c.predicted === p && c.epoch === e;
      }, [truth, predicted, live.evaluationView.epoch], {timeout: 30000});
      await frames(page, 6);
      return page.evaluate(() => window.cnnlab.state());
    };
    for (const [truth, predicted] of [[diag, diag], [diag, (diag + 1) % classes]]) {
      const after = await clickCell(truth, predicted);
      assert.deepEqual(after.evaluationView.selectedCell, [truth, predicted]);
      const expected = live.evaluationView.confusion[truth * classes + predicted];
      assert.equal(after.validationCell.count, expected);
      assert.equal(after.validationCell.shown, Math.min(expected, 24));
    }
    await clickCell(diag, diag);
    await saveScreenshot(page, 'snapshots-eval-live-cell-1280x800.png');
    await page.evaluate(() => window.cnnlab.train());
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase === 'done' && s.testAcc !== null;
    }, null, {timeout: 300000});
    const done = await page.evaluate(() => window.cnnlab.state());
    assert.equal(done.testEpoch, 3);
    const run = done.run;
    const history = await page.evaluate(() => window.cnnlab.history());
    const record = history.find((r) => r.run === run);
    assert.equal(record.epochs.length, 3);

    // The live matrix: each epoch's validation counts, seen while the run trained.
    const views = await page.evaluate(() => window.__views);
    writeArtifact('snapshots-live-views.json', JSON.stringify(views, null, 2));
    assert.ok(views.length >= 2, `the matrix updated at two or more epoch ends: ${views.length}`);
    assert.ok(views.some((v) => v.phase === 'training'), 'seen while the run trained');
    for (const v of views) {
      assert.equal(v.confusion.length, classes * classes);
      assert.equal(v.confusion.reduce((a, b) => a + b, 0), configured.dataset.val);
      assert.equal(v.images, configured.dataset.val);
      assert.ok(Math.abs(v.accuracy - record.epochs[v.epoch - 1].valAcc) < 1e-6,
                `epoch ${v.epoch}: ${v.accuracy} vs valAcc ${record.epochs[v.epoch - 1].valAcc}`);
    }
    assert.notDeepEqual(views[0].confusion, views[views.length - 1].confusion);
    // Once tested, the Evaluation view is the test split's again.
    await frames(page, 4);
    assert.equal((await page.evaluate(() => window.cnnlab.state())).evaluationView.source, 'test');

    // Every epoch of the run is kept (a 1k-subset CNN is far within the 64 MB budget).
    const snapshots = await page.evaluate(() => window.cnnlab.snapshots());
    assert.deepEqual(snapshots.find((s) => s.run === run), {run, epochs: [0, 1, 2, 3]});
    assert.equal(done.shownEpoch, null);
    assert.equal(done.timeTravel.thinned, false);

    // Epoch 0: the untrained network; epoch 3: the trained one, whose test accuracy is the run's.
    const untrained = await showTestedEpoch(page, run, 0);
    // The .npz export is of the epoch on screen (its bytes, as a base64 string).
    const npzText = () => page.evaluate(async () => {
      const bytes = await window.cnnlab.exportNpz();
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      return btoa(text);
    });
    const npzEpoch0 = await npzText();
    await showPanel(page, 'inside');
    await saveScreenshot(page, 'snapshots-inside-epoch0-1280x800.png');
    const trained = await showTestedEpoch(page, run, 3);
    assert.notEqual(untrained.timeTravel.conv1WeightSum, trained.timeTravel.conv1WeightSum,
                    'the filters differ between epoch 0 and epoch 3');
    assert.equal(untrained.timeTravel.valAcc, null);
    assert.ok(Math.abs(trained.timeTravel.valAcc - record.epochs[2].valAcc) < 1e-9);
    assert.ok(Math.abs(trained.timeTravel.testAcc - done.testAcc) < 1e-6,
              `epoch 3 tests as the run did: ${trained.timeTravel.testAcc} vs ${done.testAcc}`);
    assert.ok(Math.abs(trained.evaluationView.accuracy - done.testAcc) < 1e-6);
    assert.ok(untrained.timeTravel.testAcc < 0.25,
              `the untrained network guesses: ${untrained.timeTravel.testAcc}`);
    assert.ok(trained.timeTravel.testAcc > untrained.timeTravel.testAcc);
    const npzEpoch3 = await npzText();
    assert.notEqual(npzEpoch3, npzEpoch0, 'epoch 0 and epoch 3 export different weights');

    // Refusals name what is kept; nothing shown changes.
    const refusal = (r, e) => page.evaluate(([r, e]) => {
      try {
        window.cnnlab.showEpoch(r, e);
        return '';
      } catch (error) {
        return error.message;
      }
    }, [r, e]);
    assert.match(await refusal(run, 7),
                 new RegExp(`epoch 7 of run ${run} was not kept \\(kept: 0, 1, 2 and 3\\)`));
    assert.match(await refusal(99, 0), /run 99 has no snapshots/);
    assert.match(await refusal(run, 1.5), /epoch must be a whole number/);
    assert.match(await refusal('one', 0), /run must be a run number/);
    assert.equal((await page.evaluate(() => window.cnnlab.state())).shownEpoch, 3);

    // Screenshots of the slider: an epoch in between, Inside and Evaluation, wide and narrow.
    await showTestedEpoch(page, run, 1);
    await showPanel(page, 'inside');
    await saveScreenshot(page, 'snapshots-inside-1280x800.png');
    await showPanel(page, 'eval');
    await saveScreenshot(page, 'snapshots-eval-1280x800.png');
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 10);
    await showPanel(page, 'inside');
    await saveScreenshot(page, 'snapshots-inside-390x844.png');
    await showPanel(page, 'eval');
    await saveScreenshot(page, 'snapshots-eval-390x844.png');

    // Back to the latest weights.
    const latest = await page.evaluate(() => window.cnnlab.showEpoch(null));
    assert.equal(latest.shownEpoch, null);
    assert.equal(latest.timeTravel.epoch, null);
    assert.equal(latest.timeTravel.conv1WeightSum, trained.timeTravel.conv1WeightSum);
    // patience 0: the latest weights are epoch 3's, and so is their .npz.
    assert.equal(await npzText(), npzEpoch3);

    // Save model with its epochs: the model file's header lists the kept epochs (version 1) and
    // the file holds each epoch's weights after the latest ones.
    const saved = await page.evaluate(async () => {
      const header = (bytes) => {
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        const size = Number(view.getBigUint64(16, true));
        return JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + size)));
      };
      const plain = await window.cnnlab.saveModel();
      const withEpochs = await window.cnnlab.saveModel({epochs: true});
      let refused = null;
      try {
        await window.cnnlab.saveModel('epochs');
      } catch (e) {
        refused = e.message;
      }
      return {plainSize: plain.length, size: withEpochs.length, plain: header(plain),
              header: header(withEpochs), refused};
    });
    assert.equal(saved.plain.snapshots, undefined);
    assert.equal(saved.header.snapshots.version, 1);
    assert.deepEqual(saved.header.snapshots.epochs.map((e) => e.epoch), [0, 1, 2, 3]);
    assert.equal(saved.header.snapshots.epochs[0].record, null);
    assert.equal(saved.header.snapshots.epochs[3].record.epoch, 3);
    const params = saved.header.parameters;
    assert.ok(saved.size - saved.plainSize >= 4 * params * 4,
              `4 epochs of ${params} parameters: ${saved.size} vs ${saved.plainSize} bytes`);
    assert.match(saved.refused, /options must be an object/);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

// An experiment keeps every configuration's weights at its start and after each epoch: its
// results' side-by-side maps can be scrubbed to the same epoch for all of them.
test('experiment time travel: every configuration after epoch 0 and epoch 2, side by side',
     {timeout: 900000}, async (t) => {
  // patience 0: every run keeps its last epoch's weights, so epoch 2 is the latest.
  await withConfiguredLab(t, {model: 'cnn', batch: 64, lr: 0.002, seed: 5, patience: 0},
                          async ({page, errors}) => {
    const none = await page.evaluate(() => {
      try {
        window.cnnlab.showExperimentEpoch(0);
        return null;
      } catch (e) {
        return e.message;
      }
    });
    assert.match(none, /kept no epochs yet/);
    await page.evaluate(() => window.cnnlab.experiment(
        {vary: 'kernel', values: [3, 5], repeats: 1, epochs: 2}));
    await page.waitForFunction(() => {
      const r = window.cnnlab.results();
      return r && r.done;
    }, null, {timeout: 600000});
    await page.waitForFunction(() => {
      const kept = window.cnnlab.experimentSnapshots();
      return kept.length === 2 && kept.every((c) => c.epochs.length === 3);
    }, null, {timeout: 30000});
    const kept = await page.evaluate(() => window.cnnlab.experimentSnapshots());
    assert.deepEqual(kept.map((c) => c.label), ['kernel=3', 'kernel=5']);
    for (const c of kept) assert.deepEqual(c.epochs, [0, 1, 2], c.label);
    const histories = JSON.parse(await page.evaluate(() => window.cnnlab.exportExperiment('json')));
    await showPanel(page, 'experiment');

    // Shows `epoch` and waits until both configurations' maps are of it; returns experimentEpoch.
    const at = async (epoch) => {
      const shown = await page.evaluate((e) => window.cnnlab.showExperimentEpoch(e).experimentEpoch,
                                        epoch);
      assert.equal(shown.shown, epoch);
      await page.waitForFunction((e) => {
        const c = window.cnnlab.state().experimentEpoch.configurations;
        return c.length === 2 && c.every((x) => x.epoch === e);
      }, epoch, {timeout: 30000});
      await frames(page, 6);
      return page.evaluate(() => window.cnnlab.state().experimentEpoch);
    };
    const untrained = await at(0);
    await saveScreenshot(page, 'snapshots-experiment-epoch0-1280x800.png');
    const trained = await at(2);
    await saveScreenshot(page, 'snapshots-experiment-epoch2-1280x800.png');
    assert.deepEqual(trained.kept, [0, 1, 2]);
    for (let c = 0; c < 2; ++c) {
      const history = histories.runs.find((r) => r.configuration === kept[c].label).epochs;
      // Epoch 0 has no record; epoch 2's validation accuracy is the run's own second epoch's.
      assert.equal(untrained.configurations[c].valAcc, null);
      assert.ok(Math.abs(trained.configurations[c].valAcc - history[1].valAcc) < 1e-6,
                `${trained.configurations[c].label}: ${trained.configurations[c].valAcc} vs ` +
                `${history[1].valAcc}`);
      // The filters on screen are the untrained and then the trained network's.
      assert.notEqual(untrained.configurations[c].conv1WeightSum,
                      trained.configurations[c].conv1WeightSum);
    }
    // 3x3 and 5x5 are different networks from the start.
    assert.notEqual(untrained.configurations[0].conv1WeightSum,
                    untrained.configurations[1].conv1WeightSum);
    // An epoch not kept is refused naming those kept; null goes back to the latest weights,
    // which are epoch 2's (patience 0).
    const refused = await page.evaluate(() => {
      try {
        window.cnnlab.showExperimentEpoch(5);
        return null;
      } catch (e) {
        return e.message;
      }
    });
    assert.match(refused, /epoch 5 was not kept; kept: 0, 1 and 2/);
    const latest = await page.evaluate(() => window.cnnlab.showExperimentEpoch(null).experimentEpoch);
    assert.equal(latest.shown, null);
    await page.waitForFunction(() => window.cnnlab.state().experimentEpoch.configurations
        .every((x) => x.epoch === null), null, {timeout: 30000});
    const back = await page.evaluate(() => window.cnnlab.state().experimentEpoch);
    for (let c = 0; c < 2; ++c) {
      assert.ok(Math.abs(back.configurations[c].conv1WeightSum -
                         trained.configurations[c].conv1WeightSum) < 1e-9);
    }
    await at(1);
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 10);
    await showPanel(page, 'experiment');
    // A phone shows one area at a time: the Results area holds the side-by-side maps.
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    const results = ui.tabs.find((tab) => tab.bar === 'areas' && tab.name === 'Results');
    assert.ok(results, 'the Results area tab is drawn');
    await page.mouse.click((results.x + results.w / 2) / ui.scale, (results.y + results.h / 2) / ui.scale);
    await frames(page, 10);
    await saveScreenshot(page, 'snapshots-experiment-epoch1-390x844.png');
    assert.deepEqual(errors, [], 'no console errors');
  });
});
