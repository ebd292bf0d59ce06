// Browser end-to-end test of a model of one's own (the `spec` option: a layer list in the engine's
// spec language) on the site's 1k subset, through window.cnnlab and a link:
//   - configure({spec}) makes the model 'custom', state().model counts the parameters worked out
//     by hand, and the Model panel's layer editor and text show it (screenshots at 1280x800 and
//     390x844 go to $CNNLAB_ARTIFACTS);
//   - a misspelt layer and a layer that does not fit the data are refused with the engine's
//     message naming the layer, and the settings stay as they were;
//   - a run trains that model and the run log records its layers;
//   - an experiment on that base sweeps the kernel of every conv layer (kernel 3 and 5);
//   - typed into the Model panel's "Model as text" field, a misspelt layer is named under the
//     field and changes nothing; a valid list becomes the lab's model once the field is left;
//   - a link with ?spec= opens a lab with that model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, siteUrl, sitePacks, trainToEnd } from
    './lib/harness.mjs';

const SUBSET = '1k';
// 3x32x32 input: conv 8 x (3 x 5 x 5 + 1) = 608; after the 2x2 pool 8 x 16 x 16 = 2,048 values;
// dense 10 x (2,048 + 1) = 20,490. 21,098 parameters in all.
const SPEC = 'conv2d 8 k=5 pad=same; relu; maxpool2d 2; flatten; dense 10';
const SPEC_PARAMS = 608 + 20490;

let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

const hold = async (page, ...keys) => {
  // Dear ImGui samples key states once per frame: hold each key for a few frames.
  for (const key of keys) await page.keyboard.down(key);
  await frames(page, 3);
  for (const key of keys.reverse()) await page.keyboard.up(key);
  await frames(page, 2);
};

// Scrolls the Model panel until "Model as text" is on screen, replaces its text by typing and
// returns what the app says of it (state().modelTextCheck: "" when the text is a model).
async function typeIntoSpecField(page, text) {
  await page.evaluate(() => window.cnnlab.showPanel('model'));
  await frames(page, 6);
  let field = null;
  for (let i = 0; i < 20 && !field; ++i) {
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    field = ui.controls.find((c) => c.panel === 'model' && c.name === 'spec' && c.visible) || null;
    if (!field) {
      await page.mouse.move(200, 300);
      await page.mouse.wheel(0, 200);
      await frames(page, 4);
    }
  }
  assert.ok(field, 'the Model panel shows its "Model as text" field');
  const scale = await page.evaluate(() => window.cnnlab.state().ui.scale);
  await page.mouse.click((field.x + field.w / 2) / scale, (field.y + field.h / 2) / scale);
  await frames(page, 3);
  await hold(page, 'Control', 'a');
  await page.keyboard.type(text, {delay: 20});
  await frames(page, 6);
  return page.evaluate(() => window.cnnlab.state().modelTextCheck);
}

const refusal = (page, options) => page.evaluate(
    (o) => window.cnnlab.configure(o).then(() => null, (e) => e.message), options);

test('a model of one\'s own: configure({spec}), refusals by layer, a run, an experiment, a link',
     {timeout: 600000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate((spec) => window.cnnlab.configure(
        {subset: '1k', spec, epochs: 1, batch: 32, lr: 0.002, seed: 5}), SPEC);
    assert.equal(configured.options.model, 'custom');
    assert.equal(configured.options.spec, SPEC);
    await page.waitForFunction((n) => {
      const m = window.cnnlab.state().model;
      return m && m.params === n;
    }, SPEC_PARAMS, {timeout: 30000});
    const model = await page.evaluate(() => window.cnnlab.state().model);
    assert.equal(model.name, 'custom');
    assert.equal(model.kernel, 5);  // the kernel its conv layers share

    // Refused with the engine's message naming the layer; nothing changes.
    assert.match(await refusal(page, {spec: 'conv2d 8 k=5; maxpol2d 2; flatten; dense 10'}),
                 /option spec: layer 2: unknown layer 'maxpol2d'/);
    assert.match(await refusal(page, {spec: 'conv2d 8 k=3; maxpool2d 64; flatten; dense 10'}),
                 /layer 2/);  // a 64x64 window on conv 1's 30x30 maps
    assert.match(await refusal(page, {model: 'cnn', spec: SPEC}), /a spec replaces the preset/);
    assert.equal(await page.evaluate(() => window.cnnlab.state().options.spec), SPEC);

    // The Model panel shows the layers and the text.
    await page.evaluate(() => window.cnnlab.showPanel('model'));
    await frames(page, 8);
    await saveScreenshot(page, 'model-editor-1280x800.png');
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 10);
    await page.evaluate(() => window.cnnlab.showPanel('model'));
    await frames(page, 8);
    await saveScreenshot(page, 'model-editor-390x844.png');
    await page.setViewportSize({width: 1280, height: 800});
    await frames(page, 8);

    // Typed into "Model as text": checked as typed, applied once the field is left.
    // ';' between layers: typed characters are queued, while an Enter pressed and released
    // within one frame of a loaded machine can be missed by Dear ImGui's per-frame key sampling.
    const typed = await typeIntoSpecField(page, 'conv2d 4 k=3; relu; maxpol2d 2; flatten; dense 10');
    assert.match(typed, /layer 3: unknown layer 'maxpol2d'/);
    assert.equal(await page.evaluate(() => window.cnnlab.state().options.spec), SPEC);
    // Start waits: it would train the last valid model, not the one on screen.
    assert.match(await page.evaluate(() => window.cnnlab.state().trainingBlocked),
                 /Model as text has an error/);
    const valid = await typeIntoSpecField(page, 'conv2d 4 k=3 pad=same; relu; maxpool2d 2; flatten; dense 10');
    assert.equal(valid, '');
    assert.equal(await page.evaluate(() => window.cnnlab.state().trainingBlocked), null);
    await page.mouse.click(640, 20);  // the menu bar: leaves the field
    await page.waitForFunction(() => window.cnnlab.state().options.spec ===
                               'conv2d 4 k=3 pad=same; relu; maxpool2d 2; flatten; dense 10',
                               null, {timeout: 20000});
    // 4 x (3 x 9 + 1) = 112; dense 10 x (4 x 16 x 16 + 1) = 10,250.
    await page.waitForFunction(() => window.cnnlab.state().model.params === 10362, null,
                               {timeout: 20000});
    await page.evaluate((spec) => window.cnnlab.configure({spec}), SPEC);

    // A run trains it; the run log keeps its layers.
    const done = await trainToEnd(page);
    assert.ok(done.testAcc > 0.1, `above chance after one epoch: ${done.testAcc}`);
    const runs = await page.evaluate(() => window.cnnlab.runs());
    const last = runs[runs.length - 1];
    assert.equal(last.options.model, 'custom');
    assert.equal(last.options.spec, SPEC);

    // An experiment on this base: the kernel of every conv layer.
    const started = await page.evaluate(
        () => window.cnnlab.experiment({vary: 'kernel', values: [3, 5], repeats: 1, epochs: 1}));
    assert.notEqual(started.phase, 'error', started.error);
    await page.waitForFunction(() => {
      const r = window.cnnlab.results();
      return r && r.done;
    }, null, {timeout: 400000});
    const results = await page.evaluate(() => window.cnnlab.results());
    assert.deepEqual(results.runs.map((r) => r.options.spec), [
      'conv2d 8 k=3 pad=same; relu; maxpool2d 2; flatten; dense 10',
      'conv2d 8 k=5 pad=same; relu; maxpool2d 2; flatten; dense 10']);
    assert.deepEqual(results.runs.map((r) => r.parameters), [8 * 28 + 20490, SPEC_PARAMS]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  // A link opens a lab with that model.
  const linked = await newPage(browser, {width: 1280, height: 800});
  try {
    const url = new URL(siteUrl);
    url.searchParams.set('subset', '1k');
    url.searchParams.set('spec', SPEC.replace(/; /g, '\n'));  // one layer per line reads the same
    await openLab(linked.page, {timeout: 240000, url: url.href});
    await linked.page.waitForFunction((n) => {
      const s = window.cnnlab.state();
      return s.model && s.model.params === n;
    }, SPEC_PARAMS, {timeout: 30000});
    const options = await linked.page.evaluate(() => window.cnnlab.state().options);
    assert.equal(options.model, 'custom');
    assert.equal(options.spec, SPEC.replace(/; /g, '\n'));
    assert.deepEqual(linked.errors, []);
  } finally {
    await linked.context.close();
  }
});
