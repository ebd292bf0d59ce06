// Browser end-to-end test of how far the first conv layer's filters moved since epoch 0, the
// number Inside the network shows beside the filters (with why they look alike): on a synthetic
// pack given in the URL, a small CNN trains 3 epochs at two learning rates. state().timeTravel.
// conv1Change is 0 at epoch 0, above 0 after it, larger for the larger learning rate, and the
// Inside view draws the number. Screenshots of the Inside view at 1280x800 and 390x844 go to
// $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, saveScreenshot, siteUrl, trainToEnd } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const PACK_PATH = '**/test-data/synthetic.pack';

const timeTravel = (page) => page.evaluate(() => window.cnnlab.state().timeTravel);

// Scrolls the Inside view (the mouse wheel over it) until the change's line is in view.
async function revealChange(page) {
  for (let i = 0; i < 30; ++i) {
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    const c = ui.controls.find((x) => x.panel === 'inside' && x.name === 'filterChange');
    if (!c) throw new Error('the Inside view draws no filterChange');
    if (c.visible) {
      await page.mouse.move(2, 2);  // no tooltip over the screenshot
      await frames(page, 4);
      return c;
    }
    const {height} = page.viewportSize();
    await page.mouse.move((c.x + 10) / ui.scale, Math.min(c.y / ui.scale, height - 80));
    await page.mouse.wheel(0, 120);
    await frames(page, 4);
  }
  throw new Error('the change never came into view');
}

// conv1Change with run `run`'s weights after `epoch` shown.
async function changeAt(page, run, epoch) {
  await page.evaluate(([r, e]) => window.cnnlab.showEpoch(r, e), [run, epoch]);
  return (await timeTravel(page)).conv1Change;
}

test("the first conv layer's change since epoch 0: a number from the run's own snapshots, " +
     'drawn beside the filters', {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await context.route(PACK_PATH, (route) => route.fulfill(
        {status: 200, contentType: 'application/octet-stream', body: syntheticPack()}));
    await page.goto(`${siteUrl}?pack=test-data/synthetic.pack`);
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    await page.evaluate(() => window.cnnlab.configure(
        {model: 'cnn1', filters: 4, dense: 16, epochs: 3, batch: 16, patience: 0, lr: 0.001, seed: 3}));
    const slow = await trainToEnd(page);
    // The latest weights: moved, by a fraction of their size.
    const latest = (await timeTravel(page)).conv1Change;
    assert.ok(latest > 0 && latest < 1, `conv1Change ${latest}`);
    assert.equal(await changeAt(page, slow.run, 0), 0);
    const slowChange = await changeAt(page, slow.run, 3);
    assert.ok(slowChange > 0, `epoch 3: ${slowChange}`);
    assert.ok(await changeAt(page, slow.run, 1) > 0);

    // The Inside view draws it beside the filters.
    await page.evaluate(() => window.cnnlab.showEpoch(null));
    await page.evaluate(() => window.cnnlab.showPanel('inside'));
    await frames(page, 8);
    const drawn = async () => (await page.evaluate(() => window.cnnlab.state().ui.controls))
        .filter((c) => c.panel === 'inside' && c.name === 'filterChange');
    assert.ok((await drawn()).length > 0, 'the Inside view shows the change');
    await revealChange(page);
    await saveScreenshot(page, 'filter-change-1280x800.png');
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 4);
    await page.evaluate(() => window.cnnlab.showPanel('inside'));  // the Results area, on a phone
    await frames(page, 8);
    assert.ok((await drawn()).length > 0, 'the Inside view shows the change at 390x844');
    await revealChange(page);
    await saveScreenshot(page, 'filter-change-390x844.png');
    await page.setViewportSize({width: 1280, height: 800});

    // Ten times the learning rate, the same seed and data: the filters move further.
    await page.evaluate(() => window.cnnlab.configure({lr: 0.01}));
    const fast = await trainToEnd(page);
    const fastChange = await changeAt(page, fast.run, 3);
    assert.ok(fastChange > slowChange, `lr 0.01: ${fastChange}, lr 0.001: ${slowChange}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
