// Browser test of the lab without a mouse (on the site's 1k subset; skipped without it): Tab
// reaches the canvas and leaves it again (the lab must not trap a keyboard user); with the
// canvas focused the shortcuts start, pause, step and reset training (P, S, R), the same
// commands as the Training panel's buttons; typed into the host page, the same letters do
// nothing to the lab. Screenshot: keyboard-1280x800.png in $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks } from './lib/harness.mjs';

let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

const state = (page) => page.evaluate(() => window.cnnlab.state());
const focusIsCanvas = (page) => page.evaluate(
    () => document.activeElement === document.querySelector('canvas.cnnlab-canvas'));

// Presses a key and waits until the app has drawn a few frames (it reads keys once a frame).
async function press(page, key) {
  await page.keyboard.press(key);
  await frames(page, 3);
}

test('keyboard only: Tab reaches the canvas and leaves it; P, S and R start, pause, step and ' +
     'reset; the same keys typed into the host page do nothing', {timeout: 300000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === '1k')) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate(() => window.cnnlab.configure(
        {subset: '1k', model: 'cnn', kernel: 3, epochs: 3, batch: 16, seed: 7}));
    assert.equal(configured.phase, 'ready', configured.error);
    await frames(page, 5);

    // Keys typed while the page (not the canvas) has the focus are the page's.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await press(page, 'p');
    await press(page, 's');
    assert.equal((await state(page)).step, 0, 'a key typed outside the lab trained it');

    // Tab from the top of the page reaches the canvas.
    let reached = false;
    for (let i = 0; i < 10 && !reached; ++i) {
      await page.keyboard.press('Tab');
      reached = await focusIsCanvas(page);
    }
    assert.ok(reached, 'Tab never reached the lab\'s canvas');

    // P starts; P again pauses.
    await press(page, 'p');
    await page.waitForFunction(() => window.cnnlab.state().phase === 'training', null, {timeout: 30000});
    await page.waitForFunction(() => window.cnnlab.state().step > 0, null, {timeout: 60000});
    await press(page, 'p');
    await page.waitForFunction(() => window.cnnlab.state().phase === 'paused', null, {timeout: 30000});
    const paused = await state(page);

    // S trains exactly one mini-batch.
    await press(page, 's');
    await page.waitForFunction((step) => window.cnnlab.state().step === step + 1, paused.step,
                               {timeout: 30000});
    await frames(page, 5);
    assert.equal((await state(page)).step, paused.step + 1, 'S trained more than one step');
    await saveScreenshot(page, 'keyboard-1280x800.png');

    // R resets: a new run from the seed, no steps yet.
    await press(page, 'r');
    await page.waitForFunction((run) => window.cnnlab.state().run === run + 1, paused.run,
                               {timeout: 30000});
    assert.equal((await state(page)).step, 0);

    // Tab leaves the canvas (the lab must not trap the keyboard), and Shift+Tab comes back.
    await page.keyboard.press('Tab');
    assert.equal(await focusIsCanvas(page), false, 'Tab stayed in the canvas');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusIsCanvas(page), true, 'Shift+Tab did not come back to the canvas');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
