// Browser tests of the dataset packs the build put in the site (data/packs.json, made with
// -DCNNLAB_SITE_DATA): the default subset loads before cnnlab.ready resolves, another subset
// loads on demand, and the Data panel shows real images. Skipped when the site has no packs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { canvasStats, frames, launchBrowser, newPage, saveScreenshot, siteUrl,
         writeArtifact } from './lib/harness.mjs';

let browser;
let manifest = {packs: []};
before(async () => {
  const response = await fetch(new URL('data/packs.json', siteUrl));
  if (response.ok) manifest = await response.json();
  if (manifest.packs.length > 0) browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

test('the default subset loads before ready; another loads on demand', {timeout: 300000},
     async (t) => {
  if (manifest.packs.length === 0) {
    t.skip('the site has no dataset packs (configure with -DCNNLAB_SITE_DATA=SOURCE)');
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await page.goto(siteUrl);
    await page.waitForFunction(() => window.cnnlab &&
        ['ready', 'error'].includes(window.cnnlab.state().phase), null, {timeout: 240000});
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.equal(state.phase, 'ready', state.error);
    const chosen = manifest.packs.find((p) => p.id === manifest.default) || manifest.packs[0];
    assert.ok(state.dataset, 'the default subset is loaded');
    assert.ok(state.dataset.origin.endsWith(chosen.file), state.dataset.origin);
    const classes = state.dataset.classes;
    if (chosen.trainPerClass > 0) {
      assert.equal(state.dataset.train + state.dataset.val, chosen.trainPerClass * classes);
    }
    if (chosen.testPerClass > 0) assert.equal(state.dataset.test, chosen.testPerClass * classes);
    await frames(page, 5);
    const stats = await canvasStats(page);
    assert.ok(stats.distinctColors >= 100, `sample images are drawn: ${JSON.stringify(stats)}`);
    await saveScreenshot(page, `site-data-${chosen.id}.png`);
    writeArtifact('state-site-data.json', JSON.stringify(state, null, 2));

    const other = manifest.packs.find((p) => p !== chosen && p.trainPerClass > 0);
    if (other) {
      await page.evaluate((file) => window.cnnlab.loadPack(file), other.file);
      const next = await page.evaluate(() => window.cnnlab.state());
      assert.ok(next.dataset.origin.endsWith(other.file));
      assert.equal(next.dataset.train + next.dataset.val, other.trainPerClass * classes);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
