// Browser end-to-end tests of embedding and sharing: the example course page with two
// labs mounted by CNNLab.mount (independent wasm instances and workers) and an iframe lab driven
// by postMessage (configure, train; epoch / done / error events; messages from another origin
// ignored); options from the URL (a link round-trips the set-up; panels hidden; read-only
// controls; dark theme); unknown or invalid URL options reported while the lab runs with its
// defaults; offline use after a load (service worker + dataset cache) with the server gone.
// Uses the site's 1k subset and a few mini-batches (skipped when the site has no packs).
// Screenshots go to $CNNLAB_ARTIFACTS (embed-*.png).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { artifactsDir, frames, launchBrowser, newPage, revealControl, saveScreenshot, sitePacks,
         siteUrl, startServer, waitForAsync, writeArtifact } from './lib/harness.mjs';
import { decodePng, imageStats } from './lib/png.mjs';

let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

function hasSubset() { return manifest.packs.some((p) => p.id === '1k'); }

// Opens index.html with a query; waits until the page's own loading is over and `ready` has
// settled. Returns {ok} or {ok: false, message, errors} (ready rejected).
async function openIndex(page, query, base = siteUrl) {
  await page.goto(new URL(`index.html${query}`, base).href);
  await page.waitForFunction(() => {
    if (!window.cnnlab) return false;
    const s = window.cnnlab.state();
    return s.phase === 'error' || s.loading === null;
  }, null, {timeout: 90000});
  return page.evaluate(() => window.cnnlab.ready.then(
      () => ({ok: true}), (e) => ({ok: false, message: e.message, errors: e.errors})));
}

const labState = (page) => page.evaluate(() => window.cnnlab.state());

// Mean luminance (0..255) of the lab's canvas as shown.
async function canvasLuminance(page, selector = 'canvas.cnnlab-canvas') {
  const image = decodePng(await page.locator(selector).first().screenshot());
  let sum = 0;
  const n = image.width * image.height;
  for (let i = 0; i < n; ++i) {
    const d = image.data;
    sum += 0.2126 * d[i * 4] + 0.7152 * d[i * 4 + 1] + 0.0722 * d[i * 4 + 2];
  }
  return sum / n;
}

test('course page: two mounted labs train independently; the iframe lab is driven by postMessage',
     {timeout: 400000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 900});
  try {
    await page.goto(new URL('examples/course.html', siteUrl).href);
    await page.waitForFunction(() => window.labs && window.labs.every(
        (lab) => lab.state().phase === 'error' || lab.state().loading === null), null,
        {timeout: 120000});
    const settled = await page.evaluate(() => Promise.all(window.labs.map(
        (lab) => lab.ready.then(() => 'ready', (e) => e.message))));
    assert.deepEqual(settled, ['ready', 'ready']);

    await t.test('two labs: separate instances, settings and steps', async () => {
      // state().model is the network as the trainer last reported it: `ready` waited for each
      // lab's trainer to report the one its page set.
      let [a, b] = await page.evaluate(() => window.labs.map((lab) => lab.state()));
      for (const s of [a, b]) assert.equal(s.model.kernel, s.options.kernel);
      assert.equal(a.options.kernel, 3);
      assert.equal(b.options.kernel, 5);
      assert.ok(a.model.params < b.model.params, `${a.model.params} < ${b.model.params}`);
      for (const s of [a, b]) {
        assert.equal(s.dataset.train, 900);
        assert.deepEqual(s.ui.panels, ['training', 'curves', 'inside']);
        assert.equal(s.ui.readOnly, 'settings');
        assert.equal(s.options.batch, 32);
      }
      // The API is not locked by read-only (the page sets the exercise): change lab 2 only.
      await page.evaluate(() => window.labs[1].configure({kernel: 7, batch: 16}));
      await page.evaluate(() => window.labs[0].step());
      await page.waitForFunction(() => window.labs[0].state().step === 1 &&
                                       window.labs[0].state().phase === 'paused', null,
                                 {timeout: 60000});
      await page.evaluate(() => window.labs[0].step());
      await page.evaluate(() => window.labs[1].step());
      await page.waitForFunction(() => window.labs[0].state().step === 2 &&
                                       window.labs[1].state().step === 1 &&
                                       window.labs.every((lab) => lab.state().phase === 'paused'),
                                 null, {timeout: 60000});
      [a, b] = await page.evaluate(() => window.labs.map((lab) => lab.state()));
      assert.equal(a.step, 2);
      assert.equal(b.step, 1);
      assert.equal(a.options.kernel, 3);
      assert.equal(a.options.batch, 32);
      assert.equal(b.options.kernel, 7);
      assert.equal(b.options.batch, 16);
      assert.equal(a.model.kernel, 3);
      assert.equal(b.model.kernel, 7);
      assert.notEqual(a.trainLoss, b.trainLoss);
      // Both canvases are drawn (each instance renders into its own element).
      await frames(page, 5);
      for (const id of ['lab-3x3', 'lab-5x5']) {
        const stats = imageStats(decodePng(await page.locator(`#${id} canvas`).screenshot()));
        assert.ok(stats.distinctColors >= 20, `${id} is drawn: ${JSON.stringify(stats)}`);
      }
      // The labs take only the keys typed into their own canvas: the page's own text fields keep
      // Backspace (Emscripten's GLFW cancels it window-wide).
      await page.evaluate(() => {
        const input = document.createElement('input');
        input.id = 'host-input';
        document.body.prepend(input);
      });
      await page.locator('#host-input').click();
      await page.keyboard.type('abc');
      await page.keyboard.press('Backspace');
      assert.equal(await page.locator('#host-input').inputValue(), 'ab');
      await page.evaluate(() => document.getElementById('host-input').remove());
      await page.locator('#lab-3x3').screenshot({path: path.join(artifactsDir, 'embed-course-lab-3x3.png')});
      await page.locator('#lab-5x5').screenshot({path: path.join(artifactsDir, 'embed-course-lab-5x5.png')});
    });

    await t.test('iframe: configure, train, epoch and done events, errors', async () => {
      await page.waitForFunction(() => window.frameEvents.some((m) => m.type === 'ready'), null,
                                 {timeout: 120000});
      const reply = (id) => page.waitForFunction(
          (wanted) => window.frameEvents.find((m) => m.id === wanted), id, {timeout: 30000})
          .then((handle) => handle.jsonValue());
      // sendToFrame (course.html) numbers the messages; a reply carries its message's id.
      let id = await page.evaluate(() => window.sendToFrame(
          {type: 'configure', options: {model: 'mlp', epochs: 1, batch: 64}}));
      let message = await reply(id);
      assert.equal(message.type, 'configured');
      assert.equal(message.state.options.model, 'mlp');
      assert.equal(message.state.options.epochs, 1);
      // A refused configure is an error reply with the same id; nothing changed.
      id = await page.evaluate(() => window.sendToFrame({type: 'configure', options: {lr: -1}}));
      message = await reply(id);
      assert.equal(message.type, 'error');
      assert.match(message.message, /lr: .*must be a finite number > 0/);
      id = await page.evaluate(() => window.sendToFrame({type: 'fly'}));
      message = await reply(id);
      assert.equal(message.type, 'error');
      assert.match(message.message, /unknown message type 'fly'/);
      id = await page.evaluate(() => window.sendToFrame({type: 'train'}));
      message = await reply(id);
      assert.deepEqual(message, {type: 'ok', id, command: 'train'});
      const done = await page.waitForFunction(
          () => window.frameEvents.find((m) => m.type === 'done'), null, {timeout: 180000})
          .then((handle) => handle.jsonValue());
      const epochs = await page.evaluate(() => window.frameEvents.filter((m) => m.type === 'epoch'));
      assert.equal(epochs.length, 1, JSON.stringify(epochs));
      assert.equal(epochs[0].epoch, 1);
      assert.equal(epochs[0].epochs, 1);
      assert.ok(epochs[0].trainAcc > 0 && epochs[0].trainAcc <= 1, JSON.stringify(epochs[0]));
      assert.ok(epochs[0].valAcc >= 0 && epochs[0].valAcc <= 1, JSON.stringify(epochs[0]));
      assert.equal(done.run, epochs[0].run);
      assert.ok(done.testAcc > 0 && done.testAcc <= 1, JSON.stringify(done));
      id = await page.evaluate(() => window.sendToFrame({type: 'state'}));
      message = await reply(id);
      assert.equal(message.state.phase, 'done');
      assert.equal(message.state.testAcc, done.testAcc);
      writeArtifact('embed-iframe-events.json', JSON.stringify(
          await page.evaluate(() => window.frameEvents.map((m) => (m.state ? {...m, state: '...'} : m))),
          null, 2));
      await page.locator('#lab-frame').scrollIntoViewIfNeeded();
      await page.locator('#lab-frame').screenshot({path: path.join(artifactsDir, 'embed-iframe.png')});
    });

    await t.test('iframe: messages from an origin other than the configured one are ignored',
                 async () => {
      // A second embedded lab that accepts only https://other.example: this page's messages
      // must change nothing, and it posts nothing to this page.
      await page.evaluate(() => {
        const frame = document.createElement('iframe');
        frame.id = 'strict-frame';
        frame.className = 'lab-frame';
        frame.src = '../index.html?embed=1&origin=https://other.example&panels=curves';
        document.body.appendChild(frame);
        window.strictMessages = [];
        window.addEventListener('message', (e) => {
          if (e.source === frame.contentWindow) window.strictMessages.push(e.data);
        });
      });
      await page.waitForFunction(() => {
        const w = document.getElementById('strict-frame').contentWindow;
        return w.CNNLab && w.cnnlab && typeof w.cnnlab.state === 'function' &&
               w.cnnlab.state().loading === null;
      }, null, {timeout: 120000});
      await page.evaluate(() => document.getElementById('strict-frame').contentWindow.postMessage(
          {type: 'configure', id: 1, options: {epochs: 3}}, location.origin));
      await page.waitForTimeout(1500);
      const strict = await page.evaluate(() => ({
        epochs: document.getElementById('strict-frame').contentWindow.cnnlab.state().options.epochs,
        messages: window.strictMessages,
      }));
      assert.equal(strict.epochs, 10, 'the default, not the 3 this origin asked for');
      assert.deepEqual(strict.messages, []);
    });

    await page.screenshot({path: path.join(artifactsDir, 'embed-course-page.png'), fullPage: true});
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});

// The menu bar's "Copy link" item at 1280x800 (after CNN Lab, File, View).
const COPY_LINK_ITEM = {x: 210, y: 12};

test('a link reproduces the set-up: configure, copy link, open it, same state; dark theme',
     {timeout: 240000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  let link;
  let configured;
  try {
    assert.deepEqual(await openIndex(page, ''), {ok: true});
    const lightLuminance = await canvasLuminance(page);
    await page.evaluate(() => window.cnnlab.configure({
      kernel: 5, filters: 16, dense: 64, dropout: 0.3, lr: 0.003, batch: 32, epochs: 4,
      optimizer: 'sgd', momentum: 0.8, weightDecay: 0.0001, augment: true, seed: 7,
      valFraction: 0.2, patience: 0, standardize: true, theme: 'dark',
      panels: ['training', 'curves', 'inside'], readOnly: true}));
    // The model in state() is the trainer's once it has taken the new settings.
    await page.waitForFunction(() => window.cnnlab.state().model.kernel === 5, null,
                               {timeout: 30000});
    configured = await labState(page);
    link = await page.evaluate(() => window.cnnlab.link());
    // The menu bar's Copy link puts that URL on the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'],
                                   {origin: new URL(siteUrl).origin});
    await page.evaluate(() => {
      window.linkEvents = [];
      window.cnnlab.on('link', (e) => window.linkEvents.push(e));
    });
    await page.mouse.click(COPY_LINK_ITEM.x, COPY_LINK_ITEM.y);
    await page.waitForFunction(() => window.linkEvents.length === 1, null, {timeout: 20000});
    assert.deepEqual(await page.evaluate(() => window.linkEvents[0]), {url: link, copied: true});
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    const copied = await page.evaluate(() => window.cnnlab.copyLink());
    assert.equal(copied.url, link);
    writeArtifact('embed-link.txt', link + '\n');
    const url = new URL(link);
    assert.equal(url.pathname.replace(/^.*\//, ''), 'index.html');
    assert.equal(url.searchParams.get('subset'), '1k');
    assert.equal(url.searchParams.get('kernel'), '5');
    assert.equal(url.searchParams.get('lr'), '0.003', 'float32 noise is not in the link');
    assert.equal(url.searchParams.get('theme'), 'dark');
    assert.equal(url.searchParams.get('panels'), 'training,curves,inside');
    assert.equal(url.searchParams.get('readOnly'), 'true');
    assert.equal(url.searchParams.has('model'), false, 'defaults are left out');
    await frames(page, 5);
    assert.ok(await canvasLuminance(page) < lightLuminance - 60, 'the dark theme is dark');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  // The link in a fresh browser context (nothing cached but what the site serves).
  const second = await newPage(browser, {width: 1280, height: 800});
  try {
    await second.page.goto(link);
    await second.page.waitForFunction(() => window.cnnlab && window.cnnlab.state().loading === null,
                                      null, {timeout: 90000});
    // `ready` waited for the trainer to report the link's settings: state().model is theirs.
    const state = await second.page.evaluate(() => window.cnnlab.ready.then(() => window.cnnlab.state()));
    assert.deepEqual(state.options, configured.options);
    assert.deepEqual(state.model, configured.model);
    assert.equal(state.ui.theme, 'dark');
    assert.deepEqual(state.ui.panels, ['training', 'curves', 'inside']);
    assert.equal(state.ui.readOnly, 'settings');
    assert.equal(await second.page.evaluate(() => window.cnnlab.link()), link);
    await frames(second.page, 5);
    await saveScreenshot(second.page, 'embed-dark-theme.png');
    assert.deepEqual(second.errors, []);
  } finally {
    await second.context.close();
  }
});

test('panels: only the chosen ones are drawn and fill the space', {timeout: 120000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    assert.deepEqual(await openIndex(page, '?panels=curves,inside'), {ok: true});
    let state = await labState(page);
    assert.deepEqual(state.ui.panels, ['curves', 'inside']);
    await frames(page, 5);
    // The Curves and Inside panels span the whole width: the left column (Setup, Training,
    // light grey window background) is gone, the plots' white area reaches the left edge half.
    await saveScreenshot(page, 'embed-panels-curves-inside.png');
    const image = decodePng(await page.locator('canvas.cnnlab-canvas').screenshot());
    const at = (x, y) => Array.from(image.data.slice((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
    // (200, 250) lies in the Loss plot's area when Curves has the full width, in the Data
    // panel's class-count chart otherwise.
    assert.deepEqual(at(200, 250), [255, 255, 255], 'the loss plot starts at the left');
    // The API can change them too; hide is the complement.
    await page.evaluate(() => window.cnnlab.configure({hide: ['eval', 'data']}));
    state = await labState(page);
    assert.deepEqual(state.ui.panels, ['model', 'training', 'curves', 'inside', 'experiment', 'guide']);
    await assert.rejects(page.evaluate(() => window.cnnlab.configure({panels: ['curves', 'plots']})),
                         /option panels: unknown panel 'plots'/);
    await assert.rejects(page.evaluate(() => window.cnnlab.configure({panels: []})),
                         /option panels: name at least one panel/);
    assert.deepEqual((await labState(page)).ui.panels,
                     ['model', 'training', 'curves', 'inside', 'experiment', 'guide']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("ready waits for the trainer to report the page's settings (held back on their way to it)",
     {timeout: 120000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    // Each configure command (and, to keep their order, every message after it) reaches the
    // training worker a second late: the worker has the dataset and has reported the default
    // network long before it hears of the link's kernel.
    await page.addInitScript(() => {
      const post = Worker.prototype.postMessage;
      let held = Promise.resolve();
      Worker.prototype.postMessage = function (message, transfer) {
        const configure = message && message.type === 'command' &&
                          JSON.parse(message.command).type === 'configure';
        if (configure) held = held.then(() => new Promise((resolve) => setTimeout(resolve, 1000)));
        held = held.then(() => post.call(this, message, transfer));
      };
    });
    await page.goto(new URL('index.html?kernel=5', siteUrl).href);
    await page.waitForFunction(() => window.cnnlab, null, {timeout: 90000});
    // state() at the moment `ready` resolves.
    const state = await page.evaluate(() => window.cnnlab.ready.then(() => window.cnnlab.state()));
    assert.equal(state.options.kernel, 5);
    assert.equal(state.settingsReported, true);
    assert.equal(state.model.kernel, 5, JSON.stringify(state.model));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('autostart from the URL hash: the lab trains without a click, events follow',
     {timeout: 180000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1000, height: 700});
  try {
    await page.addInitScript(() => {
      // Collect the lab's events from the moment it exists.
      window.labEvents = [];
      const poll = setInterval(() => {
        if (!window.cnnlab || !window.cnnlab.on) return;
        clearInterval(poll);
        for (const type of ['epoch', 'done', 'phase']) {
          window.cnnlab.on(type, (e) => window.labEvents.push({type, ...e}));
        }
      }, 10);
    });
    assert.deepEqual(await openIndex(page, '#autostart=1&model=mlp&epochs=1&batch=64'), {ok: true});
    await page.waitForFunction(() => window.labEvents.some((e) => e.type === 'done'), null,
                               {timeout: 120000});
    const state = await labState(page);
    assert.equal(state.options.model, 'mlp');
    assert.equal(state.phase, 'done');
    const events = await page.evaluate(() => window.labEvents);
    assert.deepEqual(events.filter((e) => e.type === 'epoch').map((e) => e.epoch), [1]);
    assert.ok(events.some((e) => e.type === 'phase' && e.phase === 'training'),
              JSON.stringify(events.map((e) => e.phase)));
    assert.equal(events.find((e) => e.type === 'done').testAcc, state.testAcc);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// The Training panel's Start button, Batch slider and Seed field in a 1280x900 window (default
// layout, scale 1; the canvas is 860 high above the Text view's strip, and the Seed field is in
// view without scrolling the settings).
const READ_ONLY_VIEW = {width: 1280, height: 900};
const START_BUTTON = {x: 32, y: 540};

test('read-only: settings cannot be edited in the app, the buttons follow the option',
     {timeout: 180000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, READ_ONLY_VIEW);
  try {
    // readOnly=all: Start is locked too (the page runs the exercise).
    assert.deepEqual(await openIndex(page, '?readOnly=all&batch=16'), {ok: true});
    assert.equal((await labState(page)).ui.readOnly, 'all');
    await frames(page, 5);
    await saveScreenshot(page, 'embed-readonly-all.png');
    await page.mouse.click(START_BUTTON.x, START_BUTTON.y);
    await frames(page, 10);
    let state = await labState(page);
    assert.equal(state.phase, 'ready');
    assert.equal(state.step, 0);
    // The API still runs it.
    await page.evaluate(() => window.cnnlab.step());
    await page.waitForFunction(() => window.cnnlab.state().step === 1, null, {timeout: 60000});

    // readOnly=true: settings locked (a click on the Batch size's + changes nothing), Start works.
    assert.deepEqual(await openIndex(page, '?readOnly=true&batch=16'), {ok: true});
    await frames(page, 5);
    const lockedPlus = await revealControl(page, 'batch+');
    await page.mouse.click(lockedPlus.cx, lockedPlus.cy);
    await frames(page, 10);
    assert.equal((await labState(page)).options.batch, 16);
    await page.mouse.click(START_BUTTON.x, START_BUTTON.y);
    await page.waitForFunction(() => window.cnnlab.state().step >= 1, null, {timeout: 60000});
    await page.evaluate(() => window.cnnlab.pause());
    state = await labState(page);
    assert.equal(state.options.batch, 16);
    await saveScreenshot(page, 'embed-readonly-settings.png');

    // Without read-only the same click on the + does change the batch (the coordinates are
    // right, so the checks above mean something), and keys typed into the canvas reach the app
    // (the Seed field).
    assert.deepEqual(await openIndex(page, '?batch=16'), {ok: true});
    await frames(page, 5);
    const plus = await revealControl(page, 'batch+');
    await page.mouse.click(plus.cx, plus.cy);
    await page.waitForFunction(() => window.cnnlab.state().options.batch !== 16, null,
                               {timeout: 20000});
    const seed = await revealControl(page, 'seed');
    await page.mouse.click(seed.cx, seed.cy);
    await frames(page, 3);
    // Dear ImGui 1.86 samples key states once per frame: hold each key for a few frames.
    const hold = async (...keys) => {
      for (const key of keys) await page.keyboard.down(key);
      await frames(page, 3);
      for (const key of keys.reverse()) await page.keyboard.up(key);
      await frames(page, 2);
    };
    await hold('Control', 'a');
    await page.keyboard.type('7');
    await frames(page, 2);
    await hold('Enter');
    await page.waitForFunction(() => window.cnnlab.state().options.seed === 7, null,
                               {timeout: 20000});
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('invalid URL options: a notice in the app, ready rejects naming them, defaults for those',
     {timeout: 180000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page} = await newPage(browser, {width: 1280, height: 800});
  try {
    const ready = await openIndex(
        page, '?kernel=99&theme=blue&bogus=1&lr=0.002&panels=curves,nonsense&autostart=maybe');
    assert.equal(ready.ok, false);
    assert.equal(ready.errors.length, 5, JSON.stringify(ready.errors));
    for (const name of ['kernel', 'theme', 'bogus', 'panels', 'autostart']) {
      assert.ok(ready.errors.some((e) => e.startsWith(`option ${name}:`)),
                `${name} is named: ${JSON.stringify(ready.errors)}`);
    }
    assert.match(ready.message, /option bogus: unknown option/);
    const state = await labState(page);
    assert.equal(state.phase, 'ready', 'the lab runs');
    assert.equal(state.dataset.train, 900);
    assert.equal(state.options.kernel, 3, 'the default kernel');
    assert.ok(Math.abs(state.options.lr - 0.002) < 1e-7, 'the valid option applied');
    assert.equal(state.ui.theme, 'light');
    assert.equal(state.ui.panels.length, 8, 'every panel, the Guide included');
    assert.match(state.ui.notice, /option kernel:.*\n?/);
    assert.match(state.ui.notice, /option bogus: unknown option/);
    await frames(page, 5);
    await saveScreenshot(page, 'embed-invalid-options.png');

    // Nothing trained is lost by a refused configure.
    await page.evaluate(() => window.cnnlab.configure({batch: 16}));
    await page.evaluate(() => window.cnnlab.step());
    await page.waitForFunction(() => window.cnnlab.state().step === 1 &&
                                     window.cnnlab.state().phase === 'paused', null,
                               {timeout: 60000});
    const before = await labState(page);
    await assert.rejects(page.evaluate(() => window.cnnlab.configure({kernel: 99})), /kernel/);
    await assert.rejects(page.evaluate(() => window.cnnlab.configure({theme: 'purple'})),
                         /option theme: must be 'light' or 'dark'/);
    const after = await labState(page);
    assert.equal(after.step, 1);
    assert.equal(after.run, before.run);
    assert.equal(after.trainLoss, before.trainLoss);
    assert.deepEqual(after.options, before.options);
  } finally {
    await context.close();
  }
});

test('offline: after one load, a reload with the server gone still trains', {timeout: 240000},
     async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  // A static server of our own (run.sh's must stay up for the others).
  const {server, url} = await startServer();
  const {context, page} = await newPage(browser, {width: 1000, height: 700});
  try {
    // Every file the page loads from the site (its modules, stylesheet, the worker's script,
    // the app, ...; the packs are the dataset cache's, and the service worker is itself).
    const loaded = new Set();
    page.on('request', (request) => {
      const u = new URL(request.url());
      if (u.origin === new URL(url).origin && !u.pathname.endsWith('.pack') &&
          u.pathname !== '/service-worker.js') loaded.add(u.pathname);
    });
    assert.deepEqual(await openIndex(page, '?batch=16', url), {ok: true});
    const needed = Array.from(loaded);
    for (const file of ['/page/cnnlab.js', '/page/mount.js', '/page/worker-client.js',
                        '/page/trainer-worker.js', '/page/cnnlab.css', '/cnnlab_app.wasm',
                        '/cnnlab_trainer.wasm', '/fonts/DejaVuSans.ttf', '/data/packs.json',
                        '/index.html']) {
      assert.ok(needed.includes(file), `${file} was loaded: ${needed.join(', ')}`);
    }
    // The service worker is active and has every one of them (its install keeps them: the first
    // load was not its to see); the dataset cache has the pack.
    await waitForAsync(page, async (files) => {
      if (!navigator.serviceWorker || !(await navigator.serviceWorker.getRegistration())) return false;
      await navigator.serviceWorker.ready;
      const site = await caches.open('cnnlab-site-v1');
      const keys = (await site.keys()).map((r) => new URL(r.url).pathname);
      const data = await caches.open('cnnlab-datasets-v1');
      return files.every((p) => keys.includes(p)) && (await data.keys()).length === 1;
    }, needed, {timeout: 60000});

    server.kill();
    await new Promise((resolve) => server.once('exit', resolve));
    await context.setOffline(true);
    // Really gone: a request that the service worker does not answer fails. (Past the browser's
    // HTTP cache, which may still hold the pack: a JPEG 1k subset is small enough to be kept.)
    const direct = await page.evaluate((u) => fetch(u + 'data/subset-1k.pack?probe',
                                                    {cache: 'no-store'}).then(
        () => 'reached', () => 'failed'), url);
    assert.equal(direct, 'failed');

    await page.reload();
    await page.waitForFunction(() => window.cnnlab && (window.cnnlab.state().loading === null ||
                                                       window.cnnlab.state().phase === 'error'),
                               null, {timeout: 90000});
    let state = await labState(page);
    assert.equal(state.error, null);
    assert.equal(state.dataset.train, 900);
    assert.equal(state.options.batch, 16);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    await page.evaluate(() => window.cnnlab.step());
    await page.waitForFunction(() => window.cnnlab.state().step === 1, null, {timeout: 60000});
    state = await labState(page);
    assert.ok(Number.isFinite(state.trainLoss), JSON.stringify(state.trainLoss));
    await frames(page, 5);
    await saveScreenshot(page, 'embed-offline-reload.png');
  } finally {
    await context.close();
    if (server.exitCode === null) server.kill();
  }
});
