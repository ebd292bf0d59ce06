// Browser test of Inside the network > "Explain one pixel" through window.cnnlab.explainPixel on
// the site's 1k subset: after one epoch of the CNN, the hand-worked total of an output pixel (the
// patch times the kernel, summed over input channels, plus the bias) equals the engine's own
// feature-map value at that pixel, for the first conv layer and a deeper one, at an interior and
// a border pixel (`same` padding: the border's patch has padding cells, read as 0); the pixel is
// shown in the view; bad requests are refused with the reason. Around the arithmetic: the layer's
// name, the output size under `same` and `valid`, the pixel's receptive field on the image and
// its growth for kernels 3, 5 and 7, each checked against the model's shapes by hand. Opened
// without a request, the view starts on a lively pixel (non-zero after ReLU) and, wide, takes
// the whole right column. Screenshots of the view at 1280x800 and 390x844 go to
// $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks,
         siteUrl, trainToEnd } from './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

// The model's conv layers, 1-based as the Inside tab's headers and explainPixel number them.
const CNN_CONV_LAYERS = [1, 4];  // cnn: conv32-relu-pool-conv64-relu-pool-...

// Scrolls the "Explain one pixel" view down with the mouse wheel over (x, y) (CSS pixels) until
// its end, so a screenshot shows the grids, the channel sums and the total.
async function scrollView(page, x, y) {
  await page.mouse.move(x, y);
  for (let i = 0; i < 12; ++i) {
    await page.mouse.wheel(0, 400);
    await frames(page, 3);
  }
  const scroll = (await page.evaluate(() => window.cnnlab.state())).ui.scroll.insideExplain;
  assert.ok(scroll && scroll.maxY > 0 && scroll.y > 0, `the view scrolled: ${JSON.stringify(scroll)}`);
}

function explain(page, request) {
  return page.evaluate((r) => window.cnnlab.explainPixel(r), request);
}

// explainPixel's error message for a request (null when it was accepted).
function refusal(page, request) {
  return page.evaluate((r) => {
    try {
      window.cnnlab.explainPixel(r);
      return null;
    } catch (e) {
      return e.message;
    }
  }, request);
}

// Checks one explanation's arithmetic: each channel's sum is its products', the total is the
// channel sums plus the bias, and the total matches the engine's feature map.
function checkExplanation(e, what) {
  assert.equal(e.kind, 'conv2d', what);
  assert.ok(e.channels.length >= 1, what);
  let sum = e.bias;
  for (const [i, c] of e.channels.entries()) {
    let products = 0;
    for (let r = 0; r < e.kernel; ++r) {
      for (let k = 0; k < e.kernel; ++k) {
        const expected = c.patch[r][k] * c.weights[r][k];
        assert.ok(Math.abs(c.products[r][k] - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
                  `${what}: channel ${i} product (${r}, ${k})`);
        products += c.products[r][k];
      }
    }
    assert.ok(Math.abs(c.sum - products) <= 1e-4 * Math.max(1, Math.abs(products)),
              `${what}: channel ${i} sum ${c.sum} vs its products ${products}`);
    sum += c.sum;
  }
  const tolerance = 1e-4 * Math.max(1, Math.abs(e.featureValue));
  assert.ok(Math.abs(e.total - sum) <= tolerance, `${what}: total ${e.total} = sums + bias ${sum}`);
  // What the panel says ("the same, up to rounding"): within the float-sum bound of the terms
  // (lab/conv_explainer.cpp), whichever way the engine computed the layer.
  assert.equal(e.engineAgrees, true,
               `${what}: total ${e.total} vs the engine's feature map ${e.featureValue}`);
  if (e.activation === 'relu') {
    assert.ok(Math.abs(e.activated - Math.max(e.featureValue, 0)) <= tolerance, `${what}: relu`);
  }
}

test('explainPixel: the hand-worked sum equals the engine\'s feature map; bad requests refused',
     {timeout: 600000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' subset`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    const url = new URL(siteUrl);
    url.searchParams.set('subset', SUBSET);
    await openLab(page, {url: url.href});
    await page.evaluate(() => window.cnnlab.configure({model: 'cnn', kernel: 3, epochs: 1,
                                                       batch: 64, seed: 3}));
    const trained = await trainToEnd(page);
    assert.equal(trained.phase, 'done');

    const [first, deeper] = CNN_CONV_LAYERS;
    // Opened by itself, the view starts on the first conv layer's liveliest map and pixel: the
    // value after ReLU is not 0 there. Wide, it takes the whole right column (the Curves area's
    // tabs are gone) until another view is chosen.
    await page.evaluate(() => window.cnnlab.showPanel('explain'));
    await frames(page, 8);
    let ui = (await page.evaluate(() => window.cnnlab.state())).ui;
    assert.equal(ui.openTabs.inside, 'Explain one pixel');
    assert.equal(ui.explain.layer, first);
    assert.equal(ui.explain.room, 'tall');
    assert.ok(!ui.tabs.some((t) => t.bar === 'curves'), 'the curves step aside');
    const lively = await explain(page, {layer: first, channel: ui.explain.channel,
                                        y: ui.explain.y, x: ui.explain.x});
    assert.ok(lively.activated > 0, `the first pixel shown is lively: ${lively.activated}`);
    checkExplanation(lively, 'the first pixel shown');
    await saveScreenshot(page, 'explainer-default-1280x800.png');
    await page.evaluate(() => window.cnnlab.showPanel('eval'));
    await frames(page, 6);
    ui = (await page.evaluate(() => window.cnnlab.state())).ui;
    assert.ok(ui.tabs.some((t) => t.bar === 'curves'), 'the curves are back beside other views');
    // Layer 1 reads the image (3 channels, 32x32); layer 4 the 32 maps of the pool before it
    // (16x16).
    const interior1 = await explain(page, {layer: first, channel: 5, y: 12, x: 17});
    assert.equal(interior1.layer, first);
    assert.equal(interior1.kernel, 3);
    assert.equal(interior1.padding, 'same');
    assert.equal(interior1.channels.length, 3);
    assert.ok(interior1.paddingCells.flat().every((p) => !p), 'an interior patch has no padding');
    checkExplanation(interior1, 'layer 1 interior');
    assert.equal(interior1.title, 'conv 1 (3x3, 32 filters)');
    // 32 rows: `same` keeps 32 / 1; `valid` gives (32 - 3) / 1 + 1.
    assert.deepEqual(interior1.outputSize, {same: [32, 32], valid: [30, 30]});
    // Layer 1's receptive field is its window: rows 11..13, columns 16..18.
    assert.deepEqual(interior1.receptiveField, {top: 11, left: 16, bottom: 14, right: 19});
    // conv 3 (1 + 2), pool + 1 (then steps of 2), conv + 2 x 2, pool + 1 x 2; likewise 5 and 7.
    assert.deepEqual(interior1.fieldGrowth, {layers: [1, 3, 4, 6], k3: [3, 4, 8, 10],
                                            k5: [5, 6, 14, 16], k7: [7, 8, 20, 22]});

    const border1 = await explain(page, {layer: first, channel: 0, y: 0, x: 31});
    assert.deepEqual(border1.paddingCells[0], [true, true, true], 'the row above the image is padding');
    assert.deepEqual(border1.paddingCells.map((row) => row[2]), [true, true, true],
                     'the column right of the image is padding');
    assert.equal(border1.channels[0].patch[0][0], 0, 'padding reads 0');
    checkExplanation(border1, 'layer 1 border');
    // The image's border cuts the field: row -1 and column 32 are padding.
    assert.deepEqual(border1.receptiveField, {top: 0, left: 30, bottom: 2, right: 32});

    const interior2 = await explain(page, {layer: deeper, channel: 17, y: 7, x: 8});
    assert.equal(interior2.channels.length, 32, 'a deeper layer sums over the 32 input maps');
    checkExplanation(interior2, 'layer 4 interior');
    assert.equal(interior2.title, 'conv 2 (3x3, 64 filters)');
    assert.deepEqual(interior2.outputSize, {same: [16, 16], valid: [14, 14]});
    // Back through conv 2 (rows 6..8 of the pool's output), the pool (12..17 of conv 1's) and
    // conv 1 (11..18 of the image): 8x8, as the growth table says.
    assert.deepEqual(interior2.receptiveField, {top: 11, left: 13, bottom: 19, right: 21});

    const border2 = await explain(page, {layer: deeper, channel: 63, y: 15, x: 0});
    assert.deepEqual(border2.paddingCells[2], [true, true, true], 'the row below is padding');
    checkExplanation(border2, 'layer 4 border');
    // The pixels' values differ: the explanation reads the real maps, not a constant.
    assert.notEqual(interior2.total, border2.total);

    // A pooling layer: the max of its window, as the engine's.
    const pool = await explain(page, {layer: 3, channel: 2, y: 4, x: 9});
    assert.equal(pool.kind, 'maxpool2d');
    assert.equal(pool.output, Math.max(...pool.values.flat()));
    assert.equal(pool.output, pool.featureValue);
    assert.equal(pool.title, 'max pool after conv 1 (2x2)');
    // Rows 8..9 and columns 18..19 of conv 1's output, each seeing 3x3 of the image: 4x4.
    assert.deepEqual(pool.receptiveField, {top: 7, left: 17, bottom: 11, right: 21});

    // Bad requests: the reason, and the view keeps its pixel.
    const refusals = [
      [{layer: 2, channel: 0, y: 0, x: 0}, /layer 2 is relu, not a conv layer \(the conv layers are 1, 4\)/],
      [{layer: 99, channel: 0, y: 0, x: 0}, /layer 99 does not exist/],
      [{layer: 1, channel: 32, y: 0, x: 0}, /channel 32 is out of range: layer 1 has channels 0\.\.31/],
      [{layer: 1, channel: 0, y: 32, x: 0}, /pixel \(y 32, x 0\) is outside layer 1's 32x32 output/],
      [{layer: 4, channel: 0, y: 0, x: -1}, /outside layer 4's 16x16 output/],
      [{layer: 1, channel: 0.5, y: 0, x: 0}, /'channel' must be a whole number/],
      [{layer: 1, channel: 0, y: 0}, /missing 'x'/],
      [{layer: 1, channel: 0, y: 0, x: 0, colour: 'red'}, /unknown key 'colour'/],
      [7, /expects an object/],
      [undefined, /expects an object/],
    ];
    for (const [request, pattern] of refusals) {
      const message = await refusal(page, request);
      assert.ok(message !== null, `refused: ${JSON.stringify(request)}`);
      assert.match(message, pattern);
    }

    // The view shows the last accepted pixel, in its own sub-tab of Inside the network.
    await explain(page, {layer: first, channel: 5, y: 12, x: 17});
    await frames(page, 6);
    ui = (await page.evaluate(() => window.cnnlab.state())).ui;
    assert.equal(ui.openTabs.results, 'Inside the network');
    assert.equal(ui.openTabs.inside, 'Explain one pixel');
    assert.deepEqual([ui.explain.layer, ui.explain.channel, ui.explain.y, ui.explain.x],
                     [first, 5, 12, 17]);
    await saveScreenshot(page, 'explainer-layer1-1280x800.png');
    await explain(page, {layer: deeper, channel: 17, y: 7, x: 8});
    await frames(page, 6);
    await saveScreenshot(page, 'explainer-layer4-1280x800.png');
    await scrollView(page, 900, 700);
    await saveScreenshot(page, 'explainer-layer4-sums-1280x800.png');

    // A phone: the same view in the narrow layout.
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 10);
    await explain(page, {layer: first, channel: 0, y: 0, x: 31});
    await frames(page, 6);
    const narrow = (await page.evaluate(() => window.cnnlab.state())).ui;
    assert.equal(narrow.layout, 'narrow');
    assert.equal(narrow.openTabs.inside, 'Explain one pixel');
    await saveScreenshot(page, 'explainer-layer1-390x844.png');
    await explain(page, {layer: deeper, channel: 17, y: 7, x: 8});
    await frames(page, 6);
    await saveScreenshot(page, 'explainer-layer4-390x844.png');
    await scrollView(page, 195, 600);
    await saveScreenshot(page, 'explainer-layer4-sums-390x844.png');
    await explain(page, {layer: first, channel: 0, y: 0, x: 31});
    await frames(page, 6);
    await scrollView(page, 195, 600);
    await saveScreenshot(page, 'explainer-layer1-sums-390x844.png');
    await explain(page, {layer: 3, channel: 2, y: 4, x: 9});
    await frames(page, 6);
    await saveScreenshot(page, 'explainer-pool-390x844.png');
    // Reduced motion: the page tells the app, which turns Play off (greyed in the screenshot).
    assert.equal((await page.evaluate(() => window.cnnlab.state())).ui.reducedMotion, false);
    await page.emulateMedia({reducedMotion: 'reduce'});
    await page.waitForFunction(() => window.cnnlab.state().ui.reducedMotion === true, null,
                               {timeout: 10000});
    await explain(page, {layer: first, channel: 5, y: 12, x: 17});
    await page.mouse.move(195, 600);
    for (let i = 0; i < 12; ++i) {
      await page.mouse.wheel(0, -400);
      await frames(page, 3);
    }
    assert.equal((await page.evaluate(() => window.cnnlab.state())).ui.scroll.insideExplain.y, 0);
    await saveScreenshot(page, 'explainer-reduced-motion-390x844.png');
    await page.emulateMedia({reducedMotion: 'no-preference'});
    await page.waitForFunction(() => window.cnnlab.state().ui.reducedMotion === false, null,
                               {timeout: 10000});
    // A 7x7 model: its second conv layer (32 input maps) runs on Winograd's 10 x 10 tiles in the
    // page, which round more than a plain sum; the panel must still find the engine's value the
    // same as the hand-worked one, at interior, border and corner pixels.
    await page.evaluate(() => window.cnnlab.configure({model: 'cnn', kernel: 7, epochs: 1,
                                                       batch: 64, seed: 3}));
    assert.equal((await trainToEnd(page)).phase, 'done');
    for (const [channel, y, x] of [[17, 7, 8], [63, 15, 0], [0, 0, 0]]) {
      const e = await explain(page, {layer: deeper, channel, y, x});
      assert.equal(e.kernel, 7);
      assert.equal(e.channels.length, 32);
      checkExplanation(e, `7x7 conv 2, map ${channel}, pixel (${y}, ${x})`);
    }
    await frames(page, 6);
    await scrollView(page, 195, 600);
    await saveScreenshot(page, 'explainer-k7-sums-390x844.png');
    await page.setViewportSize({width: 1280, height: 800});
    await explain(page, {layer: deeper, channel: 17, y: 7, x: 8});
    await frames(page, 10);
    await scrollView(page, 900, 700);
    await saveScreenshot(page, 'explainer-k7-sums-1280x800.png');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
