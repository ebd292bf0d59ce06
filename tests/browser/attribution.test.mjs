// Browser end-to-end test of "Where it looks" (Inside the network's attribution maps) through
// window.cnnlab.saliency on the site's 1k subset: a CNN trains 2 epochs, then
//   - gradient and SmoothGrad give a [C, H, W] map of finite values for the predicted class (the
//     same seed: the same SmoothGrad map twice), Grad-CAM a coarser [H', W'] map, occlusion [H, W];
//   - occlusion with one square the size of the image gives every pixel the same drop, at most
//     the class's own probability (p(clean) - p(grey image));
//   - a chosen class is the one explained; the untrained network (the time slider's epoch 0)
//     gives another map than the trained one;
//   - bad requests and Grad-CAM on an MLP are refused naming why.
// Screenshots of the sub-tab at 1280x800 and 390x844 go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks, trainToEnd } from
    './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

const saliency = (page, request) => page.evaluate((r) => window.cnnlab.saliency(r), request);
const refusal = (page, request) => page.evaluate((r) => {
  try {
    window.cnnlab.saliency(r);
    return null;
  } catch (e) {
    return e.message;
  }
}, request);

test('where it looks: gradient, SmoothGrad, Grad-CAM and occlusion maps of the shown image',
     {timeout: 600000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    await page.evaluate((subset) => window.cnnlab.configure(
        {subset, model: 'cnn', kernel: 3, epochs: 2, batch: 32, lr: 0.002, seed: 3, patience: 0}),
    SUBSET);
    const trained = await trainToEnd(page);
    const classes = trained.dataset.classes;

    const gradient = await saliency(page, {method: 'gradient'});
    assert.deepEqual(gradient.shape, [3, 32, 32]);
    assert.equal(gradient.values.length, 3 * 32 * 32);
    assert.ok(gradient.values.every(Number.isFinite));
    assert.ok(gradient.values.some((v) => v !== 0), 'the gradient is not all zero');
    assert.equal(gradient.class, gradient.predictedClass);  // no class asked: the predicted one
    assert.ok(gradient.probability > 0 && gradient.probability < 1);

    const smooth = await saliency(page, {method: 'smoothgrad'});
    assert.deepEqual(smooth.shape, [3, 32, 32]);
    assert.notDeepEqual(smooth.values, gradient.values);
    assert.deepEqual((await saliency(page, {method: 'smoothgrad'})).values, smooth.values);

    const cam = await saliency(page, {method: 'gradcam'});
    assert.equal(cam.shape.length, 2);
    assert.ok(cam.shape[0] < 32 && cam.shape[0] === cam.shape[1], `a coarser map: ${cam.shape}`);
    assert.ok(cam.values.every((v) => v >= 0), 'Grad-CAM is a ReLU of a sum');

    const occlusion = await saliency(page, {method: 'occlusion', patch: 8, stride: 4});
    assert.deepEqual(occlusion.shape, [32, 32]);
    // One square as large as the image: every pixel hidden by the same single patch.
    const whole = await saliency(page, {method: 'occlusion', patch: 32, stride: 32});
    assert.ok(whole.values.every((v) => v === whole.values[0]), 'one drop for every pixel');
    assert.ok(whole.values[0] <= whole.probability + 1e-6);

    const other = (gradient.predictedClass + 1) % classes;
    const chosen = await saliency(page, {method: 'gradient', class: other});
    assert.equal(chosen.class, other);
    assert.notDeepEqual(chosen.values, gradient.values);

    // The untrained network (epoch 0 of the time slider) looks elsewhere than the trained one.
    await page.evaluate((run) => window.cnnlab.showEpoch(run, 0), trained.run);
    const untrained = await saliency(page, {method: 'gradient', class: gradient.class});
    assert.notDeepEqual(untrained.values, gradient.values);
    await page.evaluate(() => window.cnnlab.showEpoch(null));

    for (const [request, reason] of [
      [{method: 'lime'}, /unknown method 'lime'/],
      [{method: 'gradient', class: classes}, new RegExp(`class ${classes} is not one of the ${classes} classes`)],
      [{method: 'occlusion', patch: 0}, /'patch' must be a whole number >= 1/],
      [{method: 'occlusion', patch: 4, stride: 8}, /a stride of at most the square, got patch 4, stride 8/],
      [{method: 'occlusion', patch: 33}, /a square of at most the image's 32 pixels/],
      [{method: 'gradient', colour: 'red'}, /unknown key 'colour'/],
    ]) {
      assert.match(await refusal(page, request), reason, JSON.stringify(request));
    }
    // A refused request changed nothing: the last map's method and square are still in place.
    assert.deepEqual((await saliency(page, {})).shape, [3, 32, 32]);  // the gradient, last asked

    await saliency(page, {method: 'gradcam'});
    await frames(page, 10);
    await saveScreenshot(page, 'where-it-looks-1280x800.png');
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 12);
    await page.evaluate(() => window.cnnlab.saliency({method: 'occlusion'}));
    await frames(page, 10);
    await saveScreenshot(page, 'where-it-looks-390x844.png');
    await page.setViewportSize({width: 1280, height: 800});
    await frames(page, 8);

    // An MLP has no conv layer for Grad-CAM; the gradient still works.
    await page.evaluate(() => window.cnnlab.configure({model: 'mlp', epochs: 1}));
    await trainToEnd(page);
    assert.match(await refusal(page, {method: 'gradcam'}), /conv/);
    assert.deepEqual((await saliency(page, {method: 'gradient'})).shape, [3, 32, 32]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
