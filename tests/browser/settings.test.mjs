// Browser tests of the training settings: every setting the engine has reaches the trainer from
// the JavaScript API, a link and the Training panel's own controls (state().ui.controls: the
// boxes, their - / + buttons, the switches), and shows in state().options, the run's history(),
// the run log (runs()) and the screen-reader mirror. Nonsense is refused naming the setting, and
// the settings and the finished run stay as they were. The old `augment` switch still means flips
// + 2 px shifts. On a phone every Backspace and Delete reaches a text field, however quickly
// they come. Screenshots of the Training panel at 1280x800 and 390x844 go to
// $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, panelScreenshots, revealControl, saveScreenshot,
         siteUrl, sitePacks, trainToEnd } from './lib/harness.mjs';

const SUBSET = '1k';
// A small network and one epoch: the point is where the settings go, not what it learns.
const SMALL = {subset: SUBSET, model: 'cnn1', filters: 4, dense: 16, epochs: 1, batch: 64,
               patience: 0, seed: 7};
// Every setting this file checks, each different from its default.
const NEW_SETTINGS = {optimizer: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 0.0001,
                      clipNorm: 1.5, lr: 0.02, lrSchedule: 'step', lrStepEpochs: 1, lrGamma: 0.5,
                      flip: true, shift: 3};

let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

function hasSubset() { return manifest.packs.some((p) => p.id === SUBSET); }

const options = (page) => page.evaluate(() => window.cnnlab.state().options);

// A float setting as the engine keeps it (a float32): compared to 6 significant digits.
function sameSetting(actual, expected) {
  return typeof expected === 'number' ? Number(actual.toPrecision(6)) === expected
                                      : actual === expected;
}

function assertSettings(actual, expected, where) {
  for (const [key, value] of Object.entries(expected)) {
    assert.ok(sameSetting(actual[key], value), `${where}: ${key} is ${actual[key]}, expected ${value}`);
  }
}

// The mirror's settings list (the text view's <dl>): {term: description}.
function mirrorFacts(page) {
  return page.evaluate(() => Object.fromEntries(Array.from(
      document.querySelectorAll('.cnnlab-facts dt'),
      (dt) => [dt.textContent, dt.nextElementSibling.textContent])));
}

test('every new setting reaches the trainer through the API; refusals name it and change nothing',
     {timeout: 300000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack (configure with -DCNNLAB_SITE_DATA=SOURCE)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    await page.evaluate((o) => window.cnnlab.configure(o), {...SMALL, ...NEW_SETTINGS});
    const configured = await options(page);
    assertSettings(configured, NEW_SETTINGS, 'state().options after configure');
    assert.ok(!('augment' in configured), 'state().options reports flip and shift, not augment');

    // One step: the trainer reports the rate of its next step (the schedule's; still lr in the
    // first epoch), and none once the run has ended.
    await page.evaluate(() => window.cnnlab.step());
    await page.waitForFunction(() => window.cnnlab.state().step === 1 && window.cnnlab.state().lr !== null,
                               null, {timeout: 60000});
    assert.ok(sameSetting((await page.evaluate(() => window.cnnlab.state())).lr, 0.02));
    const done = await trainToEnd(page);
    assert.equal(done.phase, 'done');
    assert.equal(done.lr, null);
    assertSettings(done.options, NEW_SETTINGS, 'state().options after the run');
    const history = await page.evaluate(() => window.cnnlab.history());
    const run = history[history.length - 1];
    assertSettings(run.options, NEW_SETTINGS, "the run's history() record");
    assert.equal(run.epochs.length, 1);
    const log = await page.evaluate(() => window.cnnlab.runs());
    const entry = log[log.length - 1];
    assertSettings(entry.options, NEW_SETTINGS, 'the run log (runs())');
    for (const words of ['sgd momentum 0.8 Nesterov', 'step x0.5 every 1 epoch', 'clip 1.5',
                         'flips + shifts up to 3 px']) {
      assert.ok(entry.settings.includes(words), `the run log's settings "${entry.settings}" say ${words}`);
    }
    // The screen-reader mirror lists them too (it refreshes on a timer).
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.cnnlab-facts dt'))
        .some((dt) => dt.textContent === 'Optimizer' && dt.nextElementSibling.textContent.startsWith('sgd')),
                               null, {timeout: 20000});
    const facts = await mirrorFacts(page);
    assert.equal(facts.Optimizer, 'sgd, momentum 0.8, Nesterov');
    assert.equal(facts['Gradient clipping'], 'global norm at most 1.5');
    assert.equal(facts['Learning-rate schedule'], 'step: × 0.5 every 1 epochs');
    assert.equal(facts.Augmentation, 'random flips and shifts of up to 3 px');

    // Nonsense: refused with the setting named; the settings and the tested run stay.
    const testAcc = done.testAcc;
    const refusals = [
      [{lrSchedule: 'linear'}, /^option lrSchedule: must be constant, step or cosine/],
      [{lrStepEpochs: 0}, /^option lrStepEpochs: /],
      [{lrGamma: 2}, /^option lrGamma: must be a number in \(0, 1\]/],
      [{lrSchedule: 'cosine', lrMin: 0.5}, /^option lrMin: the cosine schedule/],
      [{lrMin: -1}, /^option lrMin: /],
      [{nesterov: 'yes'}, /^option nesterov: must be true or false/],
      [{momentum: 0}, /^option nesterov: Nesterov momentum needs momentum > 0/],
      [{clipNorm: -2}, /^option clipNorm: /],
      [{flip: 1}, /^option flip: must be true or false/],
      [{shift: 9}, /^option shift: the shift must be between 0 and 8 pixels, got 9/],
      [{shift: 1.5}, /^option shift: must be a whole number/],
      [{augment: 'on'}, /^option augment: must be true or false/],
    ];
    for (const [bad, message] of refusals) {
      const why = await page.evaluate((o) => window.cnnlab.configure(o).then(() => null,
                                                                             (e) => e.message), bad);
      assert.match(why || 'accepted', message, JSON.stringify(bad));
      assert.deepEqual(await options(page), configured, `${JSON.stringify(bad)} changed nothing`);
    }
    const after = await page.evaluate(() => window.cnnlab.state());
    assert.equal(after.testAcc, testAcc, 'the tested run is kept');
    assert.equal((await page.evaluate(() => window.cnnlab.history())).length, history.length);

    // The old switch: augment true is flip + 2 px shifts, reported as flip and shift.
    await page.evaluate(() => window.cnnlab.configure({augment: false}));
    assert.deepEqual([(await options(page)).flip, (await options(page)).shift], [false, 0]);
    await page.evaluate(() => window.cnnlab.configure({augment: true}));
    const old = await options(page);
    assert.deepEqual([old.flip, old.shift, 'augment' in old], [true, 2, false]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a link sets the new settings, and the old augment switch in a link still works',
     {timeout: 300000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    const url = new URL(`index.html?subset=${SUBSET}&augment=true&lrSchedule=cosine&lrMin=0.0001` +
                        '&optimizer=sgd&nesterov&clipNorm=2', siteUrl).href;
    await openLab(page, {timeout: 240000, url});
    const o = await options(page);
    assertSettings(o, {flip: true, shift: 2, lrSchedule: 'cosine', lrMin: 0.0001, optimizer: 'sgd',
                       nesterov: true, clipNorm: 2}, 'state().options from the link');
    // Copy link writes them back in the new spelling.
    const link = await page.evaluate(() => window.cnnlab.link());
    const params = new URL(link).searchParams;
    assert.equal(params.get('flip'), 'true');
    assert.equal(params.get('shift'), '2');
    assert.equal(params.get('lrSchedule'), 'cosine');
    assert.equal(params.get('augment'), null);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// ---- The Training panel's own controls -------------------------------------------------------

// Scrolls the Training panel's settings until `name` is wholly in view; returns its rectangle.
const reveal = revealControl;

async function clickControl(page, name) {
  const c = await reveal(page, name);
  // A checkbox's box and a button are at their left; a box's text anywhere inside.
  await page.mouse.click((c.x + Math.min(c.w / 2, 8)) / c.scale, (c.y + c.h / 2) / c.scale);
  await frames(page, 6);
}

// Taps a number box, types a value and presses Enter (the box selects its text when tapped).
async function typeInto(page, name, text) {
  const c = await reveal(page, name);
  await page.mouse.click((c.x + c.w / 2) / c.scale, (c.y + c.h / 2) / c.scale);
  await frames(page, 3);
  await page.keyboard.type(text);
  // Held over a few frames, as a finger does: ImGui 1.86 reads Enter as a key held at a frame,
  // so a press and release between two frames would not be seen.
  await page.keyboard.down('Enter');
  await frames(page, 3);
  await page.keyboard.up('Enter');
  await frames(page, 8);
}

test("the Training panel's controls set every setting; a typed nonsense value is refused by name",
     {timeout: 300000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    await page.evaluate((o) => window.cnnlab.configure(o), {...SMALL, optimizer: 'adam', lr: 0.001});
    await frames(page, 6);
    // Every group and setting is drawn, with a tooltip in the code (item_tooltip) beside each.
    const names = (await page.evaluate(() => window.cnnlab.state().ui.controls)).map((c) => c.name);
    for (const name of ['groupOptimiser', 'groupLearningRate', 'groupAugmentation', 'groupStopping',
                        'optimizer', 'momentum', 'nesterov', 'weightDecay', 'clip', 'lr',
                        'lrSchedule', 'flip', 'shift', 'shift+', 'batch', 'epochs',
                        'earlyStopping', 'valFraction', 'standardize', 'seed']) {
      assert.ok(names.includes(name), `the Training panel draws ${name}`);
    }
    await panelScreenshots(page, 'settings-1280x800');

    // Nesterov is sgd's: with adam its switch is disabled, a click changes nothing.
    await clickControl(page, 'nesterov');
    assert.equal((await options(page)).nesterov, false, 'Nesterov stays off under adam');
    await page.evaluate(() => window.cnnlab.configure({optimizer: 'sgd', momentum: 0.9}));
    await frames(page, 4);
    await clickControl(page, 'nesterov');
    assert.equal((await options(page)).nesterov, true, 'one click turns Nesterov on under sgd');

    // Switches and steps.
    await clickControl(page, 'flip');
    assert.equal((await options(page)).flip, true);
    await clickControl(page, 'shift+');
    await clickControl(page, 'shift+');
    assert.equal((await options(page)).shift, 2, 'two + on the shift');
    await clickControl(page, 'clip');
    assert.equal((await options(page)).clipNorm, 1, 'Clip gradients on: a limit of 1');
    await clickControl(page, 'lr+');
    assert.ok(sameSetting((await options(page)).lr, 0.002), '+ doubles the learning rate');

    await clickControl(page, 'weightDecay+');
    assert.ok(sameSetting((await options(page)).weightDecay, 0.0001), '+ from 0 gives 1e-4');

    // Exact values typed into the boxes.
    await typeInto(page, 'lr', '0.005');
    assert.ok(sameSetting((await options(page)).lr, 0.005), 'typed learning rate');
    await typeInto(page, 'weightDecay', '0.0003');
    assert.ok(sameSetting((await options(page)).weightDecay, 0.0003), 'typed weight decay');
    await typeInto(page, 'clipNorm', '2.5');
    assert.equal((await options(page)).clipNorm, 2.5, 'typed gradient limit');
    await page.evaluate(() => window.cnnlab.configure({lrSchedule: 'step'}));
    await frames(page, 4);
    await typeInto(page, 'lrStepEpochs', '3');
    await typeInto(page, 'lrGamma', '0.25');
    let o = await options(page);
    assert.deepEqual([o.lrSchedule, o.lrStepEpochs, o.lrGamma], ['step', 3, 0.25]);

    // A typed nonsense value: refused naming the setting, shown, the applied settings unchanged.
    const before = await options(page);
    await typeInto(page, 'shift', '12');
    const s = await page.evaluate(() => window.cnnlab.state());
    assert.match(s.settingsError || '', /^option shift: the shift must be between 0 and 8 pixels/);
    assert.deepEqual(s.options, before, 'the refused shift changed nothing');
    await saveScreenshot(page, 'settings-refused-1280x800.png');
    await typeInto(page, 'shift', '4');
    o = await options(page);
    assert.equal(o.shift, 4);
    assert.equal((await page.evaluate(() => window.cnnlab.state())).settingsError, null);

    // A run with what the panel set: the record shows it.
    const done = await trainToEnd(page);
    const history = await page.evaluate(() => window.cnnlab.history());
    assertSettings(history[history.length - 1].options,
                   {optimizer: 'sgd', nesterov: true, flip: true, shift: 4, clipNorm: 2.5, lr: 0.005,
                    weightDecay: 0.0003, lrSchedule: 'step', lrStepEpochs: 3, lrGamma: 0.25},
                   "the run's record");
    assert.equal(done.phase, 'done');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('on a phone (390x844) every setting fits the width and can be reached', {timeout: 300000},
     async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 390, height: 844, touch: true});
  try {
    await openLab(page, {timeout: 240000});
    await page.evaluate((o) => window.cnnlab.configure(o),
                        {...SMALL, optimizer: 'sgd', lrSchedule: 'cosine', flip: true, shift: 2});
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    const area = ui.tabs.find((x) => x.bar === 'areas' && x.name === 'Training');
    assert.ok(area, 'the Training area tab');
    await page.mouse.click((area.x + area.w / 2) / ui.scale, (area.y + area.h / 2) / ui.scale);
    await frames(page, 8);
    await saveScreenshot(page, 'settings-390x844.png');
    const now = await page.evaluate(() => window.cnnlab.state().ui);
    const width = 390 * now.scale;
    const settings = now.controls.filter((c) => c.panel === 'training');
    assert.ok(settings.length >= 20, `${settings.length} settings drawn`);
    for (const c of settings) {
      assert.ok(c.x >= 0 && c.x + c.w <= width + 1, `${c.name} fits the phone's width`);
    }
    // The last group can be scrolled to and used by touch.
    await reveal(page, 'shift+');
    const shift = await reveal(page, 'shift+');
    await page.touchscreen.tap((shift.x + shift.w / 2) / shift.scale, (shift.y + shift.h / 2) / shift.scale);
    await frames(page, 8);
    assert.equal((await options(page)).shift, 3, 'a tap on + adds a pixel');
    await reveal(page, 'lrMin');
    await saveScreenshot(page, 'settings-390x844-scrolled.png');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('on a phone every Backspace and Delete reaches a text field, each pressed once and released',
     {timeout: 300000}, async (t) => {
  if (!hasSubset()) {
    t.skip(`the site has no '${SUBSET}' pack`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 390, height: 844, touch: true});
  try {
    await openLab(page, {timeout: 240000});
    await page.evaluate((o) => window.cnnlab.configure(o), {...SMALL, seed: 5});
    const ui = await page.evaluate(() => window.cnnlab.state().ui);
    const area = ui.tabs.find((x) => x.bar === 'areas' && x.name === 'Training');
    await page.mouse.click((area.x + area.w / 2) / ui.scale, (area.y + area.h / 2) / ui.scale);
    await frames(page, 8);
    const seed = await reveal(page, 'seed');
    await page.touchscreen.tap((seed.x + seed.w / 2) / seed.scale, (seed.y + seed.h / 2) / seed.scale);
    await frames(page, 3);
    // A phone's keyboard sends each key's press and release together, within one frame: three
    // Backspaces and a Delete one after another, no frame waited for between them.
    await page.keyboard.type('123456');
    await frames(page, 3);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Home');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.cnnlab.state().options.seed !== 5, null, {timeout: 20000})
        .catch(() => {});
    assert.equal((await options(page)).seed, 23, 'typed 123456, three Backspaces, Home, Delete: 23');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
