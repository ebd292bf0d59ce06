// Browser end-to-end test of the Curves panel with runs on two datasets: two runs on a synthetic
// pack given in the URL, then two on a smaller pack loaded as the student's own. history() names
// each run's dataset; the panel says the accuracies are not comparable, its legend names each
// run's dataset, and "Only this dataset's runs" leaves the loaded dataset's runs. The legend (one
// for both plots) lies outside both plots at 1280x800 and at 390x844. Screenshots of the page go
// to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, saveScreenshot, siteUrl, trainToEnd } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const PACK_PATH = '**/test-data/synthetic.pack';

// The Curves panel's noted rectangles (state().ui.controls, panel 'curves'): {name: rect}.
async function curvesControls(page) {
  const ui = await page.evaluate(() => window.cnnlab.state().ui);
  const out = {};
  for (const c of ui.controls) if (c.panel === 'curves') out[c.name] = {...c, scale: ui.scale};
  return out;
}

const legendOf = (controls) => Object.keys(controls).filter((n) => n.startsWith('legend: '));

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// Every legend entry in view lies outside both plots (entries scrolled out of the legend's box
// are clipped: not drawn).
function assertLegendBesidePlots(controls, where) {
  for (const plot of ['loss', 'accuracy']) assert.ok(controls[plot], `${where}: the ${plot} plot is drawn`);
  const entries = legendOf(controls).filter((name) => controls[name].visible);
  assert.ok(entries.length > 0, `${where}: a legend is drawn`);
  for (const name of entries) {
    for (const plot of ['loss', 'accuracy']) {
      assert.ok(!overlaps(controls[name], controls[plot]),
                `${where}: '${name}' ${JSON.stringify(controls[name])} lies over the ${plot} plot ` +
                JSON.stringify(controls[plot]));
    }
  }
}

async function click(page, control) {
  await page.mouse.click((control.x + control.h / 2) / control.scale,
                         (control.y + control.h / 2) / control.scale);
  await frames(page, 4);
}

test('runs on two datasets: named in history() and the legend, a note, a filter; the legend ' +
     'outside the plots at 1280x800 and 390x844', {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await context.route(PACK_PATH, (route) => route.fulfill(
        {status: 200, contentType: 'application/octet-stream', body: syntheticPack()}));
    await page.goto(`${siteUrl}?pack=test-data/synthetic.pack`);
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    await page.evaluate(() => window.cnnlab.configure(
        {model: 'mlp', dense: 32, epochs: 1, batch: 16, seed: 5}));
    await trainToEnd(page);
    await page.evaluate(() => window.cnnlab.configure({dense: 48}));
    await trainToEnd(page);
    // One dataset: the legend names the runs only, no note.
    let controls = await curvesControls(page);
    assert.equal(legendOf(controls).length, 2, JSON.stringify(Object.keys(controls)));
    assert.ok(legendOf(controls).every((n) => !n.includes(' on ')), legendOf(controls).join(' | '));
    assert.equal(controls['datasets-differ'], undefined);

    // A smaller pack of the same name, loaded as the student's own dataset: two more runs.
    const small = syntheticPack({perClassTrain: 20, perClassTest: 5});
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await window.cnnlab.loadDataset(bytes, 'small.pack');
    }, small.toString('base64'));
    await trainToEnd(page);
    await page.evaluate(() => window.cnnlab.configure({dense: 32}));
    await trainToEnd(page);

    // 4 classes: 30 (then 20) training and 10 (then 5) test images a class.
    const history = await page.evaluate(() => window.cnnlab.history());
    assert.deepEqual(history.map((r) => r.dataset), [
      'synthetic: 120 train + 40 test images', 'synthetic: 120 train + 40 test images',
      'synthetic: 80 train + 20 test images', 'synthetic: 80 train + 20 test images']);

    await frames(page, 6);
    controls = await curvesControls(page);
    assert.ok(controls['datasets-differ'], 'the panel says the datasets differ');
    const entries = legendOf(controls);
    assert.equal(entries.length, 4, entries.join(' | '));
    for (const r of history) {
      assert.ok(entries.includes(`legend: ${r.label} on ${r.dataset}`), `${r.label}: ${entries.join(' | ')}`);
    }
    assertLegendBesidePlots(controls, '1280x800');
    await saveScreenshot(page, 'curves-two-datasets-1280x800.png');

    // Only the loaded dataset's runs: runs 3 and 4 stay in the legend, the note stays.
    await click(page, controls['only-current-dataset']);
    controls = await curvesControls(page);
    assert.ok(controls['datasets-differ'], JSON.stringify(Object.keys(controls)));
    assert.deepEqual(legendOf(controls).map((n) => n.split(':')[1]), [' run 3', ' run 4']);
    await saveScreenshot(page, 'curves-only-this-dataset-1280x800.png');
    await click(page, controls['only-current-dataset']);
    assert.equal(legendOf(await curvesControls(page)).length, 4);

    // A phone: the Curves area on its own (the area tabs), the legend still beside the plots.
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 6);
    const tabs = (await page.evaluate(() => window.cnnlab.state().ui)).tabs;
    const area = tabs.find((t) => t.bar === 'areas' && t.name === 'Curves');
    assert.ok(area, JSON.stringify(tabs));
    const scale = (await page.evaluate(() => window.cnnlab.state().ui.scale));
    await page.mouse.click((area.x + area.w / 2) / scale, (area.y + area.h / 2) / scale);
    await frames(page, 6);
    controls = await curvesControls(page);
    assert.ok(controls['datasets-differ'], JSON.stringify(Object.keys(controls)));
    assertLegendBesidePlots(controls, '390x844');
    await saveScreenshot(page, 'curves-two-datasets-390x844.png');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
