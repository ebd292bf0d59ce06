// Browser end-to-end test of <cnn-lab> from another origin: the example course page
// (assets/examples/cross-origin.html) served on one port with no special headers, the lab's site
// on another port with Access-Control-Allow-Origin (web/serve.py --cors). Two labs load from the
// lab's origin (its module script, the app, the trainer started from a blob: worker, the
// dataset), train one short epoch each on the 1k subset, and answer lab.state(); an attribute
// changed later reaches the lab; a lab with invalid attributes reports them by name, as a link's
// options are. Screenshots at 1280x800 and 390x844 go to $CNNLAB_ARTIFACTS (cross-origin-*.png).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { artifactsDir, frames, launchBrowser, newPage, sitePacks, siteDir,
         startServer } from './lib/harness.mjs';
import { decodePng, imageStats } from './lib/png.mjs';

let browser;
let manifest = {packs: []};
const servers = [];
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
  for (const server of servers) if (server.exitCode === null) server.kill();
});

// The labs of the page (their elements' `lab` properties) once every one has settled: each
// state's loading is over or it failed.
function waitForLabs(page, count) {
  return page.waitForFunction((n) => {
    const labs = Array.from(document.querySelectorAll('cnn-lab'), (e) => e.lab);
    return labs.length === n && labs.every((lab) => lab && (lab.state().phase === 'error' ||
                                                            lab.state().loading === null));
  }, count, {timeout: 120000});
}

test('two <cnn-lab> labs from another origin load, train and answer state()',
     {timeout: 400000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === '1k')) return t.skip('the site has no 1k subset');
  // The lab's site, with CORS; the course page on a second port, with nothing special.
  const lab = await startServer({cors: true});
  const host = await startServer({dir: path.join(siteDir, 'examples')});
  servers.push(lab.server, host.server);
  const labOrigin = new URL(lab.url).origin;
  const hostOrigin = new URL(host.url).origin;
  assert.notEqual(labOrigin, hostOrigin);

  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  try {
    const response = await page.goto(`${host.url}cross-origin.html?lab=${encodeURIComponent(lab.url)}`);
    const headers = response.headers();
    for (const name of ['access-control-allow-origin', 'cross-origin-opener-policy',
                        'cross-origin-embedder-policy']) {
      assert.equal(headers[name], undefined, `the host page is served without ${name}`);
    }
    await waitForLabs(page, 2);
    const settled = await page.evaluate(() => Promise.all(Array.from(
        document.querySelectorAll('cnn-lab'),
        (e) => e.lab.ready.then(() => 'ready', (error) => error.message))));
    assert.deepEqual(settled, ['ready', 'ready']);

    // Everything but the page itself came from the lab's origin; each lab's training worker
    // started from a blob: URL of the page's origin (a page cannot start one from another).
    const blobs = requests.filter((url) => url.startsWith('blob:'));
    assert.equal(blobs.length, 2, JSON.stringify(blobs));
    for (const url of blobs) assert.equal(new URL(url).origin, hostOrigin);
    const fromHost = requests.filter((url) => !url.startsWith('blob:') &&
                                              new URL(url).origin === hostOrigin);
    assert.deepEqual(fromHost.map((url) => new URL(url).pathname), ['/cross-origin.html']);
    for (const file of ['/page/cnnlab.js', '/page/mount.js', '/page/cnnlab.css',
                        '/cnnlab_app.wasm', '/cnnlab_trainer.wasm', '/data/subset-1k.pack']) {
      assert.ok(requests.includes(labOrigin + file), `${file} from the lab's origin`);
    }

    let states = await page.evaluate(() => Array.from(document.querySelectorAll('cnn-lab'), (e) => ({
      id: e.id, state: e.lab.state(), sameApi: e.lab.element === e,
      isolated: window.crossOriginIsolated})));
    assert.deepEqual(states.map((s) => s.id), ['lab-slow', 'lab-fast']);
    for (const {state, sameApi, isolated} of states) {
      assert.equal(sameApi, true, 'the lab property is the API of that element');
      assert.equal(isolated, false);
      assert.equal(state.phase, 'ready');
      assert.equal(state.dataset.train, 900);
      assert.equal(state.options.model, 'cnn');
      assert.equal(state.options.batch, 32);
      assert.equal(state.options.epochs, 2);
      assert.deepEqual(state.ui.panels, ['training', 'curves']);
      assert.equal(state.ui.readOnly, 'settings', 'the bare read-only attribute');
    }
    assert.ok(Math.abs(states[0].state.options.lr - 0.001) < 1e-7, String(states[0].state.options.lr));
    assert.ok(Math.abs(states[1].state.options.lr - 0.01) < 1e-7, String(states[1].state.options.lr));

    // An attribute changed later reaches the lab (configure); then one short epoch each.
    await page.evaluate(() => {
      for (const e of document.querySelectorAll('cnn-lab')) e.setAttribute('epochs', '1');
    });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('cnn-lab')).every(
        (e) => e.lab.state().options.epochs === 1), null, {timeout: 20000});
    await page.evaluate(() => {
      for (const e of document.querySelectorAll('cnn-lab')) e.lab.train();
    });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('cnn-lab')).every(
        (e) => e.lab.state().phase === 'done' && e.lab.state().testAcc !== null),
        null, {timeout: 240000});
    states = await page.evaluate(() => Array.from(document.querySelectorAll('cnn-lab'),
                                                  (e) => e.lab.state()));
    for (const state of states) {
      assert.equal(state.epoch, 1);
      assert.equal(state.trainerThreads, 1, 'the single-threaded trainer (not isolated)');
      assert.ok(state.testAcc > 0 && state.testAcc <= 1, JSON.stringify(state.testAcc));
      assert.ok(Number.isFinite(state.trainLoss), JSON.stringify(state.trainLoss));
    }
    assert.notEqual(states[0].trainLoss, states[1].trainLoss, 'two runs of their own');
    const histories = await page.evaluate(() => Array.from(document.querySelectorAll('cnn-lab'),
                                                           (e) => e.lab.history()));
    for (const history of histories) assert.equal(history.at(-1).epochs.length, 1);

    // Both are drawn; the page as a student sees it, wide and on a phone.
    await frames(page, 5);
    for (const id of ['lab-slow', 'lab-fast']) {
      const stats = imageStats(decodePng(await page.locator(`#${id} canvas`).screenshot()));
      assert.ok(stats.distinctColors >= 20, `${id} is drawn: ${JSON.stringify(stats)}`);
    }
    await page.screenshot({path: path.join(artifactsDir, 'cross-origin-1280.png'), fullPage: true});
    await page.locator('#lab-fast').screenshot({path: path.join(artifactsDir, 'cross-origin-1280-lab.png')});
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 10);
    await page.screenshot({path: path.join(artifactsDir, 'cross-origin-390.png'), fullPage: true});
    await page.locator('#lab-slow').scrollIntoViewIfNeeded();
    await frames(page, 5);
    await page.screenshot({path: path.join(artifactsDir, 'cross-origin-390-lab.png')});
    await page.setViewportSize({width: 1280, height: 800});

    // A lab with invalid attributes: the same named errors as a link's options; it runs with its
    // defaults for those, and with the valid ones (kebab-case names too).
    await page.evaluate(() => {
      const bad = document.createElement('cnn-lab');
      bad.id = 'lab-bad';
      for (const [name, value] of [['subset', '1k'], ['kernel', '99'], ['theme', 'blue'],
                                   ['autostart', 'maybe'], ['bogus', '1'], ['batch', '16'],
                                   ['weight-decay', '0.0002'], ['val-fraction', '0.2']]) {
        bad.setAttribute(name, value);
      }
      document.body.appendChild(bad);
    });
    await waitForLabs(page, 3);
    const bad = await page.evaluate(() => {
      const lab = document.getElementById('lab-bad').lab;
      return lab.ready.then(() => ({ok: true}),
                            (e) => ({ok: false, message: e.message, errors: e.errors,
                                     state: lab.state(), optionErrors: lab.optionErrors}));
    });
    assert.equal(bad.ok, false);
    assert.equal(bad.errors.length, 4, JSON.stringify(bad.errors));
    for (const name of ['kernel', 'theme', 'autostart', 'bogus']) {
      assert.ok(bad.errors.some((e) => e.startsWith(`option ${name}:`)),
                `${name} is named: ${JSON.stringify(bad.errors)}`);
    }
    assert.match(bad.message, /option bogus: unknown option/);
    assert.match(bad.message, /option autostart: must be true or false, got "maybe"/);
    assert.deepEqual(bad.optionErrors, bad.errors);
    assert.equal(bad.state.phase, 'ready', 'the lab runs');
    assert.equal(bad.state.options.kernel, 3, 'the default kernel');
    assert.equal(bad.state.options.batch, 16, 'the valid attributes applied');
    assert.ok(Math.abs(bad.state.options.weightDecay - 0.0002) < 1e-9, 'weight-decay is weightDecay');
    assert.ok(Math.abs(bad.state.options.valFraction - 0.2) < 1e-7, 'val-fraction is valFraction');
    assert.equal(bad.state.ui.theme, 'light');
    assert.match(bad.state.ui.notice, /option kernel:/);
    await page.locator('#lab-bad').scrollIntoViewIfNeeded();
    await frames(page, 5);
    await page.locator('#lab-bad').screenshot({path: path.join(artifactsDir, 'cross-origin-invalid.png')});

    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});
