// Browser tests of the result panels: before any training the Evaluation tab shows its empty
// state and the Inside-the-network tab the untrained model's maps; after a short training run
// through window.cnnlab (configure, train, state) the Inside tab's maps have changed with the
// weights and the Evaluation tab shows the test results (the results area of the canvas visibly
// changes), and testAcc is reported. Screenshots
// of both panels at 1280x800 and 800x600 go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, saveScreenshot, siteUrl,
         writeArtifact } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';
import { decodePng, imageStats } from './lib/png.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const PACK_PATH = '**/test-data/panels.pack';
const packUrl = `${siteUrl}?pack=test-data/panels.pack`;

// The lower-right quarter of the page, where the layout puts the Results panel (Inside the
// network / Evaluation tabs), decoded to RGBA.
async function resultsArea(page, width, height) {
  const png = await page.screenshot({
    clip: {x: Math.round(width * 0.45), y: Math.round(height * 0.5),
           width: Math.round(width * 0.55), height: Math.round(height * 0.5)},
  });
  return decodePng(png);
}

// Fraction of pixels that differ between two same-sized images (any channel by more than 24).
function changedFraction(a, b) {
  assert.equal(a.data.length, b.data.length);
  let changed = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs(a.data[i] - b.data[i]) > 24 || Math.abs(a.data[i + 1] - b.data[i + 1]) > 24 ||
        Math.abs(a.data[i + 2] - b.data[i + 2]) > 24) {
      ++changed;
    }
  }
  return changed / (a.width * a.height);
}

async function showPanel(page, name) {
  await page.evaluate((n) => window.cnnlab.showPanel(n), name);
  await frames(page, 4);
}

async function checkPanelsAt(width, height) {
  const {context, page, errors} = await newPage(browser, {width, height});
  try {
    const pack = syntheticPack({perClassTrain: 40, perClassTest: 10});
    await context.route(PACK_PATH, (route) =>
      route.fulfill({status: 200, contentType: 'application/octet-stream', body: pack}));
    await page.goto(packUrl);
    await page.evaluate(() => window.cnnlab.ready.then(() => true));

    // Before training: the model's initial weights already have feature maps; nothing is
    // evaluated, so the Evaluation tab shows no numbers.
    await showPanel(page, 'inside');
    const insideBefore = await resultsArea(page, width, height);
    await saveScreenshot(page, `panels-inside-empty-${width}x${height}.png`);
    await showPanel(page, 'eval');
    const evalBefore = await resultsArea(page, width, height);
    assert.equal((await page.evaluate(() => window.cnnlab.state())).testAcc, null);

    // A small CNN, two epochs: training ends with a test evaluation.
    await page.evaluate(() => window.cnnlab.configure({model: 'cnn', kernel: 3, epochs: 2,
                                                       batch: 16, lr: 0.003, seed: 5}));
    await page.evaluate(() => window.cnnlab.train());
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase === 'error' || (s.phase === 'done' && s.testAcc !== null);
    }, null, {timeout: 90000});
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.equal(state.phase, 'done', `training ended: ${JSON.stringify(state)}`);
    assert.ok(state.testAcc >= 0 && state.testAcc <= 1, `testAcc is a fraction: ${state.testAcc}`);
    writeArtifact(`panels-state-${width}x${height}.json`, JSON.stringify(state, null, 2));

    await showPanel(page, 'inside');
    await frames(page, 6);
    const insideAfter = await resultsArea(page, width, height);
    const insideChange = changedFraction(insideBefore, insideAfter);
    const insideStats = imageStats(insideAfter);
    // Training recolours the maps (and the top-3 bars); 2 % of the area is a loose floor (about
    // 7 % changed at 800x600, more at 1280x800).
    assert.ok(insideChange > 0.02, `the Inside tab follows the new weights (${insideChange} changed)`);
    assert.ok(insideStats.distinctColors >= 40,
              `feature maps and filters are colourful: ${JSON.stringify(insideStats)}`);
    await saveScreenshot(page, `panels-inside-${width}x${height}.png`);

    await showPanel(page, 'eval');
    const evalAfter = await resultsArea(page, width, height);
    const evalChange = changedFraction(evalBefore, evalAfter);
    assert.ok(evalChange > 0.1, `the Evaluation tab now shows results (${evalChange} changed)`);
    const evalStats = imageStats(evalAfter);
    assert.ok(evalStats.distinctColors >= 20, `a coloured confusion matrix: ${JSON.stringify(evalStats)}`);
    await saveScreenshot(page, `panels-eval-${width}x${height}.png`);
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
}

test('inside and eval panels after a short training run, 1280x800', {timeout: 180000},
     async () => { await checkPanelsAt(1280, 800); });

test('inside and eval panels after a short training run, 800x600', {timeout: 180000},
     async () => { await checkPanelsAt(800, 600); });
