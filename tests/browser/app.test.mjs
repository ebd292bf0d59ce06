// Browser end-to-end tests of the lab's shell: the page loads, window.cnnlab.ready resolves, the
// canvas shows the app (sampled pixels), no console errors, the canvas follows the page's size
// and pixel density, the loading progress is reported, and a failed download shows an error box
// whose Retry button recovers. Screenshots go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { canvasStats, frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks,
         siteUrl, writeArtifact } from './lib/harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

async function checkLoadsAt(width, height) {
  const {context, page, errors} = await newPage(browser, {width, height});
  try {
    const state = await openLab(page);
    assert.equal(state.phase, 'ready');
    assert.equal(state.error, null);
    await frames(page, 10);
    // The canvas takes the page but for a strip at the bottom, the Text view toggle's.
    const canvas = await page.evaluate(() => {
      const c = document.querySelector('canvas.cnnlab-canvas');
      return {width: c.width, height: c.height, cssHeight: c.getBoundingClientRect().height};
    });
    assert.ok(canvas.cssHeight >= height - 60 && canvas.cssHeight < height, JSON.stringify(canvas));
    assert.deepEqual({width: canvas.width, height: canvas.height},
                     {width, height: Math.round(canvas.cssHeight)},
                     'canvas backbuffer = its size x devicePixelRatio');
    const after = await page.evaluate(() => window.cnnlab.state());
    assert.deepEqual(after.ui.display, [width, canvas.height], 'ImGui draws on the whole canvas');
    assert.equal(after.ui.fontLoaded, true, 'the DejaVu Sans font was loaded, not the pixel font');
    assert.ok(after.fps > 0, `fps is reported (${after.fps})`);
    const stats = await canvasStats(page);
    assert.ok(stats.distinctColors >= 20 && stats.nonBackgroundFraction > 0.05,
              `canvas is drawn, not blank: ${JSON.stringify(stats)}`);
    await saveScreenshot(page, `app-${width}x${height}.png`);
    assert.deepEqual(errors, [], 'no console errors');
    return after;
  } finally {
    await context.close();
  }
}

test('loads at 1280x800: ready resolves, canvas drawn, no console errors', {timeout: 120000},
     async () => {
  const state = await checkLoadsAt(1280, 800);
  // The empty states are explicit: nothing is reported that the engine did not produce.
  assert.equal(state.trainAcc, null);
  assert.equal(state.testAcc, null);
  if ((await sitePacks()).packs.length === 0) {
    assert.equal(state.dataset, null);
    // The default model's summary comes from the engine (CIFAR-10 input until a dataset
    // loads): the seed CNN's parameter count as Keras / PyTorch count it.
    assert.deepEqual(state.model, {name: 'cnn', kernel: 3, params: 545098});
  } else {
    assert.ok(state.dataset, 'the site\'s default subset is loaded before ready');
  }
  writeArtifact('state-1280x800.json', JSON.stringify(state, null, 2));
});

test('loads at 800x600', {timeout: 120000}, async () => {
  await checkLoadsAt(800, 600);
});

test('HiDPI: the canvas has device pixels and the UI is scaled, not blurred', {timeout: 120000},
     async () => {
  const {context, page, errors} = await newPage(browser, {width: 1000, height: 700,
                                                          deviceScaleFactor: 2});
  try {
    await openLab(page);
    await frames(page, 10);
    const canvas = await page.evaluate(() => {
      const c = document.querySelector('canvas.cnnlab-canvas');
      return {width: c.width, height: c.height, cssHeight: c.getBoundingClientRect().height};
    });
    // 1000x700 less the Text view toggle's strip, in device pixels.
    assert.deepEqual({width: canvas.width, height: canvas.height},
                     {width: 2000, height: Math.round(canvas.cssHeight * 2)});
    assert.ok(canvas.cssHeight >= 640 && canvas.cssHeight < 700, JSON.stringify(canvas));
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.equal(state.ui.scale, 2);
    assert.deepEqual(state.ui.display, [2000, canvas.height]);
    await saveScreenshot(page, 'app-1000x700@2x.png');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the canvas follows the page when it is resized', {timeout: 120000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page);
    await page.setViewportSize({width: 900, height: 640});
    await frames(page, 10);
    const state = await page.evaluate(() => window.cnnlab.state());
    const cssHeight = await page.evaluate(
        () => document.querySelector('canvas.cnnlab-canvas').getBoundingClientRect().height);
    assert.ok(cssHeight >= 580 && cssHeight < 640, `640 less the toggle's strip: ${cssHeight}`);
    assert.deepEqual(state.ui.display, [900, Math.round(cssHeight)]);
    const stats = await canvasStats(page);
    assert.ok(stats.nonBackgroundFraction > 0.05, JSON.stringify(stats));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('loading reports bytes received of the total while the app downloads', {timeout: 120000},
     async () => {
  const {context, page} = await newPage(browser);
  try {
    // Hold the .wasm back so the loading phase can be observed; the font arrives meanwhile.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/cnnlab_app.wasm', async (route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({response});
    });
    await page.goto(siteUrl);
    await page.waitForFunction(() => window.cnnlab && window.cnnlab.state().loading &&
                                     window.cnnlab.state().loading.receivedBytes > 0);
    const loading = await page.evaluate(() => window.cnnlab.state());
    assert.equal(loading.phase, 'loading');
    assert.match(loading.loading.step, /Downloading/);
    assert.ok(await page.locator('.cnnlab-loading .cnnlab-progress').isVisible());
    await saveScreenshot(page, 'loading.png');
    release();
    await page.waitForFunction(() => window.cnnlab.state().phase === 'ready', null,
                               {timeout: 60000});
  } finally {
    await context.close();
  }
});

test('a failed download shows what failed and Retry recovers', {timeout: 120000}, async () => {
  const {context, page} = await newPage(browser);
  try {
    await page.route('**/cnnlab_app.wasm', (route) =>
        route.fulfill({status: 404, contentType: 'text/plain', body: 'not here'}));
    await page.goto(siteUrl);
    await page.waitForFunction(() => window.cnnlab && window.cnnlab.state().phase === 'error');
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.match(state.error, /cnnlab_app\.wasm/);
    assert.match(state.error, /404/);
    const box = page.locator('.cnnlab-error');
    assert.ok(await box.isVisible(), 'the error box is shown');
    assert.match(await box.textContent(), /cnnlab_app\.wasm/);
    await saveScreenshot(page, 'error-wasm-404.png');

    await page.unroute('**/cnnlab_app.wasm');
    await page.getByRole('button', {name: 'Retry'}).click();
    await page.waitForFunction(() => window.cnnlab.state().phase === 'ready', null,
                               {timeout: 60000});
    assert.ok(!(await box.isVisible()), 'the error box is gone after a successful retry');
  } finally {
    await context.close();
  }
});

test('a corrupt .wasm is reported, not a blank canvas', {timeout: 120000}, async () => {
  const {context, page} = await newPage(browser);
  try {
    await page.route('**/cnnlab_app.wasm', (route) =>
        route.fulfill({status: 200, contentType: 'application/wasm',
                       body: Buffer.from('this is not WebAssembly')}));
    await page.goto(siteUrl);
    await page.waitForFunction(() => window.cnnlab && window.cnnlab.state().phase === 'error');
    const state = await page.evaluate(() => window.cnnlab.state());
    assert.match(state.error, /not a valid WebAssembly module/);
    assert.ok(await page.locator('.cnnlab-error').isVisible());
  } finally {
    await context.close();
  }
});

// index.html asks for every module of the page at once (<link rel="modulepreload">) so that the
// browser does not find them one import level at a time: the list must name every module the
// page loads as it starts, and nothing that it does not load. A module added to web/page/ and
// imported without a line in index.html fails here. The app's module is compiled as it
// downloads (WebAssembly.compileStreaming, which needs the server's application/wasm): the page
// falls back to compiling the bytes when that fails, so the check is that it did not fail here.
test('index.html preloads exactly the modules the page loads as it starts; the app compiles as it downloads',
     {timeout: 120000}, async () => {
  const {context, page, errors} = await newPage(browser);
  try {
    await context.addInitScript(() => {
      const original = WebAssembly.compileStreaming;
      window.streamingCompiles = [];
      WebAssembly.compileStreaming = function (source) {
        const result = original.call(WebAssembly, source);
        result.then(() => window.streamingCompiles.push('compiled'),
                    (e) => window.streamingCompiles.push(`failed: ${e.message}`));
        return result;
      };
    });
    const modules = new Set();
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (/\/page\/[^/]+\.js$/.test(path) && !path.endsWith('/trainer-worker.js')) {
        modules.add(path.replace(/^.*\/page\//, ''));
      }
    });
    await openLab(page);
    const html = await (await fetch(siteUrl)).text();
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="page\/([^"]+)">/g)]
        .map((m) => m[1]);
    assert.equal(new Set(preloaded).size, preloaded.length, `listed twice: ${preloaded}`);
    assert.deepEqual([...modules].sort(), [...preloaded].sort());
    assert.deepEqual(await page.evaluate(() => window.streamingCompiles), ['compiled']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
