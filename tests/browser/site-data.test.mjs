// Browser tests of the dataset packs the build put in the site (data/packs.json, made with
// -DCNNLAB_SITE_DATA): the default subset loads before cnnlab.ready resolves, another subset
// loads on demand, and the Data panel shows real images. Skipped when the site has no packs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { canvasStats, frames, launchBrowser, newPage, openLab, saveScreenshot, siteUrl,
         writeArtifact } from './lib/harness.mjs';
import { crc32 } from './lib/pack.mjs';

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

// The site's default pack with image 5 of its training split made undecodable (its entropy-coded
// bytes replaced by stuffed 0xFF bytes, which no Huffman code of the standard tables matches) and
// both checksums made consistent again, so only the JPEG decoder can notice. Null when the pack
// is not a JPEG pack (a site built with --raw packs).
function withCorruptImage(pack, index) {
  const dv = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  if (dv.getUint32(8, true) !== 2 || pack[44] !== 1) return null;
  const nTrain = dv.getUint32(32, true);
  const table = 64 + dv.getUint32(40, true) + dv.getUint16(46, true) + nTrain;
  let at = table + 4 * nTrain;
  for (let i = 0; i < index; ++i) at += dv.getUint32(table + 4 * i, true);
  const size = dv.getUint32(table + 4 * index, true);
  const out = Buffer.from(pack);
  for (let i = 0; i + 2 < size; i += 2) {
    out[at + i] = 0xff;
    out[at + i + 1] = 0x00;
  }
  out.writeUInt32LE(crc32(out.subarray(64)), 56);
  out.writeUInt32LE(crc32(out.subarray(0, 60)), 60);
  return out;
}

test('a JPEG pack with a corrupt image is refused naming it; the loaded dataset stays',
     {timeout: 300000}, async (t) => {
  if (manifest.packs.length === 0) {
    t.skip('the site has no dataset packs (configure with -DCNNLAB_SITE_DATA=SOURCE)');
    return;
  }
  const chosen = manifest.packs.find((p) => p.id === manifest.default) || manifest.packs[0];
  const pack = new Uint8Array(await (await fetch(new URL(chosen.file, siteUrl))).arrayBuffer());
  const corrupt = withCorruptImage(pack, 5);
  if (!corrupt) {
    t.skip('the site\'s packs are raw (built with CNNLAB_SITE_PACK_OPTIONS=--raw)');
    return;
  }
  const {context, page} = await newPage(browser, {width: 1280, height: 800});
  try {
    await context.route('**/corrupt-image.pack', (route) => route.fulfill(
        {status: 200, contentType: 'application/octet-stream', body: corrupt}));
    await openLab(page, {timeout: 240000});
    const message = await page.evaluate(() => window.cnnlab.loadPack('corrupt-image.pack')
        .then(() => 'loaded', (e) => e.message));
    assert.match(message, /corrupt-image\.pack: image 5 of the train split: corrupt image/);
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.ok(state.dataset.origin.endsWith(chosen.file), state.dataset.origin);
  } finally {
    await context.close();
  }
});

// The first dataset downloads into the training worker while the app starts, not after it: the
// app's glue script is held back until the pack's request has gone out (a page that asked for
// the pack only once the app ran would never ask: the hold ends after a minute and the check
// fails). The worker's answers wait for the app, which then has the dataset as usual. And a
// corrupt first pack, downloaded early, is still refused with the error box naming the image.
test('the first dataset downloads while the app starts, and reaches the app',
     {timeout: 300000}, async (t) => {
  if (manifest.packs.length === 0) {
    t.skip('the site has no dataset packs (configure with -DCNNLAB_SITE_DATA=SOURCE)');
    return;
  }
  const chosen = manifest.packs.find((p) => p.id === manifest.default) || manifest.packs[0];
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    let packRequested;
    const packSeen = new Promise((resolve) => { packRequested = resolve; });
    const requests = [];
    page.on('request', (request) => {
      requests.push(request.url());
      if (request.url().endsWith(chosen.file)) packRequested(true);
    });
    let glueHeld = false;
    await context.route('**/cnnlab_app.js', async (route) => {
      glueHeld = await Promise.race([packSeen,
          new Promise((resolve) => setTimeout(() => resolve(false), 60000))]);
      await route.continue();
    });
    await openLab(page, {timeout: 240000});
    assert.ok(glueHeld, `the pack was not asked for while the app's script was held: ${requests.join(', ')}`);
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.equal(state.phase, 'ready', state.error);
    assert.ok(state.dataset && state.dataset.origin.endsWith(chosen.file), JSON.stringify(state.dataset));
    if (chosen.testPerClass > 0) assert.equal(state.dataset.test, chosen.testPerClass * state.dataset.classes);
    // Asked for once: the early download is the one the lab used.
    assert.equal(requests.filter((url) => url.endsWith(chosen.file)).length, 1, requests.join(', '));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  const pack = new Uint8Array(await (await fetch(new URL(chosen.file, siteUrl))).arrayBuffer());
  const corrupt = withCorruptImage(pack, 5);
  if (!corrupt) return;  // raw packs: nothing a decoder could refuse
  const second = await newPage(browser, {width: 1280, height: 800});
  try {
    await second.context.route(`**/${chosen.file}`, (route) => route.fulfill(
        {status: 200, contentType: 'application/octet-stream', body: corrupt}));
    await second.page.goto(siteUrl);
    await second.page.waitForFunction(() => window.cnnlab && window.cnnlab.state().phase === 'error',
                                      null, {timeout: 240000});
    const state = await second.page.evaluate(() => window.cnnlab.state());
    assert.match(state.error, /image 5 of the train split: corrupt image/);
  } finally {
    await second.context.close();
  }
});
