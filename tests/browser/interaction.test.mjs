// Browser end-to-end test of what a student does with the mouse, with real input events
// (playwright's page.mouse: mousemove, mousedown, mouseup and wheel events on the canvas):
//   - one click on each tab of each window, and on each top menu, acts the first time, and
//     Escape closes an open menu (the
//     click comes as a move, press and release between two frames: the app's pointer queue
//     hands them over a frame at a time);
//   - the mouse wheel (a notch and a trackpad's small steps) scrolls the panel under the pointer
//     down and back up;
//   - the status at the top right follows an experiment (running, paused, done) as it follows
//     a single run;
//   - every table shows its last row (or can scroll to it): the experiment's results table in
//     full at 1280x800 and at 390x844;
//   - the Experiment tab starts with 3 seeds and shows the estimated time, guessed before
//     anything trained and measured after;
//   - touch: a tap clicks once, a finger scrolls a panel without clicking, a sideways drag presses;
//   - resizing and rotating mid-training (wide -> phone -> phone on its side -> tablet, and a lab
//     squeezed to zero size and back) lose no step of the run and never stop the drawing.
// Where the tabs are, which is open, how far panels are scrolled and the tables' rows come from
// state().ui (App::state_json). Screenshots at 1280x800 and 390x844 go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks } from './lib/harness.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};

before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

function hasSubset() { return manifest.packs.some((p) => p.id === SUBSET); }

const ui = (page) => page.evaluate(() => window.cnnlab.state().ui);

// The centre of a drawn tab or menu in page (CSS) pixels.
function centre(tab, scale) {
  return {x: (tab.x + tab.w / 2) / scale, y: (tab.y + tab.h / 2) / scale};
}

// Clicks every tab of every tab bar once, each time one that is not open, and checks it opened.
// Narrow windows show one area at a time (the 'areas' tab bar): each area in turn, then the tab
// bars it shows.
async function clickEveryTab(page, label) {
  let clicks = 0;
  const covered = new Set();
  const clickTab = async (bar, name) => {
    const now = await ui(page);
    const tab = now.tabs.find((t) => t.bar === bar && t.name === name);
    assert.ok(tab, `${label}: tab ${bar}/${name} is drawn`);
    const {x, y} = centre(tab, now.scale);
    await page.mouse.click(x, y);
    await frames(page, 6);
    const after = await ui(page);
    assert.equal(after.openTabs[bar], name,
                 `${label}: one click on ${bar}/${name} at (${x}, ${y}) opened it`);
    ++clicks;
  };
  // Each tab of the bar once, ending on the one open at the start (so that one is clicked too).
  const clickBar = async (bar) => {
    const now = await ui(page);
    const names = now.tabs.filter((t) => t.bar === bar).map((t) => t.name);
    const open = now.openTabs[bar];
    for (const name of [...names.filter((n) => n !== open), open]) await clickTab(bar, name);
    covered.add(bar);
  };
  const clickInnerBars = async () => {
    const now = await ui(page);
    for (const bar of new Set(now.tabs.map((t) => t.bar))) {
      if (bar !== 'menu' && bar !== 'areas' && !covered.has(bar)) await clickBar(bar);
    }
  };
  const first = await ui(page);
  if (first.tabs.some((t) => t.bar === 'areas')) {
    const names = first.tabs.filter((t) => t.bar === 'areas').map((t) => t.name);
    assert.deepEqual(names, ['Setup', 'Training', 'Curves', 'Results']);
    const open = first.openTabs.areas;
    for (const name of [...names.filter((n) => n !== open), open]) {
      await clickTab('areas', name);
      if (name === 'Setup') await saveScreenshot(page, `interaction-narrow-setup.png`);
      if (name === 'Curves') await saveScreenshot(page, `interaction-narrow-curves.png`);
      await clickInnerBars();
    }
  } else {
    await clickInnerBars();
  }
  for (const bar of ['setup', 'curves', 'results', 'training']) {
    assert.ok(covered.has(bar), `${label}: the ${bar} tabs were clicked (${[...covered]})`);
  }
  return clicks;
}

test('every tab and top menu acts on the first click (1280x800, a tablet at 768x1024, 390x844)',
     {timeout: 400000}, async () => {
  // How each window places the four areas: two columns, rows on a tablet held upright (Setup and
  // Training side by side, then Curves and Results the full width), one area at a time on a phone.
  const arrangements = {1280: ['wide', 'columns'], 768: ['wide', 'rows'], 390: ['narrow', 'tabs']};
  for (const [width, height] of [[1280, 800], [768, 1024], [390, 844]]) {
    const {context, page, errors} = await newPage(browser, {width, height});
    await openLab(page, {timeout: 240000});
    await frames(page, 5);
    const placed = await ui(page);
    assert.deepEqual([placed.layout, placed.arrangement], arrangements[width], `${width}x${height}`);
    await saveScreenshot(page, `interaction-${width}x${height}.png`);
    const clicks = await clickEveryTab(page, `${width}x${height}`);
    assert.ok(clicks >= 8, `${width}x${height}: ${clicks} tabs clicked`);
    // The top menus: one click opens each; a click on the "CNN Lab" title closes it again.
    const state = await ui(page);
    for (const name of ['File', 'View']) {
      const menu = state.tabs.find((t) => t.bar === 'menu' && t.name === name);
      assert.ok(menu, `menu ${name} drawn`);
      const {x, y} = centre(menu, state.scale);
      await page.mouse.click(x, y);
      await frames(page, 6);
      assert.equal((await ui(page)).openMenu, name, `${width}x${height}: one click opened ${name}`);
      if (width === 1280 && name === 'File') await saveScreenshot(page, 'interaction-file-menu-1280.png');
      await page.mouse.click(20 / state.scale, y);
      await frames(page, 6);
      assert.equal((await ui(page)).openMenu, null, `${name} closed again`);
      // Escape closes it too (so the next click acts instead of only closing the menu).
      await page.mouse.click(x, y);
      await frames(page, 6);
      assert.equal((await ui(page)).openMenu, name);
      await page.keyboard.press('Escape');
      await frames(page, 6);
      assert.equal((await ui(page)).openMenu, null, `${width}x${height}: Escape closed ${name}`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the mouse wheel and small trackpad steps scroll the panel under the pointer',
     {timeout: 300000}, async () => {
  // 390x844: the Setup window's Data panel (or else the Experiment tab) is taller than the window.
  const {context, page, errors} = await newPage(browser, {width: 390, height: 844});
  await openLab(page, {timeout: 240000});
  let name = null;
  for (const [panel, scroll] of [['data', 'data'], ['experiment', 'experimentSetup']]) {
    await page.evaluate((p) => window.cnnlab.showPanel(p), panel);
    await frames(page, 6);
    const now = await ui(page);
    if (now.scroll[scroll] && now.scroll[scroll].maxY > 0) {
      name = scroll;
      break;
    }
  }
  assert.ok(name, 'a Setup panel overflows at 390x844');
  const before = await ui(page);
  assert.equal(before.scroll[name].y, 0);
  // Inside the panel, near its left edge (away from tables that scroll on their own).
  const x = 12;
  const y = 844 * 0.6;
  await page.mouse.move(x, y);
  await frames(page, 3);
  // One notch of a mouse wheel down (100 pixels, delta mode 0): the panel moves down, not up.
  await page.mouse.wheel(0, 100);
  await frames(page, 6);
  const notch = (await ui(page)).scroll[name].y;
  assert.ok(notch > 0, `one wheel notch down scrolled the panel down: y ${notch}`);
  assert.ok(notch <= before.scroll[name].maxY, `within the panel: ${notch}`);
  // A trackpad: many small pixel steps add up to a smooth scroll.
  for (let i = 0; i < 10; ++i) {
    await page.mouse.wheel(0, 8);
    await frames(page, 1);
  }
  await frames(page, 4);
  const trackpad = (await ui(page)).scroll[name];
  assert.ok(trackpad.y > notch || trackpad.y === trackpad.maxY,
            `ten 8-pixel trackpad steps scrolled further: ${notch} -> ${trackpad.y}`);
  await saveScreenshot(page, 'interaction-wheel-scrolled-390.png');
  // Back up to the top.
  await page.mouse.wheel(0, -2000);
  await frames(page, 6);
  assert.equal((await ui(page)).scroll[name].y, 0, 'wheel up returns to the top');
  assert.deepEqual(errors, []);
  await context.close();
});

test('experiments: 3 seeds by default with an estimated time; the status follows the experiment; ' +
     'the results table shows its last row at 1280x800 and 390x844', {timeout: 900000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  await openLab(page, {timeout: 240000});
  const configured = await page.evaluate((subset) => window.cnnlab.configure(
      {subset, model: 'cnn', kernel: 3, epochs: 1, batch: 32, lr: 0.001, optimizer: 'adam',
       seed: 7, augment: false, patience: 0}), SUBSET);
  assert.equal(configured.phase, 'ready', configured.error);
  await page.evaluate(() => window.cnnlab.showPanel('experiment'));
  await frames(page, 6);

  // Before anything trained: 3 seeds, an estimate that says it is a guess.
  const guess = await page.evaluate(() => window.cnnlab.state().experimentPlan);
  assert.equal(guess.repeats, 3, 'the Experiment tab starts with 3 seeds');
  assert.equal(guess.runs, 9, 'kernel 3, 5, 7 x 3 seeds');
  assert.ok(guess.estimatedSeconds > 0, `an estimated time: ${JSON.stringify(guess)}`);
  assert.equal(guess.estimateMeasured, false);
  assert.match(guess.estimateBasis, /nothing has trained here yet/);
  await saveScreenshot(page, 'interaction-experiment-setup-1280.png');

  // A few seconds of training measure this computer's speed; the estimate then uses it.
  await page.evaluate(() => window.cnnlab.train());
  await page.waitForFunction(() => window.cnnlab.state().imagesPerSecond > 0, null,
                             {timeout: 120000, polling: 250});
  await page.waitForFunction(() => window.cnnlab.state().experimentPlan.estimateMeasured, null,
                             {timeout: 60000, polling: 250});
  await page.evaluate(() => window.cnnlab.pause());
  const measured = await page.evaluate(() => window.cnnlab.state().experimentPlan);
  assert.ok(measured.estimatedSeconds > 0);
  assert.match(measured.estimateBasis, /images\/s while cnn trained here/);

  // A short sweep (2 configurations, 1 seed: the test's time) through the API.
  await page.evaluate(() => window.cnnlab.experiment({vary: 'kernel', values: [3, 5], repeats: 1}));
  await page.waitForFunction(() => /^experiment running/.test(window.cnnlab.state().ui.status),
                             null, {timeout: 60000, polling: 100});
  await page.evaluate(() => window.cnnlab.pause());
  await page.waitForFunction(() => /^experiment paused/.test(window.cnnlab.state().ui.status),
                             null, {timeout: 60000, polling: 100});
  await saveScreenshot(page, 'interaction-status-paused-1280.png');
  assert.match(await page.evaluate(() => window.cnnlab.state().ui.statusShown), /^experiment paused/);
  // A phone's menu bar: the status is shortened to fit (it was cut to "experiment runn"), the
  // whole text stays in state().ui.status (and the tooltip).
  await page.setViewportSize({width: 390, height: 844});
  await frames(page, 20);
  const narrow = await page.evaluate(() => window.cnnlab.state().ui);
  assert.match(narrow.statusShown, /^exp\. paused \d+ %$/, narrow.statusShown);
  assert.match(narrow.status, /^experiment paused \d+ %$/);
  await saveScreenshot(page, 'interaction-status-paused-390.png');
  await page.setViewportSize({width: 1280, height: 800});
  await frames(page, 20);
  await page.evaluate(() => window.cnnlab.resumeExperiment());
  await page.waitForFunction(() => /^experiment running/.test(window.cnnlab.state().ui.status),
                             null, {timeout: 60000, polling: 100});
  await page.waitForFunction(() => {
    const r = window.cnnlab.results();
    return r && r.done && r.runs.every((run) => run.testAcc !== null);
  }, null, {timeout: 600000, polling: 500});
  await frames(page, 6);
  const done = await ui(page);
  assert.match(done.status, /^experiment done/);
  assert.notEqual(done.status, 'done', 'the status names the experiment');

  // The results table: both rows visible, no row behind the table's scrollbar.
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({width, height});
    await frames(page, 10);
    // A narrow window shows one area at a time: the Results area, by a click on its tab.
    const areas = (await ui(page)).tabs.find((x) => x.bar === 'areas' && x.name === 'Results');
    if (areas) {
      const {x, y} = centre(areas, (await ui(page)).scale);
      await page.mouse.click(x, y);
      await frames(page, 10);
    }
    const drawn = await ui(page);
    const table = drawn.tables.find((x) => x.name === 'experiment_results');
    assert.ok(table, `${width}x${height}: the results table is drawn (${JSON.stringify(drawn.tables)})`);
    assert.equal(table.rows, 2);
    assert.ok(table.lastRowVisible, `${width}x${height}: the last row is visible in the table`);
    for (const other of drawn.tables) {
      assert.ok(other.lastRowVisible || other.scrollsY,
                `${width}x${height}: table ${other.name}'s last row can be seen`);
    }
    await saveScreenshot(page, `interaction-experiment-results-${width}.png`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('the per-layer statistics, model summary and per-class tables show their last row',
     {timeout: 600000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  await openLab(page, {timeout: 240000});
  const configured = await page.evaluate((subset) => window.cnnlab.configure(
      {subset, model: 'cnn', kernel: 3, epochs: 1, batch: 64, seed: 3, patience: 0}), SUBSET);
  assert.equal(configured.phase, 'ready', configured.error);
  await page.evaluate(() => window.cnnlab.train());
  await page.waitForFunction(() => window.cnnlab.state().phase === 'done' &&
                                   window.cnnlab.state().testAcc !== null,
                             null, {timeout: 480000, polling: 500});
  const seen = new Set();
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({width, height});
    for (const panel of ['model', 'eval']) {
      await page.evaluate((p) => window.cnnlab.showPanel(p), panel);
      await frames(page, 8);
      if (panel === 'eval') {
        // The Evaluation panel's Per class tab, by a click.
        const now = await ui(page);
        const tab = now.tabs.find((x) => x.bar === 'evaluation' && x.name === 'Per class');
        assert.ok(tab, 'the Per class tab is drawn');
        const {x, y} = centre(tab, now.scale);
        await page.mouse.click(x, y);
        await frames(page, 8);
      }
      const drawn = await ui(page);
      await saveScreenshot(page, `interaction-tables-${panel}-${width}.png`);
      for (const table of drawn.tables) {
        seen.add(table.name);
        assert.ok(table.rows > 0, `${width}x${height}: ${table.name} has rows`);
        assert.ok(table.lastRowVisible || table.scrollsY,
                  `${width}x${height}: ${table.name}'s last row is visible or reachable`);
      }
    }
  }
  for (const name of ['summary', 'layer_stats', 'per_class']) {
    assert.ok(seen.has(name), `table ${name} was drawn (${[...seen]})`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tap on a touch screen is one click where it lands (390x844)', {timeout: 300000},
     async () => {
  const {context, page, errors} = await newPage(browser, {width: 390, height: 844, touch: true});
  await openLab(page, {timeout: 240000});
  await frames(page, 5);
  for (const name of ['Results', 'Curves', 'Training', 'Setup']) {
    const now = await ui(page);
    const tab = now.tabs.find((t) => t.bar === 'areas' && t.name === name);
    assert.ok(tab, `area tab ${name} is drawn`);
    const {x, y} = centre(tab, now.scale);
    await page.touchscreen.tap(x, y);
    await frames(page, 8);
    const after = await ui(page);
    assert.equal(after.openTabs.areas, name, `one tap on ${name} opened it`);
    // One press, not two: the GLFW emulation's touch handlers (no position) are kept out.
    assert.equal(after.clicks, now.clicks + 1, `one tap on ${name} is one click`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

// One finger's path on the touch screen through Chrome's DevTools protocol (Playwright's
// touchscreen only taps): lands at the first point, moves through the others a frame apart, lifts.
async function swipe(page, cdp, points) {
  await cdp.send('Input.dispatchTouchEvent', {type: 'touchStart', touchPoints: [points[0]]});
  await frames(page, 2);
  for (const p of points.slice(1)) {
    await cdp.send('Input.dispatchTouchEvent', {type: 'touchMove', touchPoints: [p]});
    await frames(page, 2);
  }
  await cdp.send('Input.dispatchTouchEvent', {type: 'touchEnd', touchPoints: []});
  await frames(page, 8);
}

test('a finger scrolls a panel up and down without clicking; a sideways drag presses (390x844)',
     {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 390, height: 844, touch: true});
  await openLab(page, {timeout: 240000});
  await page.waitForFunction(() => window.cnnlab.state().dataset !== null, null, {timeout: 240000});
  await frames(page, 5);
  const cdp = await context.newCDPSession(page);
  const start = await ui(page);
  assert.equal(start.layout, 'narrow');
  // A finger is the main pointer here: the touch style, every tab at least 40 CSS pixels high.
  assert.equal(start.touch, true);
  const lowest = Math.min(...start.tabs.filter((t) => t.bar !== 'menu').map((t) => t.h / start.scale));
  assert.ok(lowest >= 40, `tabs a finger can hit: the lowest is ${lowest} CSS px`);
  await saveScreenshot(page, 'interaction-touch-390x844.png');
  assert.equal(start.openTabs.areas, 'Setup');
  assert.ok(start.scroll.data && start.scroll.data.maxY > 100,
            `the Data panel scrolls at 390x844: ${JSON.stringify(start.scroll.data)}`);
  assert.equal(start.scroll.data.y, 0);

  // Up by 240 CSS pixels in the middle of the panel: the content follows the finger.
  await swipe(page, cdp, [{x: 200, y: 600}, {x: 202, y: 560}, {x: 204, y: 440}, {x: 204, y: 360}]);
  const scrolled = await ui(page);
  const moved = (scrolled.scroll.data.y - start.scroll.data.y) / scrolled.scale;  // CSS pixels
  assert.ok(moved > 120 && moved < 360,
            `a 240 px swipe up scrolled the Data panel by about as much: ${moved} CSS px`);
  assert.equal(scrolled.clicks, start.clicks, 'scrolling clicked nothing');
  assert.equal(scrolled.openTabs.areas, 'Setup');

  // Back down: the panel returns towards the top.
  await swipe(page, cdp, [{x: 200, y: 360}, {x: 200, y: 420}, {x: 200, y: 600}]);
  const back = await ui(page);
  assert.ok(back.scroll.data.y < scrolled.scroll.data.y,
            `a swipe down scrolled back up: ${back.scroll.data.y} after ${scrolled.scroll.data.y}`);
  assert.equal(back.clicks, start.clicks, 'scrolling back clicked nothing');

  // Sideways: a press where the finger landed, dragged; the panel does not scroll.
  await swipe(page, cdp, [{x: 120, y: 600}, {x: 160, y: 602}, {x: 260, y: 604}]);
  const dragged = await ui(page);
  assert.equal(dragged.clicks, back.clicks + 1, 'a sideways drag is one press');
  assert.equal(dragged.scroll.data.y, back.scroll.data.y, 'a sideways drag does not scroll');
  assert.deepEqual(errors, []);
  await context.close();

  // A tablet held upright with touch: one area at a time, as on a phone (the touch style's taller
  // controls leave rows too little height).
  const tablet = await newPage(browser, {width: 768, height: 1024, touch: true});
  await openLab(tablet.page, {timeout: 240000});
  await frames(tablet.page, 5);
  const onTablet = await ui(tablet.page);
  assert.deepEqual([onTablet.touch, onTablet.arrangement], [true, 'tabs']);
  await saveScreenshot(tablet.page, 'interaction-touch-768x1024.png');
  assert.deepEqual(tablet.errors, []);
  await tablet.context.close();
});

test('resizing and rotating mid-training lose nothing; a zero-size lab comes back', {timeout: 400000},
     async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    const configured = await page.evaluate(() => window.cnnlab.configure(
        {subset: '1k', model: 'cnn', kernel: 3, epochs: 3, batch: 16, seed: 7, patience: 0}));
    assert.equal(configured.phase, 'ready', configured.error);
    await page.evaluate(() => window.cnnlab.train());
    await page.waitForFunction(() => window.cnnlab.state().step > 0, null, {timeout: 120000});
    // Each size, its arrangement; the run goes on through all of them.
    const sizes = [[390, 844, 'tabs'], [844, 390, 'columns'], [768, 1024, 'rows'], [1280, 800, 'columns']];
    let lastStep = 0;
    for (const [width, height, arrangement] of sizes) {
      await page.setViewportSize({width, height});
      await frames(page, 6);
      const s = await page.evaluate(() => window.cnnlab.state());
      assert.equal(s.ui.arrangement, arrangement, `${width}x${height}`);
      assert.equal(s.run, 1, `${width}x${height}: still the first run`);
      assert.ok(s.step >= lastStep, `${width}x${height}: the step went on (${s.step} after ${lastStep})`);
      assert.ok(['training', 'done'].includes(s.phase), `${width}x${height}: ${s.phase} ${s.error}`);
      lastStep = s.step;
    }
    // A lab squeezed to nothing (an embed in a collapsed section) and given its room back.
    const drawnBefore = (await page.evaluate(() => window.cnnlab.state().ui)).framesDrawn;
    await page.evaluate(() => { document.querySelector('canvas.cnnlab-canvas').parentElement.style.height = '0px'; });
    await page.waitForTimeout(500);
    await page.evaluate(() => { document.querySelector('canvas.cnnlab-canvas').parentElement.style.height = ''; });
    await frames(page, 10);
    const back = await page.evaluate(() => window.cnnlab.state());
    assert.ok(back.ui.framesDrawn > drawnBefore, 'the app drew again after the zero-size moment');
    assert.ok(back.ui.display[0] > 0 && back.ui.display[1] > 0, `display ${back.ui.display}`);
    await page.waitForFunction(() => window.cnnlab.state().phase === 'done', null, {timeout: 300000});
    const done = await page.evaluate(() => window.cnnlab.state());
    assert.equal(done.run, 1);
    assert.equal(done.epoch, 3, 'every epoch of the run trained through the resizes');
    assert.equal(done.step, 3 * done.stepsPerEpoch);
    await saveScreenshot(page, 'interaction-after-resizes-1280x800.png');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
