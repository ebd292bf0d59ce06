// Browser tests of the lab's layout at the two sizes every student must be able to use, a
// 1280x800 laptop and a 390x844 phone:
//   - at 1280x800 the feature maps have a usable height below the Results area's controls
//     (state().ui.scroll.insideMaps.h, the feature-map column's visible height);
//   - the notice after a file is saved breaks its lines at spaces only (a file name too long
//     for a line is shortened in its middle, never broken) and takes a strip of its own under
//     the panels instead of covering them (state().files.noticeLines, noticeTop,
//     state().ui.areasBottom);
//   - Start leaves the Training panel's tab the student chose open (it shows the per-layer
//     statistics only while they never chose one);
//   - while a finished run is tested, the menu bar's status says "testing" (state().testing);
//   - the per-layer statistics table breaks a layer's name between words only, never inside
//     one such as "pad=same" (state().ui.cells: each cell's lines as drawn);
//   - on a phone, two fingers spreading on the feature maps enlarge them and closing shrinks
//     them (state().ui.mapZoom); the Size buttons are finger-sized (40 CSS pixels) and step it.
// Each lab loads a small synthetic pack (lib/pack.mjs). Screenshots go to $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, saveScreenshot, siteUrl,
         trainToEnd } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const PACK_PATH = '**/test-data/layout.pack';
const packUrl = `${siteUrl}?pack=test-data/layout.pack`;

// A lab of the given size on a small synthetic dataset, ready to train.
async function openSmallLab({width, height, touch = false, name = 'synthetic'}) {
  const opened = await newPage(browser, {width, height, touch});
  const pack = syntheticPack({perClassTrain: 20, perClassTest: 5, name});
  await opened.context.route(PACK_PATH, (route) =>
    route.fulfill({status: 200, contentType: 'application/octet-stream', body: pack}));
  await opened.page.goto(packUrl);
  await opened.page.evaluate(() => window.cnnlab.ready.then(() => true));
  await opened.page.evaluate(() => window.cnnlab.configure({model: 'cnn', epochs: 1, batch: 16}));
  return opened;
}

const state = (page) => page.evaluate(() => window.cnnlab.state());

// Asserts that every piece between spaces of the drawn `lines` is a whole word of `text`, or a
// word shortened in its middle ("garden-birds…version.pack.") that begins and ends as one does.
function assertBrokenBetweenWords(text, lines, what) {
  const words = text.split(/\s+/);
  for (const line of lines) {
    for (const piece of line.split(' ')) {
      if (words.includes(piece)) continue;
      const [head, tail] = piece.split('\u2026');
      assert.ok(tail !== undefined && words.some((w) => w.startsWith(head) && w.endsWith(tail)),
                `${what}: "${piece}" in line "${line}" is a word broken apart (${JSON.stringify(lines)})`);
    }
  }
}

test('at 1280x800 the feature maps get a usable height after training', {timeout: 180000},
     async () => {
  const {context, page, errors} = await openSmallLab({width: 1280, height: 800});
  try {
    await trainToEnd(page);
    await page.evaluate(() => window.cnnlab.showPanel('inside'));
    await frames(page, 6);
    const s = await state(page);
    const maps = s.ui.scroll.insideMaps;
    assert.ok(maps, `the feature-map column is drawn: ${JSON.stringify(s.ui.scroll)}`);
    // 35 % of the window's height: three rows of a first conv layer's 32x32 maps at least, the
    // first of them in view without scrolling.
    const mapsHeight = maps.h / s.ui.scale;
    assert.ok(mapsHeight >= 0.35 * 800,
              `the feature maps are ${mapsHeight} px high of 800 (${JSON.stringify(maps)})`);
    await saveScreenshot(page, 'layout-inside-1280x800.png');
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});

// A dataset whose name is one long word, as a student's own often is: its download's notice
// ("Saved: downloaded as NAME.pack. Host it ...") has a word longer than a phone's line.
const LONG_NAME = 'garden-birds-and-insects-photographed-by-class-7b-in-december-final-version';

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`the saved-file notice wraps at spaces and covers no panel, ${width}x${height}`,
       {timeout: 120000}, async () => {
    const {context, page, errors} = await openSmallLab({width, height, name: LONG_NAME});
    try {
      await page.evaluate(() => window.cnnlab.downloadDataset());
      await page.waitForFunction(() => (window.cnnlab.state().files.noticeLines || []).length > 0,
                                 null, {timeout: 30000});
      await frames(page, 4);
      const s = await state(page);
      const {notice, noticeLines, noticeTop} = s.files;
      assert.match(notice, new RegExp(`^Saved: downloaded as ${LONG_NAME}`));
      assertBrokenBetweenWords(notice, noticeLines, 'the notice');
      assert.ok(noticeLines.join(' ').includes('Host it and link'), 'the sentence after the name is whole');
      // Its own strip: the panels end above it.
      assert.ok(s.ui.areasBottom <= noticeTop + 0.5,
                `the panels (bottom ${s.ui.areasBottom}) end above the notice (top ${noticeTop})`);
      await saveScreenshot(page, `layout-notice-${width}x${height}.png`);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });
}

// The centre of a drawn tab (state().ui.tabs) in CSS pixels.
function tabCentre(ui, bar, name) {
  const tab = ui.tabs.find((t) => t.bar === bar && t.name === name);
  assert.ok(tab, `tab ${bar}/${name} is drawn`);
  return {x: (tab.x + tab.w / 2) / ui.scale, y: (tab.y + tab.h / 2) / ui.scale};
}

test('Start leaves the Training tab the student chose open', {timeout: 180000}, async () => {
  const {context, page, errors} = await openSmallLab({width: 1280, height: 800});
  try {
    // Never chosen: one step shows the statistics, the layers at work.
    assert.equal((await state(page)).ui.openTabs.training, 'Settings');
    await page.evaluate(() => window.cnnlab.step());
    await page.waitForFunction(() => window.cnnlab.state().step >= 1, null, {timeout: 30000});
    await frames(page, 4);
    assert.equal((await state(page)).ui.openTabs.training, 'Per-layer statistics');
    // The student goes back to Settings with the mouse and presses Start (the P key): the
    // Settings stay open through the run.
    const {x, y} = tabCentre((await state(page)).ui, 'training', 'Settings');
    await page.mouse.click(x, y);
    await frames(page, 6);
    assert.equal((await state(page)).ui.openTabs.training, 'Settings');
    await page.keyboard.press('p');
    await page.waitForFunction(() => ['training', 'done'].includes(window.cnnlab.state().phase) &&
                                     window.cnnlab.state().step > 1, null, {timeout: 30000});
    await frames(page, 6);
    assert.equal((await state(page)).ui.openTabs.training, 'Settings', 'Start kept the Settings tab');
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});

test('the status says testing while the finished run is tested', {timeout: 180000}, async () => {
  const opened = await newPage(browser, {width: 1280, height: 800});
  const {context, page, errors} = opened;
  try {
    // 1,200 test images: the test takes several of the trainer's reports.
    const pack = syntheticPack({perClassTrain: 10, perClassTest: 300});
    await context.route(PACK_PATH, (route) =>
      route.fulfill({status: 200, contentType: 'application/octet-stream', body: pack}));
    await page.goto(packUrl);
    await page.evaluate(() => window.cnnlab.ready.then(() => true));
    await page.evaluate(() => window.cnnlab.configure({model: 'cnn', epochs: 1, batch: 16}));
    // Every animation frame until the run is done: the statuses seen while it was tested.
    await page.evaluate(() => {
      window.__testingStatuses = [];
      const look = () => {
        const s = window.cnnlab.state();
        if (s.testing) window.__testingStatuses.push(s.ui.status);
        if (s.phase !== 'done') requestAnimationFrame(look);
      };
      window.cnnlab.train();
      requestAnimationFrame(look);
    });
    await page.waitForFunction(() => window.cnnlab.state().phase === 'done' &&
                                     window.cnnlab.state().testAcc !== null, null, {timeout: 120000});
    const seen = await page.evaluate(() => window.__testingStatuses);
    assert.ok(seen.length > 0, 'the test was seen under way');
    assert.deepEqual([...new Set(seen)], ['testing'], `statuses while testing: ${seen}`);
    const done = await state(page);
    assert.equal(done.testing, false);
    assert.equal(done.ui.status, 'done');
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});

for (const [width, height, touch] of [[1280, 800, false], [390, 844, true]]) {
  test(`the per-layer statistics break layer names between words, ${width}x${height}`,
       {timeout: 120000}, async () => {
    const {context, page, errors} = await openSmallLab({width, height, touch});
    try {
      await page.evaluate(() => window.cnnlab.configure({
        spec: 'conv2d 16 k=5 stride=1 pad=same; relu; maxpool2d 2; conv2d 24 k=3 pad=same; ' +
              'relu; flatten; dense 4'}));
      await page.evaluate(() => window.cnnlab.step());
      await page.waitForFunction(() => window.cnnlab.state().ui.cells.length > 0, null,
                                 {timeout: 30000});
      await frames(page, 4);
      const s = await state(page);
      assert.equal(s.ui.openTabs.training, 'Per-layer statistics');
      const cells = s.ui.cells.filter((c) => c.table === 'layer_stats');
      assert.ok(cells.some((c) => c.text.includes('pad=same')), JSON.stringify(cells));
      for (const cell of cells) assertBrokenBetweenWords(cell.text, cell.lines, 'a layer name');
      await saveScreenshot(page, `layout-layer-stats-${width}x${height}.png`);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });
}

// The centre of a control noted in state().ui.controls, in CSS pixels, and its size.
function control(ui, panel, name) {
  const c = ui.controls.find((k) => k.panel === panel && k.name === name);
  assert.ok(c, `control ${panel}/${name} is drawn: ${JSON.stringify(ui.controls)}`);
  return {x: (c.x + c.w / 2) / ui.scale, y: (c.y + c.h / 2) / ui.scale,
          w: c.w / ui.scale, h: c.h / ui.scale};
}

// Two fingers at `centre`, `from` CSS pixels either side of it horizontally, moving in steps to
// `to` either side, then lifting (real touch events through the DevTools protocol: playwright's
// touchscreen has one finger only).
async function pinch(page, cdp, centre, from, to) {
  const points = (half) => [{x: centre.x - half, y: centre.y, id: 1},
                            {x: centre.x + half, y: centre.y, id: 2}];
  await cdp.send('Input.dispatchTouchEvent', {type: 'touchStart', touchPoints: points(from)});
  await frames(page, 2);
  const steps = 6;
  for (let i = 1; i <= steps; ++i) {
    await cdp.send('Input.dispatchTouchEvent',
                   {type: 'touchMove', touchPoints: points(from + (to - from) * i / steps)});
    await frames(page, 2);
  }
  await cdp.send('Input.dispatchTouchEvent', {type: 'touchEnd', touchPoints: []});
  await frames(page, 4);
}

test('on a phone pinching the feature maps zooms them; the size buttons are finger-sized',
     {timeout: 120000}, async () => {
  const {context, page, errors} = await openSmallLab({width: 390, height: 844, touch: true});
  try {
    await page.evaluate(() => window.cnnlab.showPanel('inside'));
    await frames(page, 6);
    let s = await state(page);
    assert.equal(s.ui.narrowArea, 'Results');
    assert.equal(s.ui.mapZoom, 1);
    const maps = control(s.ui, 'inside', 'maps');
    const cdp = await context.newCDPSession(page);
    // Spread from 40 to 100 px apart: 2.5 times larger.
    await pinch(page, cdp, maps, 20, 50);
    s = await state(page);
    assert.ok(s.ui.mapZoom > 2 && s.ui.mapZoom < 3, `spread fingers enlarge the maps: ${s.ui.mapZoom}`);
    await saveScreenshot(page, 'layout-pinched-maps-390x844.png');
    // Closing them shrinks the maps again.
    await pinch(page, cdp, control(s.ui, 'inside', 'maps'), 60, 30);
    s = await state(page);
    const pinched = s.ui.mapZoom;
    assert.ok(pinched > 1 && pinched < 1.5, `closing fingers shrink the maps: ${pinched}`);
    // The buttons: 40 CSS pixels each way, a tap steps to the next size.
    const smaller = control(s.ui, 'inside', 'mapSmaller');
    const larger = control(s.ui, 'inside', 'mapLarger');
    for (const b of [smaller, larger]) assert.ok(b.w >= 40 && b.h >= 40, `a finger-sized button: ${JSON.stringify(b)}`);
    await page.touchscreen.tap(larger.x, larger.y);
    await frames(page, 6);
    assert.equal((await state(page)).ui.mapZoom, 1.5, 'the step above the pinched size');
    s = await state(page);
    const again = control(s.ui, 'inside', 'mapSmaller');
    await page.touchscreen.tap(again.x, again.y);
    await frames(page, 6);
    assert.equal((await state(page)).ui.mapZoom, 1);
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});
