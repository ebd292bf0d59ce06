// Browser tests of what assistive technology gets from a lab (web/page/mirror.js): the canvas is
// a labelled application described by the text view; the text view's live region announces
// training (its start, each epoch, the test results) and an experiment's verdict, changing at most
// once a second and never repeating itself; its HTML tables hold the numbers of history() and
// results(); the Text view toggle is reached by Tab and shows or hides it (beside the canvas at
// 1280x800, over it at 390x844, no horizontal page scroll; a finger-sized target on a touch
// screen); prefers-reduced-motion and prefers-color-scheme are honoured; two labs on one page
// have separate text views with unique ids. Trains on the site's 1k subset (skipped without it).
// Screenshots: a11y-*.png in $CNNLAB_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, percent, saveScreenshot, sitePacks,
         siteUrl } from './lib/harness.mjs';

let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

function hasSubset() { return manifest.packs.some((p) => p.id === '1k'); }

// ---- Reading the text view -----------------------------------------------------------------------

// A table of the text view as text: {caption, head: [..], rows: [[row header, cell...]]}.
function readTable(page, name, root = 'body') {
  return page.evaluate(({name, root}) => {
    const table = document.querySelector(root).querySelector(`table[data-table="${name}"]`);
    if (!table) return null;
    const cells = (row) => Array.from(row.children).map((c) => c.textContent);
    return {
      caption: table.caption ? table.caption.textContent : null,
      head: cells(table.tHead.rows[0]),
      headScopes: Array.from(table.tHead.rows[0].children).map((c) => c.getAttribute('scope')),
      rowScopes: Array.from(table.tBodies[0].rows).map((r) => r.cells[0].tagName + ':' + r.cells[0].getAttribute('scope')),
      rows: Array.from(table.tBodies[0].rows).map(cells),
    };
  }, {name, root});
}

// "17.1 %" -> 17.1, "545,098" -> 545098, "2.216" -> 2.216
const number = (text) => Number(String(text).replace(/[,%\s]/g, ''));

function assertPercent(text, fraction, what) {
  assert.ok(Math.abs(number(text) / 100 - fraction) <= 0.0005 + 1e-9, `${what}: ${text} vs ${fraction}`);
}
function assertLoss(text, value, what) {
  assert.ok(Math.abs(number(text) - value) <= 0.0005 + 1e-9, `${what}: ${text} vs ${value}`);
}

// The live region's changes, recorded in the page from now on: [{t, text, phase}].
function recordAnnouncements(page) {
  return page.evaluate(() => {
    if (window.announcementObserver) window.announcementObserver.disconnect();
    window.announcements = [];
    const region = document.querySelector('.cnnlab [role="status"].cnnlab-announcement');
    window.announcementObserver = new MutationObserver(() => window.announcements.push({
      t: performance.now(), text: region.textContent, phase: window.cnnlab.state().phase,
    }));
    window.announcementObserver.observe(region, {childList: true, characterData: true, subtree: true});
  });
}

// Fails unless consecutive announcements are at least a second apart and never the same text.
function assertPaced(announcements) {
  for (let i = 1; i < announcements.length; ++i) {
    const gap = announcements[i].t - announcements[i - 1].t;
    assert.ok(gap >= 990, `announcements ${i - 1} and ${i} ${gap.toFixed(0)} ms apart: ` +
                          JSON.stringify(announcements.slice(i - 1, i + 1)));
    assert.notEqual(announcements[i].text, announcements[i - 1].text, 'an announcement repeated');
  }
}

// The text view's geometry and the page's scroll extent.
function layout(page) {
  return page.evaluate(() => {
    const box = (e) => {
      const r = e.getBoundingClientRect();
      return {x: r.x, y: r.y, width: r.width, height: r.height};
    };
    const panel = document.querySelector('.cnnlab-textview');
    return {
      panel: box(panel),
      canvas: box(document.querySelector('canvas.cnnlab-canvas')),
      toggle: box(document.querySelector('.cnnlab-textview-toggle')),
      pressed: document.querySelector('.cnnlab-textview-toggle').getAttribute('aria-pressed'),
      pageScrollWidth: document.documentElement.scrollWidth,
      pageWidth: document.documentElement.clientWidth,
      panelScrollWidth: panel.scrollWidth,
      panelWidth: panel.clientWidth,
      display: window.cnnlab.state().ui.display,
    };
  });
}

// ---- Tests --------------------------------------------------------------------------------------

test('the canvas is a labelled application; Tab reaches the Text view toggle, which shows and ' +
     'hides the text view at 1280x800 and 390x844', {timeout: 300000}, async (t) => {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await t.test(`${width}x${height}`, async () => {
      const {context, page, errors} = await newPage(browser, {width, height});
      try {
        await openLab(page, {timeout: 240000});
        // The roles and names a screen reader gets (Playwright's accessible-name computation).
        const canvas = page.getByRole('application', {name: /CNN Lab/});
        assert.equal(await canvas.count(), 1);
        const description = await page.evaluate(() => {
          const c = document.querySelector('canvas.cnnlab-canvas');
          const d = document.getElementById(c.getAttribute('aria-describedby'));
          return d ? d.textContent : null;
        });
        assert.match(description, /text view/i);
        const toggle = page.getByRole('button', {name: 'Text view', pressed: false});
        assert.equal(await toggle.count(), 1);
        // Hidden on screen, but there for screen readers: its heading, lists and live region.
        assert.equal(await page.getByRole('heading', {name: 'CNN Lab as text'}).count(), 1);
        assert.equal(await page.getByRole('status').count(), 1);
        let box = await layout(page);
        assert.ok(box.panel.width <= 1 && box.panel.height <= 1, JSON.stringify(box.panel));
        // The canvas fills the lab but for the strip under it that holds the toggle, which
        // therefore covers nothing the app draws.
        assert.deepEqual(box.display, [width, Math.round(box.canvas.height)]);
        assert.ok(box.canvas.height >= height - 60 && box.canvas.height < height,
                  `the toggle's strip is thin: ${JSON.stringify(box.canvas)}`);
        assert.ok(box.toggle.y >= box.canvas.y + box.canvas.height - 0.5 &&
                  box.toggle.y + box.toggle.height <= height + 0.5,
                  `the toggle lies in the strip under the canvas: ${JSON.stringify(box)}`);
        await saveScreenshot(page, `a11y-${width}x${height}-text-view-off.png`);

        // Keyboard only: the first Tab from the page's start reaches the toggle (before the
        // canvas, which keeps Tab for the app); Enter shows the text view, Space hides it.
        await page.evaluate(() => {
          const start = document.createElement('a');
          start.href = '#';
          start.textContent = 'start';
          document.body.prepend(start);
          start.focus();
        });
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.className),
                     'cnnlab-textview-toggle');
        await page.evaluate(() => document.body.firstElementChild.remove());  // the start link
        await page.keyboard.press('Enter');
        await frames(page, 10);
        box = await layout(page);
        assert.equal(box.pressed, 'true');
        assert.equal(box.pageScrollWidth, box.pageWidth, 'the page scrolls sideways');
        assert.ok(box.panelScrollWidth <= box.panelWidth, 'the text view scrolls sideways');
        if (width >= 720) {
          // Beside the canvas, which gives it the room (the app lays out in what is left).
          assert.ok(box.panel.width >= 300 && box.panel.x + box.panel.width <= width + 0.5,
                    JSON.stringify(box.panel));
          assert.ok(Math.abs(box.canvas.width + box.panel.width - width) <= 1, JSON.stringify(box));
          assert.equal(box.display[0], Math.round(box.canvas.width));
        } else {
          // Over the canvas: the whole lab is the text view.
          assert.ok(Math.abs(box.panel.width - width) <= 1, JSON.stringify(box.panel));
        }
        // The toggle stays on top and reachable.
        assert.ok(box.toggle.y + box.toggle.height <= height && box.toggle.width > 0);
        await saveScreenshot(page, `a11y-${width}x${height}-text-view-on.png`);
        await page.keyboard.press('Space');
        await frames(page, 10);
        box = await layout(page);
        assert.equal(box.pressed, 'false');
        assert.ok(box.panel.width <= 1, JSON.stringify(box.panel));
        assert.deepEqual(box.display, [width, Math.round(box.canvas.height)]);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});

test('on a touch screen (390x844) the toggle is a target a finger can hit and a tap shows the ' +
     'text view', {timeout: 240000}, async () => {
  const context = await browser.newContext({viewport: {width: 390, height: 844}, hasTouch: true,
                                            isMobile: true});
  try {
    const page = await context.newPage();
    await openLab(page, {timeout: 240000});
    const toggle = page.locator('.cnnlab-textview-toggle');
    const box = await toggle.boundingBox();
    assert.ok(box.height >= 40 && box.width >= 40, JSON.stringify(box));
    await toggle.tap();
    await page.waitForFunction(() => document.querySelector('.cnnlab-textview-toggle')
        .getAttribute('aria-pressed') === 'true', null, {timeout: 5000});
    const panel = await page.locator('.cnnlab-textview').boundingBox();
    assert.ok(Math.abs(panel.width - 390) <= 1, JSON.stringify(panel));
    await saveScreenshot(page, 'a11y-390x844-touch-text-view-on.png');
  } finally {
    await context.close();
  }
});

test('training: the live region announces the start, each epoch and the test results, at most ' +
     'once a second; the tables hold the numbers of history() and results()',
     {timeout: 600000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await openLab(page, {timeout: 240000});
    // Two short epochs of the 1k subset (batch 16: enough updates to leave chance, as in
    // training.test.mjs).
    await page.evaluate(() => window.cnnlab.configure(
        {subset: '1k', model: 'cnn', kernel: 3, epochs: 2, batch: 16, lr: 0.001, optimizer: 'adam',
         seed: 42, augment: false, patience: 0}));
    await page.click('.cnnlab-textview-toggle');
    await frames(page, 5);
    await recordAnnouncements(page);
    // A burst first: start, then pause and resume every 300 ms (faster than a listener can
    // follow); the live region must still change at most once a second.
    await page.evaluate(async () => {
      const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      window.cnnlab.train();
      for (let i = 0; i < 3; ++i) {
        await wait(300);
        window.cnnlab.pause();
        await wait(300);
        window.cnnlab.train();
      }
    });
    await page.waitForFunction(() => {
      const s = window.cnnlab.state();
      return s.phase === 'done' && s.testAcc !== null;
    }, null, {timeout: 240000});
    const state = await page.evaluate(() => window.cnnlab.state());
    // The results are announced within a second or two of the test results.
    await page.waitForFunction((acc) => window.announcements.some(
        (a) => a.text.includes(`Test accuracy ${acc}`)), percent(state.testAcc),
        {timeout: 10000});
    await page.waitForTimeout(1500);
    const said = await page.evaluate(() => window.announcements);
    const all = said.map((a) => a.text).join('\n');
    assert.match(all, /Training started: run 1, cnn 3×3, 2 epochs, batch 16/);
    assert.match(all, /Training (paused|resumed) in epoch 1 of 2/);
    assert.match(all, /epoch 2 of 2 done: training loss \d\.\d{3}, accuracy \d+\.\d %/);
    assert.ok(said.filter((a) => a.phase === 'training').length >= 2,
              `the live region changed while training: ${JSON.stringify(said)}`);
    assertPaced(said);

    // The tables: every epoch of every run, the test results, the per-class metrics and the
    // confusion matrix, with captions and header cells.
    const history = await page.evaluate(() => window.cnnlab.history());
    for (const run of history) {
      const table = await readTable(page, `history-run-${run.run}`);
      assert.ok(table, `no table for run ${run.run}`);
      assert.match(table.caption, new RegExp(`^${run.label}`));
      assert.ok(table.headScopes.every((s) => s === 'col'));
      assert.ok(table.rowScopes.every((s) => s === 'TH:row'));
      assert.equal(table.rows.length, run.epochs.length);
      run.epochs.forEach((e, i) => {
        const [epoch, trainLoss, trainAcc, valLoss, valAcc] = table.rows[i];
        assert.equal(number(epoch), e.epoch);
        assertLoss(trainLoss, e.trainLoss, 'training loss');
        assertPercent(trainAcc, e.trainAcc, 'training accuracy');
        assertLoss(valLoss, e.valLoss, 'validation loss');
        assertPercent(valAcc, e.valAcc, 'validation accuracy');
      });
    }
    const run = history[history.length - 1];
    const tests = await readTable(page, 'test-results');
    const row = tests.rows.find((r) => r[0] === run.label);
    assertPercent(row[4], run.testAcc, 'test accuracy');
    assertLoss(row[5], run.testLoss, 'test loss');
    assert.equal(number(row[3]), run.testEpoch);
    assertPercent(row[4], state.testAcc, 'state().testAcc');
    const names = state.dataset.classNames;
    assert.equal(names.length, state.dataset.classes);
    const confusion = await readTable(page, 'confusion');
    assert.deepEqual(confusion.rows.map((r) => r[0]), names);
    assert.deepEqual(confusion.rows.map((r) => r.slice(1).map(number)), run.testConfusion);
    const metrics = await readTable(page, 'class-metrics');
    metrics.rows.forEach((r, c) => {
      const images = run.testConfusion[c].reduce((a, b) => a + b, 0);
      assert.equal(r[0], names[c]);
      assert.equal(number(r[1]), images);
      assert.equal(number(r[2]), run.testConfusion[c][c]);
      assertPercent(r[3], run.testConfusion[c][c] / images, `recall of ${names[c]}`);
    });
    // The status and the settings as labelled text.
    const facts = await page.evaluate(() => Object.fromEntries(Array.from(
        document.querySelectorAll('.cnnlab-facts dt'),
        (dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts.Phase, 'done');
    assert.equal(facts['Epochs done'], '2 of 2');
    assert.equal(facts['Batch size'], '16');
    assert.equal(facts['Learning rate'], '0.001');
    assert.equal(facts.Optimizer, 'adam');
    assert.equal(facts.Model, 'cnn 3×3');
    assert.equal(facts.Subset, '1k');
    await saveScreenshot(page, 'a11y-after-training-1280x800.png');
    // Shown, each table's scroll box is a named region Tab can reach; hidden, none is a tab stop.
    const stops = () => page.evaluate(() => {
      const panel = document.querySelector('.cnnlab-textview');
      return {focusable: panel.querySelectorAll('[tabindex]').length,
              regions: panel.querySelectorAll('[role="region"][aria-labelledby]').length,
              tables: panel.querySelectorAll('table').length};
    });
    const shownStops = await stops();
    assert.ok(shownStops.tables >= 4 && shownStops.focusable === shownStops.tables &&
              shownStops.regions === shownStops.tables, JSON.stringify(shownStops));
    await page.click('.cnnlab-textview-toggle');
    assert.deepEqual(await stops(), {focusable: 0, regions: 0, tables: shownStops.tables});
    await page.click('.cnnlab-textview-toggle');

    await t.test('an experiment: started and its verdict announced; its tables match results()',
                 async () => {
      await recordAnnouncements(page);
      await page.evaluate(() => window.cnnlab.experiment(
          {vary: 'kernel', values: [3, 5], repeats: 1, epochs: 1, batch: 64}));
      // While it runs the text view's Phase says so (the lab's own phase stays the last run's).
      await page.waitForFunction(() => document.querySelector('.cnnlab-textview').textContent
          .includes('experiment running (kernel 3 and 5, 1 seed each'), null, {timeout: 30000});
      await page.waitForFunction(() => {
        const r = window.cnnlab.results();
        return r && r.done;
      }, null, {timeout: 300000});
      await page.waitForFunction(() => window.announcements.some(
          (a) => a.text.includes('Experiment done.')), null, {timeout: 10000});
      await page.waitForTimeout(1500);
      const results = await page.evaluate(() => window.cnnlab.results());
      const heard = await page.evaluate(() => window.announcements);
      const text = heard.map((a) => a.text).join('\n');
      assert.match(text, /Experiment started: kernel 3 and 5, 1 seed each/);
      assert.ok(text.includes(results.interpretation), text);
      assert.ok(!/Run \d+ done/.test(text), `a single run's result was announced: ${text}`);
      assertPaced(heard);
      const summary = await readTable(page, 'experiment-summary');
      assert.equal(summary.rows.length, results.summary.length);
      results.summary.forEach((s, i) => {
        const r = summary.rows[i];
        assert.equal(r[0], s.configuration);
        assert.equal(r[1], s.winner ? 'yes' : 'no');
        assert.equal(number(r[2]), s.parameters);
        assertPercent(r[7], s.test_accuracy_mean, `${s.configuration} test accuracy`);
        assertLoss(r[9], s.test_loss_mean, `${s.configuration} test loss`);
      });
      const runs = await readTable(page, 'experiment-runs');
      assert.deepEqual(runs.rows.map((r) => [r[0], r[2]]),
                       results.runs.map((r) => [r.configuration, r.status]));
      results.runs.forEach((r, i) => assertPercent(runs.rows[i][5], r.testAcc, 'run test accuracy'));
      await page.evaluate(() => {
        const panel = document.querySelector('.cnnlab-textview');
        panel.scrollTop = panel.scrollHeight;
      });
      await saveScreenshot(page, 'a11y-experiment-1280x800.png');
    });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('prefers-reduced-motion stops the page\'s motion; prefers-color-scheme picks the theme ' +
     'unless a theme option is given', {timeout: 300000}, async () => {
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    await page.emulateMedia({reducedMotion: 'reduce', colorScheme: 'dark'});
    await openLab(page, {timeout: 240000});
    let s = await page.evaluate(() => window.cnnlab.state());
    assert.equal(s.ui.theme, 'dark');
    assert.ok(await page.evaluate(() => document.querySelector('.cnnlab').classList.contains('cnnlab-dark')));
    // A link does not carry the theme the reader's system picked.
    assert.ok(!(await page.evaluate(() => window.cnnlab.link())).includes('theme='));
    // Motion: the text view appears without sliding in; the loading bar's stripe stands still.
    await page.click('.cnnlab-textview-toggle');
    const motion = () => page.evaluate(() => {
      const bar = document.querySelector('.cnnlab-progress-bar');
      bar.classList.add('cnnlab-indeterminate');
      const result = {
        textView: getComputedStyle(document.querySelector('.cnnlab-textview')).animationName,
        bar: getComputedStyle(bar).animationName,
        barTransition: getComputedStyle(bar).transitionDuration,
      };
      bar.classList.remove('cnnlab-indeterminate');
      return result;
    });
    assert.deepEqual(await motion(), {textView: 'none', bar: 'none', barTransition: '0s'});
    await saveScreenshot(page, 'a11y-dark-1280x800.png');
    // The system's scheme changes: the lab follows (its theme is still the one the system picked).
    await page.emulateMedia({reducedMotion: 'no-preference', colorScheme: 'light'});
    await page.waitForFunction(() => window.cnnlab.state().ui.theme === 'light', null, {timeout: 10000});
    assert.ok(!(await page.evaluate(() => document.querySelector('.cnnlab').classList.contains('cnnlab-dark'))));
    const moving = await motion();
    assert.equal(moving.textView, 'cnnlab-textview-in');
    assert.equal(moving.bar, 'cnnlab-slide');
    // A theme chosen by an option wins over the system's scheme.
    await page.emulateMedia({colorScheme: 'dark'});
    await openLab(page, {timeout: 240000, url: new URL('index.html?theme=light', siteUrl).href});
    s = await page.evaluate(() => window.cnnlab.state());
    assert.equal(s.ui.theme, 'light');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('two <cnn-lab> labs on one page: a text view each, unique ids, toggled separately; a ' +
     'narrow lab\'s text view covers its canvas', {timeout: 300000}, async (t) => {
  if (!hasSubset()) return t.skip('the site has no 1k subset');
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 900});
  try {
    await page.goto(new URL(`examples/cross-origin.html?lab=${encodeURIComponent(siteUrl)}`, siteUrl).href);
    await page.waitForFunction(() => {
      const labs = Array.from(document.querySelectorAll('cnn-lab'), (e) => e.lab);
      return labs.length === 2 && labs.every((lab) => lab && lab.state().loading === null);
    }, null, {timeout: 240000});
    const ids = await page.evaluate(() => Array.from(document.querySelectorAll('[id]'), (e) => e.id));
    assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids}`);
    // Every reference of a lab's text view stays inside that lab's element.
    const references = await page.evaluate(() => Array.from(document.querySelectorAll('cnn-lab'), (lab) => {
      const refs = Array.from(lab.querySelectorAll('[aria-controls], [aria-describedby], [aria-labelledby]'))
          .flatMap((e) => ['aria-controls', 'aria-describedby', 'aria-labelledby']
              .map((a) => e.getAttribute(a)).filter(Boolean));
      return {count: refs.length, inside: refs.every((id) => lab.contains(document.getElementById(id)))};
    }));
    for (const r of references) assert.ok(r.count >= 3 && r.inside, JSON.stringify(references));
    // Each lab's layout follows its own width, not the window's: narrow under 600 px.
    const layoutsMatchWidths = () => page.evaluate(() => Array.from(
        document.querySelectorAll('cnn-lab'), (e) => {
          const width = e.querySelector('canvas').getBoundingClientRect().width;
          return {width, layout: e.lab.state().ui.layout, expected: width < 600 ? 'narrow' : 'wide'};
        }));
    for (const lab of await layoutsMatchWidths()) assert.equal(lab.layout, lab.expected, JSON.stringify(lab));
    assert.equal(await page.getByRole('application').count(), 2);
    assert.equal(await page.getByRole('button', {name: 'Text view'}).count(), 2);

    // Lab 2's toggle shows lab 2's text view only, inside lab 2's box.
    await page.locator('#lab-fast .cnnlab-textview-toggle').click();
    await frames(page, 5);
    // The text view slides in (a CSS animation): measure where it comes to rest.
    await page.evaluate(() => Promise.all(Array.from(document.querySelectorAll('.cnnlab-textview'))
        .flatMap((e) => e.getAnimations()).map((a) => a.finished)));
    const shown = await page.evaluate(() => Array.from(document.querySelectorAll('cnn-lab'), (lab) => {
      const r = lab.querySelector('.cnnlab-textview').getBoundingClientRect();
      const outer = lab.getBoundingClientRect();
      return {width: r.width, inside: r.left >= outer.left - 0.5 && r.right <= outer.right + 0.5 &&
                                      r.top >= outer.top - 0.5 && r.bottom <= outer.bottom + 0.5};
    }));
    assert.ok(shown[0].width <= 1 && shown[1].width > 300 && shown[1].inside, JSON.stringify(shown));
    await page.locator('#lab-fast').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'a11y-two-labs-1280x900.png');

    // The same page on a phone: the lab is narrow, its text view covers its canvas.
    await page.setViewportSize({width: 390, height: 844});
    await frames(page, 10);
    const narrow = await page.evaluate(() => {
      const lab = document.getElementById('lab-fast');
      const r = lab.querySelector('.cnnlab-textview').getBoundingClientRect();
      return {panel: r.width, lab: lab.clientWidth, pageScroll: document.documentElement.scrollWidth,
              page: document.documentElement.clientWidth};
    });
    assert.ok(Math.abs(narrow.panel - narrow.lab) <= 1, JSON.stringify(narrow));
    for (const lab of await layoutsMatchWidths()) assert.equal(lab.layout, 'narrow', JSON.stringify(lab));
    assert.equal(narrow.pageScroll, narrow.page, 'the page scrolls sideways');
    await page.locator('#lab-fast').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'a11y-two-labs-390x844.png');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
