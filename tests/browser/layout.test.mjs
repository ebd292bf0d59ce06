// Browser tests of the lab's layout at the two sizes every student must be able to use, a
// 1280x800 laptop and a 390x844 phone:
//   - at 1280x800 the feature maps have a usable height below the Results area's controls
//     (state().ui.scroll.insideMaps.h, the feature-map column's visible height);
// Each lab loads a small synthetic pack (lib/pack.mjs). Screenshots go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, saveScreenshot, siteUrl,
         trainToEnd } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const PACK_PATH = '**/test-data/layout.pack';
const packUrl = `${siteUrl}?pack=test-data/layout.pack`;

// A lab of the given size on a small synthetic dataset, ready to train.
async function openSmallLab({width, height, touch = false}) {
  const opened = await newPage(browser, {width, height, touch});
  const pack = syntheticPack({perClassTrain: 20, perClassTest: 5});
  await opened.context.route(PACK_PATH, (route) =>
    route.fulfill({status: 200, contentType: 'application/octet-stream', body: pack}));
  await opened.page.goto(packUrl);
  await opened.page.evaluate(() => window.cnnlab.ready.then(() => true));
  await opened.page.evaluate(() => window.cnnlab.configure({model: 'cnn', epochs: 1, batch: 16}));
  return opened;
}

const state = (page) => page.evaluate(() => window.cnnlab.state());

test('at 1280x800 the feature maps get a usable height after training', {timeout: 180000},
     async () => {
  const {context, page, errors} = await openSmallLab({width: 1280, height: 800});
  try {
    await trainToEnd(page);
    await page.evaluate(() => window.cnnlab.showPanel('inside'));
    await frames(page, 6);
    const s = await state(page);
    const maps = s.ui.scroll.insideMaps;
    assert.ok(maps, `the feature-map column is drawn: ${JSON.stringify(s.ui.scroll)}`);
    // 35 % of the window's height: three rows of a first conv layer's 32x32 maps at least, the
    // first of them in view without scrolling.
    const mapsHeight = maps.h / s.ui.scale;
    assert.ok(mapsHeight >= 0.35 * 800,
              `the feature maps are ${mapsHeight} px high of 800 (${JSON.stringify(maps)})`);
    await saveScreenshot(page, 'layout-inside-1280x800.png');
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});
