// Browser tests of the dataset path: the page downloads a pack (made here, see lib/pack.mjs) with
// a progress bar, the app shows it in the Data panel and reports it through window.cnnlab, a
// reload takes it from the browser's cache, and a corrupt or missing pack shows what failed with
// a Retry that recovers. Screenshots go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { canvasStats, frames, launchBrowser, newPage, saveScreenshot, siteUrl,
         writeArtifact } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const PACK_PATH = '**/test-data/synthetic.pack';
const packUrl = `${siteUrl}?pack=test-data/synthetic.pack`;

function waitForPhase(page, phases, timeout = 60000) {
  return page.waitForFunction((wanted) => window.cnnlab &&
      wanted.includes(window.cnnlab.state().phase), phases, {timeout});
}

test('a pack given in the URL is downloaded, shown and reported', {timeout: 120000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    const pack = syntheticPack();
    let requests = 0;
    await context.route(PACK_PATH, (route) => {
      ++requests;
      return route.fulfill({status: 200, contentType: 'application/octet-stream', body: pack});
    });
    await page.goto(packUrl);
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.equal(state.phase, 'ready');
    assert.equal(state.loading, null);
    // 30 training images per class, 10 % stratified validation: 3 per class.
    assert.equal(state.dataset.name, 'synthetic');
    assert.equal(state.dataset.train, 108);
    assert.equal(state.dataset.val, 12);
    assert.equal(state.dataset.test, 40);
    assert.equal(state.dataset.classes, 4);
    // The model summary follows the dataset's shape and class count (cnn k=3 on 3x32x32,
    // 4 classes: 545,098 - 6 x 129 for the smaller last layer).
    assert.deepEqual(state.model, {name: 'cnn', kernel: 3, params: 545098 - 6 * 129});
    await frames(page, 5);
    const stats = await canvasStats(page);
    assert.ok(stats.distinctColors >= 30, JSON.stringify(stats));
    await saveScreenshot(page, 'panel-data.png');
    // Every tab, for the artifacts (and showPanel's contract).
    for (const name of ['model', 'eval', 'inside']) {
      await page.evaluate((n) => window.cnnlab.showPanel(n), name);
      await frames(page, 3);
      await saveScreenshot(page, `panel-${name}.png`);
    }
    await assert.rejects(page.evaluate(() => window.cnnlab.showPanel('nonsense')),
                         /unknown panel 'nonsense'/);
    writeArtifact('state-with-dataset.json', JSON.stringify(state, null, 2));
    assert.equal(requests, 1);

    // A reload takes the pack from the browser's cache: no second request.
    await page.reload();
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    assert.equal((await page.evaluate(() => window.cnnlab.state())).dataset.train, 108);
    assert.equal(requests, 1, 'the second load came from the cache');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a corrupt pack is reported with a Retry that recovers', {timeout: 120000}, async () => {
  const {context, page} = await newPage(browser);
  try {
    const good = syntheticPack();
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 5] ^= 0xff;  // one pixel: the payload checksum no longer matches
    let serve = corrupt;
    await context.route(PACK_PATH, (route) =>
        route.fulfill({status: 200, contentType: 'application/octet-stream', body: serve}));
    await page.goto(packUrl);
    await waitForPhase(page, ['error']);
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.match(state.error, /synthetic\.pack/);
    assert.match(state.error, /checksum|CRC/i);
    assert.ok(await page.locator('.cnnlab-error').isVisible());
    assert.match(await page.locator('.cnnlab-error h2').textContent(), /dataset/);
    await saveScreenshot(page, 'error-corrupt-pack.png');

    serve = good;
    await page.getByRole('button', {name: 'Retry'}).click();
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    const after = await page.evaluate(() => window.cnnlab.state());
    assert.equal(after.phase, 'ready');
    assert.equal(after.dataset.train, 108);
    assert.ok(!(await page.locator('.cnnlab-error').isVisible()));
  } finally {
    await context.close();
  }
});

test('a missing pack is reported, not a blank canvas', {timeout: 120000}, async () => {
  const {context, page} = await newPage(browser);
  try {
    await context.route(PACK_PATH, (route) => route.fulfill({status: 404, body: 'no'}));
    await page.goto(packUrl);
    await waitForPhase(page, ['error']);
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.match(state.error, /synthetic\.pack.*404/);
    // The lab itself runs: "Back to the lab" closes the box and leaves it usable, no dataset.
    const back = page.getByRole('button', {name: 'Back to the lab'});
    assert.ok(await back.isVisible());
    await back.click();
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    const after = await page.evaluate(() => window.cnnlab.state());
    assert.equal(after.phase, 'ready');
    assert.equal(after.error, null);
    assert.ok(!(await page.locator('.cnnlab-error').isVisible()));
  } finally {
    await context.close();
  }
});

test('loadPack() loads another dataset into a running lab', {timeout: 120000}, async () => {
  const {context, page, errors} = await newPage(browser);
  try {
    await context.route(PACK_PATH, (route) => route.fulfill({
      status: 200, contentType: 'application/octet-stream',
      body: syntheticPack({perClassTrain: 20, perClassTest: 5})}));
    await page.goto(siteUrl);
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    await page.evaluate(() => window.cnnlab.loadPack('test-data/synthetic.pack'));
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.equal(state.phase, 'ready');
    assert.equal(state.dataset.name, 'synthetic');
    assert.deepEqual([state.dataset.train, state.dataset.val, state.dataset.test], [72, 8, 20]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
