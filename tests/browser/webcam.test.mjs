// Browser end-to-end test of the Webcam classes panel (web/page/webcam-panel.js, webcam-camera.js,
// webcam-dataset.js) with Chromium's fake camera (its frames change over time: a turning disc
// and a clock): two classes recorded at different moments by holding Record (the mouse for one,
// Space for the other) become the lab's dataset through the upload path, a run trains on them to
// the end, and the live guess classifies camera frames (state().webcam, state().files.photo);
// closing the panel releases the camera. Without a camera: refused (NotAllowedError), none found
// (NotFoundError), and the track ending mid-recording each show a message naming the reason,
// keep the recorded frames, and leave the dataset and the runs as they were.
// Screenshots go to $CNNLAB_ARTIFACTS (webcam-*.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot } from './lib/harness.mjs';

let browser;
before(async () => { browser = await launchBrowser({fakeCamera: true}); });
after(async () => { if (browser) await browser.close(); });

const webcamState = (page) => page.evaluate(() => window.cnnlab.state().webcam);

// Holds class `index`'s Record button (the mouse, or Space on the focused button) until it has
// at least `count` frames, then releases it; returns the class's frames after the release.
async function holdRecord(page, index, count, {keyboard = false} = {}) {
  const record = page.locator('.cnnlab-webcam-record').nth(index);
  if (keyboard) {
    await record.focus();
    await page.keyboard.down('Space');
  } else {
    await record.hover();
    await page.mouse.down();
  }
  await page.waitForFunction(({index, count}) => {
    const w = window.cnnlab.state().webcam;
    return w.recording === index && w.classes[index].frames >= count;
  }, {index, count}, {timeout: 30000});
  if (keyboard) await page.keyboard.up('Space');
  else await page.mouse.up();
  const released = await webcamState(page);
  assert.equal(released.recording, null, 'releasing the button stops recording');
  return released.classes[index].frames;
}

test('two webcam classes recorded with the fake camera train, and the live guess follows the camera', async () => {
  const {context, page, errors} = await newPage(browser);
  await openLab(page);
  await page.evaluate(() => window.cnnlab.configure({epochs: 2}));
  const opened = await page.evaluate(() => window.cnnlab.webcam());
  assert.equal(opened.open, true);
  assert.equal(opened.camera, 'on', `camera: ${opened.problem}`);
  assert.deepEqual(opened.classes, [{name: 'Class A', frames: 0}, {name: 'Class B', frames: 0}]);
  assert.equal(opened.trained, false);
  assert.equal(await page.locator('.cnnlab-webcam-record').first().getAttribute('aria-label'),
               'Hold to record frames of Class A');

  // Too few frames: refused, naming the class; nothing loaded.
  const datasetBefore = await page.evaluate(() => window.cnnlab.state().dataset.name);
  await page.locator('.cnnlab-webcam-train').click();
  await page.waitForFunction(() => /'Class A' has 0 frames/.test(window.cnnlab.state().webcam.message));
  assert.equal(await page.evaluate(() => window.cnnlab.state().dataset.name), datasetBefore);

  await page.locator('.cnnlab-webcam-name').first().fill('left');
  const framesA = await holdRecord(page, 0, 12);
  // Released: no more frames arrive.
  await page.waitForTimeout(600);
  assert.equal((await webcamState(page)).classes[0].frames, framesA);
  // The fake camera's picture has moved on by the time class B records.
  await page.waitForTimeout(1500);
  const framesB = await holdRecord(page, 1, 12, {keyboard: true});
  const recorded = await webcamState(page);
  assert.deepEqual(recorded.classes.map((c) => c.name), ['left', 'Class B']);
  assert.ok(framesA >= 12 && framesB >= 12, `frames ${framesA}, ${framesB}`);
  await saveScreenshot(page, 'webcam-recorded.png');

  // Train on these: the frames become the dataset (the Data panel's), a run trains to the end.
  await page.locator('.cnnlab-webcam-train').click();
  await page.waitForFunction(() => {
    const s = window.cnnlab.state();
    return s.dataset && s.dataset.name === 'webcam-classes' && s.webcam.trained;
  }, null, {timeout: 60000});
  const dataset = await page.evaluate(() => window.cnnlab.state().dataset);
  assert.equal(dataset.classes, 2);
  assert.equal(dataset.train + dataset.val + dataset.test, framesA + framesB);
  await page.waitForFunction(() => {
    const s = window.cnnlab.state();
    return s.phase === 'done' && s.testAcc !== null;
  }, null, {timeout: 240000});
  const trained = await page.evaluate(() => window.cnnlab.state());
  assert.ok(trained.testAcc >= 0 && trained.testAcc <= 1, `test accuracy ${trained.testAcc}`);

  // The live guess: camera frames classified again and again, shown in Inside the network.
  const firstCount = (await webcamState(page)).predictions;
  await page.waitForFunction((n) => window.cnnlab.state().webcam.predictions >= n + 3,
                             firstCount, {timeout: 30000});
  const live = await page.evaluate(() => window.cnnlab.state());
  assert.equal(live.webcam.live, true);
  assert.ok(['left', 'Class B'].includes(live.webcam.prediction.label), live.webcam.prediction.label);
  assert.equal(live.files.photo.name, 'camera');
  assert.equal(live.files.photo.top3[0].label, live.webcam.prediction.label);
  assert.match(await page.locator('.cnnlab-webcam-guess').textContent(), /^(left|Class B) \d+ %$/);
  await frames(page, 5);
  await saveScreenshot(page, 'webcam-live.png');
  // A frame is no file the student opened: no notice each time, and the Results tab the student
  // picks stays in front while the guesses go on.
  assert.doesNotMatch(live.files.notice || '', /Classified camera/);
  await page.evaluate(() => window.cnnlab.showPanel('eval'));
  const beforeEval = (await webcamState(page)).predictions;
  await page.waitForFunction((n) => window.cnnlab.state().webcam.predictions >= n + 3,
                             beforeEval, {timeout: 30000});
  await frames(page, 3);
  assert.equal((await page.evaluate(() => window.cnnlab.state().ui.openTabs.results)), 'Evaluation');
  assert.doesNotMatch((await page.evaluate(() => window.cnnlab.state().files.notice)) || '',
                      /Classified camera/);

  // Pause stops the guesses; Resume brings them back.
  await page.locator('.cnnlab-webcam-pause').click();
  const paused = await webcamState(page);
  assert.equal(paused.live, false);
  await page.waitForTimeout(1000);
  assert.ok((await webcamState(page)).predictions <= paused.predictions + 1);
  await page.locator('.cnnlab-webcam-pause').click();
  await page.waitForFunction((n) => window.cnnlab.state().webcam.predictions >= n + 2,
                             paused.predictions + 1, {timeout: 30000});

  // A phone's width: the panel fits.
  await page.setViewportSize({width: 390, height: 844});
  await frames(page, 5);
  const box = await page.locator('.cnnlab-webcam').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `panel at ${box.x}..${box.x + box.width}`);
  await saveScreenshot(page, 'webcam-phone.png');

  // Another dataset loaded: its classes are not the camera's, so the live guess stops.
  await page.evaluate(() => window.cnnlab.configure({subset: '1k'}));
  await page.waitForFunction(() => !window.cnnlab.state().webcam.live, null, {timeout: 30000});
  const other = await webcamState(page);
  assert.equal(other.trained, false);
  assert.match(other.message, /another dataset/);
  assert.notEqual(await page.evaluate(() => window.cnnlab.state().dataset.name), 'webcam-classes');

  // Closing releases the camera: its track has ended, the panel is hidden.
  await page.evaluate(() => {
    window.webcamTrack = document.querySelector('.cnnlab-webcam-video').srcObject.getVideoTracks()[0];
  });
  await page.locator('.cnnlab-webcam-close').click();
  const closed = await page.evaluate(() => ({s: window.cnnlab.state(), track: window.webcamTrack.readyState}));
  assert.equal(closed.track, 'ended');
  assert.equal(closed.s.webcam.open, false);
  assert.equal(closed.s.webcam.camera, 'off');
  assert.equal(closed.s.webcam.classes[0].frames, framesA, 'the frames stay for the next open');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the camera ending mid-recording stops it with a message; the frames, dataset and runs stay', async () => {
  const {context, page, errors} = await newPage(browser);
  // A reader who asks for a dark theme and reduced motion: the Recording badge does not blink.
  await page.emulateMedia({colorScheme: 'dark', reducedMotion: 'reduce'});
  await openLab(page);
  const before = await page.evaluate(() => ({dataset: window.cnnlab.state().dataset.name,
                                             runs: window.cnnlab.history().length}));
  const opened = await page.evaluate(() => window.cnnlab.webcam());
  assert.equal(opened.camera, 'on', `camera: ${opened.problem}`);
  await page.locator('.cnnlab-webcam-record').first().hover();
  await page.mouse.down();
  await page.waitForFunction(() => window.cnnlab.state().webcam.classes[0].frames >= 3);
  assert.equal(await page.locator('.cnnlab-webcam-badge').evaluate((e) => getComputedStyle(e).animationName), 'none');
  // The system takes the camera away: its track ends (stopped outside the panel).
  await page.evaluate(() => {
    document.querySelector('.cnnlab-webcam-video').srcObject.getVideoTracks()[0].stop();
  });
  await page.waitForFunction(() => window.cnnlab.state().webcam.camera === 'off');
  await page.mouse.up();
  const lost = await webcamState(page);
  assert.equal(lost.recording, null);
  assert.ok(lost.classes[0].frames >= 3, 'the recorded frames are kept');
  assert.match(lost.problem, /track ended/);
  assert.match(lost.message, /recording into 'Class A' stopped at \d+ frames/);
  assert.equal(await page.locator('.cnnlab-webcam-absent').textContent(),
               'The camera stopped (its video track ended).');
  assert.equal(await page.locator('.cnnlab-webcam-retry').isVisible(), true);
  assert.equal(await page.locator('.cnnlab-webcam-record').first().isDisabled(), true);
  await saveScreenshot(page, 'webcam-lost-dark.png');
  const after = await page.evaluate(() => ({dataset: window.cnnlab.state().dataset.name,
                                            runs: window.cnnlab.history().length}));
  assert.deepEqual(after, before);
  // Try the camera again: it is back, the frames still there.
  await page.locator('.cnnlab-webcam-retry').click();
  await page.waitForFunction(() => window.cnnlab.state().webcam.camera === 'on');
  assert.equal((await webcamState(page)).classes[0].frames, lost.classes[0].frames);
  assert.deepEqual(errors, []);
  await context.close();
});

// A page whose getUserMedia rejects with a DOMException named `name` (what Chromium does when
// the camera is refused or missing).
async function pageWithoutCamera(name) {
  const opened = await newPage(browser);
  await opened.page.addInitScript((name) => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('stubbed', name));
  }, name);
  await openLab(opened.page);
  return opened;
}

for (const [name, reason] of [['NotAllowedError', /The camera was refused \(NotAllowedError\)/],
                              ['NotFoundError', /No camera was found \(NotFoundError\)/]]) {
  test(`a camera that is ${name === 'NotAllowedError' ? 'refused' : 'missing'} is explained in the panel; nothing loaded is lost`, async () => {
    const {context, page, errors} = await pageWithoutCamera(name);
    const before = await page.evaluate(() => window.cnnlab.state().dataset.name);
    const opened = await page.evaluate(() => window.cnnlab.webcam());
    assert.equal(opened.camera, 'off');
    assert.match(opened.problem, reason);
    assert.match(await page.locator('.cnnlab-webcam-status').textContent(), reason);
    assert.match(await page.locator('.cnnlab-webcam-absent').textContent(), reason);
    assert.equal(await page.locator('.cnnlab-webcam-retry').isVisible(), true);
    assert.equal(await page.locator('.cnnlab-webcam-record').first().isDisabled(), true);
    // Train on these without frames: refused, naming the class; the dataset stays.
    await page.locator('.cnnlab-webcam-train').click();
    await page.waitForFunction(() => /'Class A' has 0 frames/.test(window.cnnlab.state().webcam.message));
    assert.equal(await page.evaluate(() => window.cnnlab.state().dataset.name), before);
    if (name === 'NotFoundError') {
      // Up to 10 classes; at least 2 stay; two classes of one name are refused by name.
      const add = page.locator('.cnnlab-webcam-add');
      for (let i = 0; i < 8; ++i) await add.click();
      assert.equal(await add.isDisabled(), true);
      let classes = (await webcamState(page)).classes;
      assert.equal(classes.length, 10);
      assert.equal(classes[9].name, 'Class J');
      await page.locator('.cnnlab-webcam-remove').nth(9).click();
      assert.equal((await webcamState(page)).classes.length, 9);
      assert.equal(await add.isDisabled(), false);
      await page.locator('.cnnlab-webcam-name').nth(2).fill('class a');
      await page.locator('.cnnlab-webcam-train').click();
      assert.match((await webcamState(page)).message,
                   /Classes 1 and 3 are both named 'class a': rename one/);
      for (let i = 8; i >= 2; --i) await page.locator('.cnnlab-webcam-remove').nth(i).click();
      classes = (await webcamState(page)).classes;
      assert.deepEqual(classes.map((c) => c.name), ['Class A', 'Class B']);
      assert.equal(await page.locator('.cnnlab-webcam-remove').first().isDisabled(), true);
    }
    if (name === 'NotAllowedError') {
      await saveScreenshot(page, 'webcam-refused.png');
      // Escape closes the panel; the File menu offers it again (File > Webcam classes...).
      await page.locator('.cnnlab-webcam-name').first().focus();
      await page.keyboard.press('Escape');
      assert.equal((await webcamState(page)).open, false);
      const ui = (await page.evaluate(() => window.cnnlab.state())).ui;
      const fileMenu = ui.tabs.find((t) => t.bar === 'menu' && t.name === 'File');
      await page.mouse.click((fileMenu.x + fileMenu.w / 2) / ui.scale,
                             (fileMenu.y + fileMenu.h / 2) / ui.scale);
      await frames(page, 6);
      assert.equal((await page.evaluate(() => window.cnnlab.state())).ui.openMenu, 'File');
      await saveScreenshot(page, 'webcam-file-menu.png');
      await page.keyboard.press('Escape');
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}
